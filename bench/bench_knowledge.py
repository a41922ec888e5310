"""Knowledge base benchmark: full-text search of the answer sheets, a theme's sheets, the « Fiches » list.

    python bench/bench_knowledge.py [--sheets 2000 --rounds 200 --contacts 50000]

Builds a site database (demo reference data) holding ``--sheets`` sheets, SITIV's and the commune's, each with
one to three published versions (the older ones stay in the index, as in real life) and one in ten with a
draft; their texts are the demo sheets' words, shuffled and varied, about 200 words each. ``--contacts``
contacts of the last 30 days, a third of them with the sheet they used. Then, warm, through the real service
(``KnowledgeService``): searches an agent types (one rare word, two words, a common word found in most sheets,
two-letter prefixes, accents and capitals, nothing found), the sheets of a theme, of a parent theme, and the
supervisors' list with its usage counts. Target: p95 < 20 ms for a search.

Prints a table and writes bench/results/knowledge.json.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from guichet.db import Database  # noqa: E402
from guichet.db.migrate import upgrade  # noqa: E402
from guichet.domain import Channel, Outcome, SheetStatus  # noqa: E402
from guichet.models import Agent, AnswerSheet, AnswerSheetVersion, Commune, Contact, Site, Theme  # noqa: E402
from guichet.services import Services, clock  # noqa: E402
from guichet.services.demo import seed_reference  # noqa: E402
from guichet.services.demo_knowledge import SHEETS  # noqa: E402
from guichet.services.knowledge import sheet_search_text  # noqa: E402
from guichet.services.knowledge_types import SheetContent  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "knowledge.json"
TARGET_MS = 20.0
SEARCHES = {
    "un mot rare (« passeport »)": "passeport",
    "deux mots (« acte naissance »)": "acte naissance",
    "mot fréquent (« justificatif »)": "justificatif",
    "trois mots fréquents (« pièce identité domicile »)": "pièce identité domicile",
    "préfixe de 2 lettres (« ca »)": "ca",
    "accents et capitales (« ÉLECTORALE »)": "ÉLECTORALE",
    "rien trouvé (« zygomatique »)": "zygomatique",
}


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"n": len(ordered), "p50": pct(50), "p95": pct(95), "p99": pct(99), "max": ordered[-1]}


def _variant(rng: random.Random, base: SheetContent, words: list[str], n: int) -> SheetContent:
    extra = " ".join(rng.choice(words) for _ in range(120))
    return SheetContent(
        title=f"{base.title} ({n})",
        question=base.question,
        answer=f"{base.answer}\n\n{extra}.",
        documents=tuple(rng.sample(base.documents, k=len(base.documents))) + (f"Justificatif n° {n}",),
        in_charge=base.in_charge,
        where_when=base.where_when,
        fees=base.fees,
        links=base.links,
        keywords=" ".join(rng.sample(words, k=5)),
    )


def build(path: Path, sheets: int, contacts: int, seed: int) -> None:
    db = Database.open(path)
    upgrade(db.engine)
    seed_reference(db)
    rng = random.Random(seed)
    bases = [d for d in SHEETS if d.content.answer]
    words = sorted({w for d in bases for w in sheet_search_text(d.content).split() if len(w) > 3})
    now = clock.now()
    with db.write() as s:
        commune = s.scalars(select(Commune)).one()
        themes = {t.code: t.id for t in s.scalars(select(Theme))}
        ids = []
        for n in range(sheets):
            demo = bases[n % len(bases)]
            commune_id = None if demo.sitiv else commune.id
            sheet = AnswerSheet(commune_id=commune_id, theme_id=themes[demo.theme], owner=demo.owner,
                                review_on=clock.local_day(now) + timedelta(days=rng.randrange(-30, 365)))  # fmt: skip
            s.add(sheet)
            s.flush()
            current = None
            for number in range(1, rng.choice((1, 1, 2, 3)) + 1):
                content = _variant(rng, demo.content, words, n)
                current = AnswerSheetVersion(
                    sheet_id=sheet.id, commune_id=commune_id, number=number, status=SheetStatus.PUBLISHED,
                    title=content.title, question=content.question, answer=content.answer,
                    documents="\n".join(content.documents), in_charge=content.in_charge,
                    where_when=content.where_when, fees=content.fees, links="\n".join(content.links),
                    keywords=content.keywords, published_at=now, published_by="Bench",
                    search_text=sheet_search_text(content),
                )  # fmt: skip
                s.add(current)
            if rng.random() < 0.1:
                content = _variant(rng, demo.content, words, n)
                s.add(AnswerSheetVersion(sheet_id=sheet.id, commune_id=commune_id, status=SheetStatus.DRAFT,
                                         title=content.title, answer=content.answer,
                                         search_text=sheet_search_text(content)))  # fmt: skip
            s.flush()
            sheet.current_version_id = current.id
            ids.append((sheet.id, sheet.theme_id))
        agent = s.scalars(select(Agent).where(Agent.login == "mdurand")).one()
        for i in range(contacts):
            sheet_id, theme_id = rng.choice(ids)
            s.add(Contact(
                channel=Channel.PHONE, started_at=now - timedelta(minutes=rng.randrange(30 * 24 * 60)),
                site_id=agent.site_id, agent_id=agent.id, theme_id=theme_id, outcome=Outcome.ANSWERED,
                sheet_id=sheet_id if i % 3 == 0 else None,
            ))  # fmt: skip
    db.close()


def _time(call, rounds: int, warmup: int) -> tuple[dict[str, float], object]:  # noqa: ANN001
    for _ in range(warmup):
        result = call()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - started) * 1000)
    return _percentiles(samples), result


def bench(args: argparse.Namespace) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="guichet-bench-kb-"))
    path = folder / "knowledge.sqlite3"
    started = time.perf_counter()
    build(path, args.sheets, args.contacts, args.seed)
    build_s = time.perf_counter() - started
    db = Database.open(path)
    kb = Services.on(db).knowledge
    with db.read() as s:
        site = s.scalars(select(Site).where(Site.code == "HDV")).one()
        supervisor = s.scalars(select(Agent).where(Agent.login == "sperrin")).one().id
        theme = s.scalars(select(Theme).where(Theme.code == "etat_civil.titres")).one().id
        parent = s.scalars(select(Theme).where(Theme.code == "etat_civil")).one().id
        versions = s.query(AnswerSheetVersion).count()
    results, found = {}, {}
    for name, query in SEARCHES.items():
        results[name], hits = _time(
            lambda q=query: kb.search(query=q, commune_id=site.commune_id), args.rounds, args.warmup
        )
        found[name] = len(hits)
    for name, call in (
        ("fiches d'un thème (« Rendez-vous passeport / carte d'identité »)",
         lambda: kb.for_theme(theme_id=theme, commune_id=site.commune_id)),
        ("fiches d'un thème parent (« État civil »)", lambda: kb.for_theme(theme_id=parent, commune_id=site.commune_id)),
    ):  # fmt: skip
        results[name], hits = _time(call, args.rounds, args.warmup)
        found[name] = len(hits)
    name = "liste « Fiches » des superviseurs, utilisations sur 30 j"
    results[name], listing = _time(lambda: kb.sheets(agent_id=supervisor), max(5, args.rounds // 20), 2)
    found[name] = len(listing.rows)
    db.close()
    return {"build_s": build_s, "versions": versions, "latency_ms": results, "found": found}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sheets", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    out = bench(args)
    print(
        f"{args.sheets} fiches, {out['versions']} versions, {args.contacts} contacts — built in {out['build_s']:.1f} s"
    )
    print(f"{'ms':<66} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7} {'found':>6}")
    for name, r in out["latency_ms"].items():
        print(f"{name:<66} {r['n']:>4} {r['p50']:>7.2f} {r['p95']:>7.2f} {r['max']:>7.2f} {out['found'][name]:>6}")
    searches = [r for name, r in out["latency_ms"].items() if name in SEARCHES]
    ok = all(r["p95"] < TARGET_MS for r in searches)
    print(f"search p95 < {TARGET_MS} ms: {'yes' if ok else 'NO'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"args": vars(args), "python": platform.python_version(), "machine": platform.machine(), **out,
             "targets_ms": {"search p95": TARGET_MS}},
            indent=2, ensure_ascii=False,
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
