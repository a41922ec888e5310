"""Writes chime.wav, the call screen's two-tone chime ("ding-dong"), with the standard library only.

    python resources/sounds/make_chime.py

Two bell-like notes (E5 then C5, a major third down), each a few harmonics under an exponential decay,
with a short attack so nothing clicks. Mono, 16-bit, 22 050 Hz: about 1.6 s and 70 kB.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
NOTES = ((659.25, 0.00), (523.25, 0.55))  # (frequency in Hz, start in seconds)
LENGTH_S = 1.7
DECAY_S = 0.42  # time for a note to fall to 1/e
ATTACK_S = 0.008
HARMONICS = ((1.0, 1.0), (2.0, 0.35), (3.0, 0.12), (4.2, 0.05))  # (multiple, level): a soft bell
PEAK = 0.6  # of full scale: loud enough in a hall, never clipping


def sample(t: float) -> float:
    value = 0.0
    for freq, start in NOTES:
        x = t - start
        if x < 0:
            continue
        envelope = min(1.0, x / ATTACK_S) * math.exp(-x / DECAY_S)
        value += envelope * sum(level * math.sin(2 * math.pi * freq * k * x) for k, level in HARMONICS)
    return value


def main() -> None:
    path = Path(__file__).with_name("chime.wav")
    raw = [sample(i / RATE) for i in range(int(LENGTH_S * RATE))]
    fade = int(0.05 * RATE)  # end on silence
    for i in range(fade):
        raw[-1 - i] *= i / fade
    scale = PEAK / max(abs(v) for v in raw)
    frames = b"".join(struct.pack("<h", round(v * scale * 32767)) for v in raw)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    print(f"{path} : {len(raw) / RATE:.2f} s")


if __name__ == "__main__":
    main()
