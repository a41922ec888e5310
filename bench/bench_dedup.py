"""Precision and recall of the duplicate check (guichet.services.dedup) on a generated town.

    python bench/bench_dedup.py [--residents 20000 --entries 4000 --seed 7]

Residents are loaded into a fresh database; each entry (a resident typed again with realistic slips, or a
new person who looks like a resident) goes through the same check as a creation at the desk. The truth is
known, so: precision = proposed records that were the person / records proposed; recall = people typed
again whose record was proposed / people typed again. Reported at the threshold in use (dedup.PROBABLE) and
two others, with the recall per kind of slip and the false alarms per kind of look-alike. Written to
bench/results/dedup.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dedup_data import best_matches, generate, load, metrics  # noqa: E402
from guichet.db import Database  # noqa: E402
from guichet.db.migrate import upgrade  # noqa: E402
from guichet.services.dedup import PROBABLE  # noqa: E402

THRESHOLDS = (0.6, PROBABLE, 0.8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "dedup.json"))
    args = parser.parse_args()
    people, entries = generate(args.seed, args.residents, args.entries)
    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(Path(folder) / "dedup.sqlite3")
        upgrade(db.engine)
        ids = load(db, people)
        started = time.perf_counter()
        found = best_matches(db, entries)
        ms_per_check = (time.perf_counter() - started) * 1000 / len(entries)
        db.close()
    at = {str(t): metrics(entries, ids, found, t) for t in THRESHOLDS}
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e, (top, score) in zip(entries, found, strict=True):
        hit = top is not None and score >= PROBABLE
        if e.truth is not None:
            hit = hit and ids[e.truth] == top
        by_kind[e.kind][0] += hit
        by_kind[e.kind][1] += 1
    result = {
        "residents": args.residents, "entries": args.entries, "seed": args.seed, "threshold_in_use": PROBABLE,
        "ms_per_check": round(ms_per_check, 2), "at_threshold": at,
        "flagged_by_kind": {k: {"flagged": v[0], "of": v[1], "share": round(v[0] / v[1], 3)}
                            for k, v in sorted(by_kind.items())},
    }  # fmt: skip
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for t, m in at.items():
        print(
            f"seuil {t}: précision {m['precision']:.3f}  rappel {m['recall']:.3f}  "
            f"(avec un identifiant commun : {m['recall_with_an_identifier']:.3f})  {m['proposed']} proposées"
        )
    print(f"{ms_per_check:.2f} ms par vérification")
    for k, v in result["flagged_by_kind"].items():
        print(f"  {k:60} {v['flagged']:5}/{v['of']:5}  {v['share']:.3f}")


if __name__ == "__main__":
    main()
