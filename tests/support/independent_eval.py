"""Runs the independent name-search set (tests/support/independent_names.py) through the matcher
and the pg_trgm and WRatio baselines, and tabulates recall by mode and by kind of variation.

Shared by loadtest/eval_independent.py (120,000 voters) and tests/servers/test_search_independent.py
(the small version `make test` runs).
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from service.search.engine import NameSearch
from service.store import Store
from tests.support.independent_names import KINDS, IndependentQueries, Split
from tests.support.name_eval import (
    ABSENT,
    HELP_DESK_MODES,
    MODES,
    DptRow,
    Mode,
    Query,
    RankedHit,
    Report,
    Searcher,
    Tally,
    matcher_searcher,
    prepare_trgm,
    rapidfuzz_searcher,
    read_dpt,
    run_queries,
    score,
    trgm_searcher,
    voter_ids_by_row,
)

KABKOTA = "18.72"
HELP_DESK_KELURAHAN_SIZE = 5_500

# Public mode for pg_trgm: the same nearest-first trigram search among those born that day.
_TRGM_BORN_SQL = """
    select source_row, name, 1 - (name <-> $1) as similarity
    from voter
    where dataset_id = $4 and birth_date = $3 and kelurahan_code like $2
    order by name <-> $1
    limit 5
"""


def trgm_born_searcher(pool: asyncpg.Pool, dataset_id: int) -> Searcher:
    async def run(query: Query, region: str, mode: Mode) -> list[RankedHit]:
        pattern = region if region.count(".") == 3 else f"{region}.%"
        records = await pool.fetch(_TRGM_BORN_SQL, query.text, pattern, query.birth_date, dataset_id)
        return [RankedHit(r["source_row"], r["name"], float(r["similarity"]), None) for r in records]

    return run


def help_desk_kelurahan(rows: Sequence[DptRow]) -> str:
    sizes = Counter(row.kelurahan for row in rows)
    return min(sizes, key=lambda code: (abs(sizes[code] - HELP_DESK_KELURAHAN_SIZE), code))


@dataclass
class IndependentRun:
    rows: list[DptRow]
    kelurahan: str
    reports: dict[Split, list[Report]] = field(default_factory=dict)

    def report(self, split: Split, mode: str, method: str = "matcher") -> Report:
        return next(r for r in self.reports[split] if r.mode.name == mode and r.method == method)


async def run_independent(
    url: str,
    dataset_id: int,
    folder: Path,
    *,
    present: int,
    absent: int,
    splits: Sequence[Split] = ("calibration", "held_out"),
    baselines: bool = True,
    seed: int = 1,
    wratio_modes: Sequence[str] = ("kelurahan", "kabkota"),
) -> IndependentRun:
    pool = await asyncpg.create_pool(url, min_size=2, max_size=4, server_settings={"jit": "off"})
    try:
        ids = await voter_ids_by_row(pool, dataset_id)
        rows = [row for row in read_dpt(folder / "dpt.csv") if row.source_row in ids]
        kelurahan = help_desk_kelurahan(rows)
        result = IndependentRun(rows, kelurahan)
        generator = IndependentQueries(rows)
        matcher = matcher_searcher(NameSearch(Store(pool, timeout=30.0)), dataset_id, ids)
        methods: list[tuple[str, Searcher, Searcher | None, bool]] = [("matcher", matcher, matcher, True)]
        if baselines:
            async with pool.acquire() as conn:
                missing = await prepare_trgm(conn, dataset_id)
            if missing:
                print(f"pg_trgm baseline skipped: {missing}", file=sys.stderr)
            else:
                methods.append(("pg_trgm", trgm_searcher(pool), trgm_born_searcher(pool, dataset_id), False))
            methods.append(("rapidfuzz WRatio", rapidfuzz_searcher(rows), None, False))
        for split in splits:
            result.reports[split] = []
            for mode in MODES:
                query_set = generator.build(
                    split=split,
                    present=present,
                    absent=absent,
                    scope=mode.scope,
                    seed=seed,
                    within=kelurahan if mode.name == "kelurahan" else None,
                )
                for method, help_desk, public, has_confidence in methods:
                    searcher = help_desk if mode in HELP_DESK_MODES else public
                    if searcher is None or (method == "rapidfuzz WRatio" and mode.name not in wratio_modes):
                        continue
                    print(f"{split} {mode.name}: {method} ...", file=sys.stderr)
                    outcomes = await run_queries(searcher, mode, query_set.queries, kabkota=KABKOTA)
                    result.reports[split].append(
                        score(mode, method, query_set, outcomes, has_confidence=has_confidence)
                    )
    finally:
        await pool.close()
    return result


def by_kind(report: Report) -> dict[str, Tally]:
    """A query counts under every kind of variation it carries (and `N variations` by count)."""
    tallies: dict[str, Tally] = {}
    for outcome in report.outcomes:
        kinds = outcome.query.kind.split("+")
        labels = [*kinds, f"{len(kinds)} variation{'s' if len(kinds) > 1 else ''}"]
        if outcome.query.kind == ABSENT:
            labels = [ABSENT]
        for label in labels:
            tallies.setdefault(label, Tally()).add(outcome, has_confidence=report.has_confidence)
    return tallies


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def kinds_table(reports: Sequence[Report]) -> str:
    """recall@1 / recall@5 per kind of variation, one column per report (false-confident for absent)."""
    header = "| kind | " + " | ".join(f"{r.mode.name} {r.method}" for r in reports) + " |"
    lines = [header, "|---|" + "---:|" * len(reports)]
    tallies = [by_kind(report) for report in reports]
    labels = [*KINDS, "1 variation", "2 variations", "3 variations", ABSENT]
    for label in labels:
        cells = []
        for report, found in zip(reports, tallies, strict=True):
            tally = found.get(label)
            if tally is None:
                cells.append("–")
            elif label == ABSENT:
                fc = _rate(tally.false_confident_rate) if report.has_confidence else "n/a"
                cells.append(f"FC {fc} (n={tally.absent})")
            else:
                cells.append(f"{_rate(tally.recall_at_1)} / {_rate(tally.recall_at_5)} (n={tally.present})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
