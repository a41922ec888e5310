"""Spoken announcements of the call screen: a chime, then "Ticket A 42, guichet 3" in French.

Announcements wait their turn in a FIFO: the next one starts when the speech engine is back to
Ready (or after a time limit, should an engine never say it is done), so two calls made together
are both heard, whole, in order. Without a speech engine or an audio output the screen stays
visual: one warning in the log, no error, and the announcements still go through the FIFO (and
its ``history``), so the behaviour is the same everywhere but for the sound.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QObject, QTimer, QUrl, Signal

from guichet.paths import resources_dir
from guichet.services.queue import CallEvent

log = logging.getLogger(__name__)

CHIME = resources_dir() / "sounds" / "chime.wav"
_NUMBER = re.compile(r"^([A-Za-z]+)\s*0*(\d+)$")
MAX_PENDING = 8  # announcements waiting their turn, at most


def spoken_number(number: str) -> str:
    """ "A042" -> "A 42": the letter spelt, the number said as a number."""
    match = _NUMBER.match(number.strip())
    if match is None:
        return number
    return f"{' '.join(match.group(1).upper())} {int(match.group(2))}"


def spoken_text(call: CallEvent) -> str:
    """ "Ticket A 42, guichet 3" (the counter as it is named: "Guichet 3", "Bureau social"...)."""
    counter = call.counter_name.strip() or f"Guichet {call.counter_number}"
    counter = counter[0].lower() + counter[1:]
    return f"Ticket {spoken_number(call.number)}, {counter}"


class Announcer(QObject):
    """Chimes and speaks texts one after the other.

    ``engine``: a QtTextToSpeech engine name ("speechd", "sapi", "winrt", "darwin"...; tests use "mock");
    by default the first engine that works, "mock" excepted. ``speech``/``sound`` False: silent.
    """

    started = Signal(str)  # an announcement begins (chime, then speech)
    finished = Signal(str)

    def __init__(
        self, parent: QObject | None = None, *, engine: str | None = None, speech: bool = True, sound: bool = True,
        chime: Path = CHIME, chime_ms: int = 1_100, gap_ms: int = 400, timeout_ms: int | None = None,
        rate: float = -0.1, volume: float = 1.0,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.history: list[str] = []  # every announcement started, in order (what the hall heard, or would have)
        self._pending: deque[str] = deque()
        self._current: str | None = None
        self._saw_speaking = False
        self._chime_ms = chime_ms
        self._gap_ms = gap_ms
        self._timeout_ms = timeout_ms
        self._warned = False
        self.engine_name = ""
        self._speak_timer = QTimer(self, singleShot=True, timeout=self._speak)
        self._guard = QTimer(self, singleShot=True, timeout=self._timed_out)
        self._gap = QTimer(self, singleShot=True, timeout=self._start_next)
        problems: list[str] = []
        self._tts: Any = None
        self._ready_state: Any = None
        self._speaking_state: Any = None
        self._error_state: Any = None
        # Whatever goes wrong with speech or sound, the screen must come up: it then stays visual.
        if speech:
            try:
                self._tts = self._make_speech(engine, rate, volume, problems)
            except Exception as exc:  # noqa: BLE001
                log.debug("synthèse vocale", exc_info=True)
                problems.append(f"synthèse vocale en erreur ({exc})")
        else:
            problems.append("annonce vocale désactivée")
        self._sound: Any = None
        if sound:
            try:
                self._sound = self._make_sound(chime, volume, problems)
            except Exception as exc:  # noqa: BLE001
                log.debug("carillon", exc_info=True)
                problems.append(f"carillon en erreur ({exc})")
        if problems and (speech or sound):
            visual = "" if self._tts is not None else " — les appels restent affichés"
            self._warn("écran d'appel : " + " ; ".join(problems) + visual + ".")

    # -- set-up ------------------------------------------------------------------------------------

    def _make_speech(self, engine: str | None, rate: float, volume: float, problems: list[str]) -> Any:
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:  # Qt's speech module or a library it needs (libpulse...) is missing
            problems.append(f"synthèse vocale indisponible ({exc})")
            return None
        self._ready_state = QTextToSpeech.State.Ready
        self._speaking_state = QTextToSpeech.State.Speaking
        self._error_state = QTextToSpeech.State.Error
        names = [engine] if engine else [e for e in QTextToSpeech.availableEngines() if e != "mock"]
        for name in names:
            if name not in QTextToSpeech.availableEngines():
                continue
            tts = QTextToSpeech(name, self)
            if tts.state() == QTextToSpeech.State.Error:
                tts.deleteLater()
                continue
            french = [loc for loc in tts.availableLocales() if loc.language() == QLocale.Language.French]
            if french:
                france = [loc for loc in french if loc.territory() == QLocale.Country.France]
                tts.setLocale((france or french)[0])
            else:
                problems.append(f"pas de voix française dans le moteur « {name} » : voix par défaut")
            tts.setRate(rate)
            tts.setVolume(volume)
            tts.stateChanged.connect(self._speech_state)
            self.engine_name = name
            return tts
        wanted = f"« {engine} »" if engine else "aucun moteur de synthèse vocale utilisable"
        problems.append(f"pas d'annonce vocale ({wanted})")
        return None

    def _make_sound(self, chime: Path, volume: float, problems: list[str]) -> Any:
        try:
            from PySide6.QtMultimedia import QMediaDevices, QSoundEffect
        except ImportError as exc:
            problems.append(f"carillon indisponible ({exc})")
            return None
        if not chime.exists():
            problems.append(f"carillon introuvable ({chime})")
            return None
        if not QMediaDevices.audioOutputs():
            problems.append("aucune sortie audio : pas de carillon")
            return None
        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(chime)))
        effect.setVolume(volume)
        return effect

    def _warn(self, message: str) -> None:
        """One warning per screen: a call screen without sound must not fill the log, call after call."""
        if not self._warned:
            self._warned = True
            log.warning(message)

    @property
    def can_speak(self) -> bool:
        return self._tts is not None

    @property
    def can_chime(self) -> bool:
        return self._sound is not None

    @property
    def busy(self) -> bool:
        return self._current is not None or bool(self._pending)

    # -- the FIFO ----------------------------------------------------------------------------------

    def announce(self, text: str) -> None:
        """Queue an announcement; it starts at once when nothing is being said."""
        if len(self._pending) >= MAX_PENDING:
            # A backlog (the screen lost the database for a while) would keep the hall listening to stale
            # calls for minutes: the oldest waiting ones give way; they are on screen all the same.
            dropped = self._pending.popleft()
            log.info("écran d'appel : annonce ancienne non dite (%s)", dropped)
        self._pending.append(text)
        if self._current is None and not self._gap.isActive():
            self._start_next()

    def _start_next(self) -> None:
        if self._current is not None or not self._pending:
            return
        text = self._pending.popleft()
        self._current = text
        self.history.append(text)
        self.started.emit(text)
        delay = 0
        if self._sound is not None:
            self._sound.play()
            delay = self._chime_ms
        self._speak_timer.start(delay)

    def _speak(self) -> None:
        text = self._current
        if text is None:
            return
        if self._tts is None:
            self._done()
            return
        self._saw_speaking = False
        words = len(text.split())
        self._guard.start(self._timeout_ms or max(5_000, 1_000 * words))
        self._tts.say(text)

    def _speech_state(self, state: Any) -> None:
        if self._current is None or self._speak_timer.isActive():
            return
        if state == self._speaking_state:
            self._saw_speaking = True
        elif state == self._error_state:
            self._warn(f"écran d'appel : erreur de la synthèse vocale ({self._tts.errorString()})")
            self._done()
        elif state == self._ready_state and self._saw_speaking:
            self._done()

    def _timed_out(self) -> None:
        if self._tts is not None:
            self._tts.stop()
        self._done()

    def _done(self) -> None:
        text = self._current
        self._guard.stop()
        self._current = None
        if text is not None:
            self.finished.emit(text)
        if self._pending:
            self._gap.start(self._gap_ms)

    def stop(self) -> None:
        """Drop what is waiting and stop speaking (the window closes)."""
        self._pending.clear()
        for timer in (self._speak_timer, self._guard, self._gap):
            timer.stop()
        if self._tts is not None:
            self._tts.stop()
        self._current = None
