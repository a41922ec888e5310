"""Citizen search on a town of 200,000: exact words, prefixes as typed, and words with a typing mistake.

    python bench/bench_citizens.py [--citizens 200000 --queries 300 --seed 5]

Builds bench/data/citizens.sqlite3 once (the real migrations; records bulk-inserted, the search index and
its vocabulary filled by the schema's own triggers), with family names drawn from guichet.services.names plus
made-up ones (a real town of that size has some 30,000 family names: the typo lookup must not be measured on a
vocabulary of 90 words). Then times ``CitizenService.search`` (what the desk calls at each keystroke) and the
duplicate check of a creation; p50/p95/max written to bench/results/citizens.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dedup_data import _typo  # noqa: E402
from guichet.db import Database  # noqa: E402
from guichet.db.migrate import upgrade  # noqa: E402
from guichet.models import Citizen  # noqa: E402
from guichet.services import Services  # noqa: E402
from guichet.services.citizens import reindex  # noqa: E402
from guichet.services.names import EMAIL_DOMAINS, FIRST_NAMES_F, FIRST_NAMES_M, LAST_NAMES, STREETS  # noqa: E402
from guichet.text import fold  # noqa: E402

SYLLABLES = ["ber", "cha", "dou", "fa", "gar", "lan", "mo", "nel", "ri", "sa", "tin", "vi", "rou", "let", "mar", "pi",
             "quet", "don", "bon", "gal", "lou", "mer", "nier", "ras", "sel", "thi", "zan", "vel", "cour", "bes"]  # fmt: skip


def _names(rng: random.Random, n: int) -> list[str]:
    made = {"".join(rng.choice(SYLLABLES) for _ in range(rng.choice([2, 3, 3, 4]))).capitalize() for _ in range(n)}
    return LAST_NAMES * 40 + sorted(made)


def build(path: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    families = _names(rng, 30_000)
    db = Database.open(path)
    upgrade(db.engine)
    for start in range(0, count, 20_000):
        with db.write() as s:
            rows = []
            for _ in range(min(20_000, count - start)):
                female = rng.random() < 0.5
                first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
                last = rng.choice(families)
                phone = "+33" + rng.choice("67") + f"{rng.randrange(10**8):08d}" if rng.random() < 0.85 else ""
                email = f"{fold(first).replace(' ', '')}.{fold(last).replace(' ', '')}@{rng.choice(EMAIL_DOMAINS)}"
                c = Citizen(last_name=last, first_names=first, phone=phone, email=email if rng.random() < 0.6 else "",
                            address=f"{rng.randrange(1, 180)} {rng.choice(STREETS)}", postal_code="69200",
                            city="Vénissieux")  # fmt: skip
                reindex(c)
                rows.append(c)
            s.add_all(rows)
    db.close()


def pct(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50_ms": round(statistics.median(values), 2), "p95_ms": round(pct(values, 95), 2),
            "max_ms": round(max(values), 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--db", default=str(Path(__file__).parent / "data" / "citizens.sqlite3"))
    args = parser.parse_args()
    path = Path(args.db)
    if not path.exists():
        started = time.perf_counter()
        build(path, args.citizens, args.seed)
        print(f"base construite en {time.perf_counter() - started:.0f} s")
    db = Database.open(path)
    services = Services.on(db)
    rng = random.Random(args.seed + 1)
    with db.read() as s:
        sample = [s.get(Citizen, i) for i in rng.sample(list(s.scalars(Citizen.__table__.select().with_only_columns(
            Citizen.id).where(Citizen.deleted_at.is_(None)))), args.queries)]  # fmt: skip
    search = services.citizens.search
    for q in ("ma", "martin", "06", "dupont je"):
        search(query=q)
    timings: dict[str, list[float]] = {"exact": [], "prefix": [], "typo": [], "dedup_check": []}
    found: dict[str, int] = {"exact": 0, "prefix": 0, "typo": 0}
    for c in sample:
        last, first = fold(c.last_name), fold(c.first_names).split()[0]
        typo = _typo(rng, last) if len(last) >= 5 else last
        for kind, query in (("exact", f"{last} {first}"), ("prefix", f"{last[:4]} {first[:2]}"),
                            ("typo", f"{typo} {first}")):  # fmt: skip
            t = time.perf_counter()
            result = search(query=query)
            timings[kind].append((time.perf_counter() - t) * 1000)
            found[kind] += any(r.id == c.id for r in result)
        t = time.perf_counter()
        services.citizens.check_duplicates(last_name=c.last_name, first_names=c.first_names, phone=c.phone)
        timings["dedup_check"].append((time.perf_counter() - t) * 1000)
    result = {
        "citizens": args.citizens, "queries_per_kind": args.queries,
        "timings": {k: summary(v) for k, v in timings.items()},
        "found_pct": {k: round(100 * v / args.queries, 1) for k, v in found.items()},
    }  # fmt: skip
    db.close()
    out = Path(__file__).parent / "results" / "citizens.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
