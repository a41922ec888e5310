"""Letters benchmark: ``render_letter`` for the three letters of a request, and a long one.

    python bench/bench_letters.py [--rounds 200 --warmup 10]

Each letter (accusé de réception, réponse from the default model answer, confirmation of a phone request:
one A4 page each; and a three-page answer) is rendered ``--rounds`` times to PDF bytes in memory, after
``--warmup`` renders that are not counted. The very first render of the process (fonts registered, logo
decoded, first font subset) is shown apart. Target: p95 < 100 ms for a one-page letter.

Prints a table and writes bench/results/letters.json.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guichet.reports.letter_types import Letter, Letterhead, Recipient  # noqa: E402
from guichet.reports.letters import (  # noqa: E402
    acknowledgement_letter,
    answer_letter,
    phone_confirmation_letter,
    render_letter,
)
from guichet.services.letter_templates import DEFAULT_TEMPLATES, fill_template  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "letters.json"
TARGET_MS = 100.0
REFERENCE = "VEN-HDV-2026-000123"
HEAD = Letterhead(
    commune_name="Vénissieux",
    service_line="Direction de la relation aux usagers",
    address_lines=("Hôtel de ville", "5 avenue Marcel-Houël", "BP 24", "69631 Vénissieux Cedex"),
    phone="04 72 21 44 44",
    email="accueil@ville-venissieux.fr",
    website="www.ville-venissieux.fr",
    signatory_name="Nadia Rahmani",
    signatory_title="Pour le Maire, l'adjointe déléguée",
    footer="Toute correspondance doit être adressée à Monsieur le Maire – Hôtel de ville – 69631 Vénissieux Cedex",
)
RECIPIENT = Recipient("Madame Aïcha Benali", ("Bâtiment C, appartement 12", "14 rue Jules-Ferry", "69200 Vénissieux"))
VALUES = {
    "civilite_nom": "Madame Benali", "citoyen": "Aïcha Benali", "reference": REFERENCE,
    "date_demande": "18 novembre 2026", "date_reception": "20 novembre 2026", "date_limite": "4 décembre 2026",
    "service": "Service Urbanisme", "telephone_service": "04 72 21 44 90",
    "courriel_service": "urbanisme@ville-venissieux.fr", "objet": "déclaration préalable pour une véranda",
    "agent": "Sophie Perrin", "commune": "Vénissieux", "date_du_jour": "22 novembre 2026",
}  # fmt: skip


def letters() -> dict[str, Letter]:
    ack = acknowledgement_letter(
        letterhead=HEAD, recipient=RECIPIENT, civility="Madame", reference=REFERENCE,
        subject="Déclaration préalable de travaux", received_on=date(2026, 11, 20), requested_on=date(2026, 11, 18),
        service_name="Service Urbanisme", service_phone="04 72 21 44 90", service_email="urbanisme@ville-venissieux.fr",
        expected_answer_on=date(2026, 12, 4), letter_date=date(2026, 11, 22),
    )  # fmt: skip
    title, body = DEFAULT_TEMPLATES["urbanisme"]
    answer = answer_letter(
        letterhead=HEAD, recipient=RECIPIENT, civility="Madame", reference=REFERENCE, subject=title,
        body=fill_template(body, VALUES), letter_date=date(2026, 11, 22), handled_by="Sophie Perrin",
    )  # fmt: skip
    phone = phone_confirmation_letter(
        letterhead=HEAD, recipient=RECIPIENT, civility="Madame", reference=REFERENCE, called_on=date(2026, 11, 21),
        request_summary="Enlèvement de graffitis sur la façade, 12 avenue Jean-Jaurès, côté parking.",
        service_name="Services techniques", service_phone="04 72 21 44 80", letter_date=date(2026, 11, 22),
        expected_answer_on=date(2026, 12, 1),
    )  # fmt: skip
    long_body = "\n\n".join(f"Paragraphe {i}. " + "Texte administratif qui remplit la page. " * 12 for i in range(16))
    long = answer_letter(
        letterhead=HEAD, recipient=RECIPIENT, civility="Madame", reference=REFERENCE, subject=title,
        body=long_body, letter_date=date(2026, 11, 22),
    )  # fmt: skip
    return {
        "accusé de réception (1 page)": ack,
        "réponse, modèle urbanisme (1 page)": answer,
        "confirmation téléphonique (1 page)": phone,
        "réponse longue (3 pages)": long,
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "p99": pct(99), "max": ordered[-1]}


def bench(rounds: int, warmup: int) -> tuple[float, dict[str, dict[str, float]], dict[str, int]]:
    cases = letters()
    started = time.perf_counter()
    render_letter(next(iter(cases.values())))
    first_ms = (time.perf_counter() - started) * 1000
    results, sizes = {}, {}
    for name, letter in cases.items():
        for _ in range(warmup):
            render_letter(letter)
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            pdf = render_letter(letter)
            samples.append((time.perf_counter() - started) * 1000)
        results[name] = _percentiles(samples)
        sizes[name] = len(pdf)
    return first_ms, results, sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    first_ms, results, sizes = bench(args.rounds, args.warmup)
    print(f"first render of the process: {first_ms:.1f} ms")
    print(f"{'ms':<38} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'PDF (ko)':>9}")
    for name, r in results.items():
        print(f"{name:<38} {r['n']:>5} {r['p50']:>7.2f} {r['p95']:>7.2f} {r['p99']:>7.2f} {r['max']:>7.2f} "
              f"{sizes[name] / 1024:>9.1f}")  # fmt: skip
    one_page = [r for name, r in results.items() if "(1 page)" in name]
    ok = all(r["p95"] < TARGET_MS for r in one_page)
    print(f"one-page letter p95 < {TARGET_MS} ms: {'yes' if ok else 'NO'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "args": vars(args), "python": platform.python_version(), "machine": platform.machine(),
                "first_render_ms": first_ms, "latency_ms": results, "pdf_bytes": sizes,
                "targets_ms": {"one-page letter p95": TARGET_MS},
            },
            indent=2, ensure_ascii=False,
        ),
        encoding="utf-8",
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
