"""Name search quality against issue 3's targets, on a synthetic Kota Metro DPT.

Builds labelled queries with tests/support/name_eval.py and runs them through `NameSearch` in the three
modes; `pytest -s` prints the metrics table and, for a missed target, examples of what went wrong.
The pg_trgm and rapidfuzz baselines run only in loadtest/eval_search.py (the embedded PostgreSQL
has no pg_trgm).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from service.importer import import_dataset
from service.names.normalise import fold_name
from service.nik.parse import NikHasher
from service.search.engine import NameSearch
from service.store import Store
from service.synth import write_synthetic_dpt
from tests.conftest import database_from_template
from tests.support.name_eval import (
    MODES,
    QueryGenerator,
    QuerySet,
    Report,
    failure_examples,
    kind_table,
    matcher_searcher,
    read_dpt,
    run_queries,
    score,
    summary_table,
    voter_ids_by_row,
)

KABKOTA = "18.72"
VOTERS = 8_000
# 400 present queries let a 0.995 target tolerate 2 misses; with 200 it would be all-or-nothing.
PRESENT = 400
ABSENT = 100
SEED = 1
# mode -> (recall@1, recall@5, false-confident at most); None: the issue sets no target.
TARGETS: dict[str, tuple[float, float | None, float]] = {
    "kelurahan": (0.98, 0.995, 0.01),
    "kabkota": (0.96, 0.99, 0.01),
    "public": (0.995, None, 0.01),
}


@dataclass
class Evaluation:
    reports: dict[str, Report]
    names_by_row: dict[int, str]
    generator: QueryGenerator


@pytest.fixture(scope="module")
async def evaluation(
    server_urls: tuple[str, str], template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Evaluation]:
    """One imported DPT and one run of every mode, shared by the tests below."""
    async with database_from_template(server_urls[0], template_database, prefix="dpt_eval") as url:
        yield await _evaluate(url, tmp_path_factory.mktemp("eval"))


async def _evaluate(url: str, folder: Path) -> Evaluation:
    write_synthetic_dpt(folder, kabkota=KABKOTA, voters=VOTERS, seed=SEED)
    conn = await asyncpg.connect(url)
    try:
        summary = await import_dataset(
            conn,
            voters_path=folder / "dpt.csv",
            tps_path=folder / "tps.csv",
            hasher=NikHasher("eval-key-" + "e" * 24),
            version="eval",
        )
        ids = await voter_ids_by_row(conn, summary.dataset_id)
    finally:
        await conn.close()
    rows = [row for row in read_dpt(folder / "dpt.csv") if row.source_row in ids]
    generator = QueryGenerator(rows, fold=fold_name)
    reports: dict[str, Report] = {}
    async with asyncpg.create_pool(url, min_size=2, max_size=4) as pool:
        searcher = matcher_searcher(NameSearch(Store(pool, timeout=30.0)), summary.dataset_id, ids)
        for mode in MODES:
            query_set = generator.build(present=PRESENT, absent=ABSENT, scope=mode.scope, seed=SEED)
            outcomes = await run_queries(searcher, mode, query_set.queries, kabkota=KABKOTA)
            reports[mode.name] = score(mode, "matcher", query_set, outcomes)
    print(f"\n\nName search, {len(rows):,} synthetic voters of Kota Metro, seed {SEED}\n")
    print(summary_table(list(reports.values())))
    print("\nrecall@1 / recall@5 by query kind\n")
    print(kind_table(list(reports.values())))
    return Evaluation(reports, {row.source_row: row.name for row in rows}, generator)


def test_queries_are_labelled_soundly(evaluation: Evaluation) -> None:
    """What the targets are measured on: enough queries, each answerable, absent ones truly absent."""
    report = evaluation.reports["kabkota"]
    query_set: QuerySet = report.query_set
    assert len(query_set.present) == PRESENT
    assert len(query_set.absent) == ABSENT
    folded_names = {fold_name(name) for name in evaluation.names_by_row.values()}
    for query in query_set.absent:
        assert fold_name(query.text) not in folded_names, query
    for query in query_set.present:
        assert evaluation.names_by_row[query.target_row or 0] == query.source_name
    again = evaluation.generator.build(present=PRESENT, absent=ABSENT, scope="kabkota", seed=SEED)
    assert again == query_set, "the same seed must give the same queries"


@pytest.mark.parametrize("mode_name", list(TARGETS))
def test_name_search_meets_targets(evaluation: Evaluation, mode_name: str) -> None:
    report = evaluation.reports[mode_name]
    want_first, want_top5, max_false_confident = TARGETS[mode_name]
    tally = report.overall
    missed = []
    if (tally.recall_at_1 or 0) < want_first:
        missed.append(f"recall@1 {tally.recall_at_1:.3f} < {want_first}")
    if want_top5 is not None and (tally.recall_at_5 or 0) < want_top5:
        missed.append(f"recall@5 {tally.recall_at_5:.3f} < {want_top5}")
    if (tally.false_confident_rate or 0) > max_false_confident:
        missed.append(f"false-confident {tally.false_confident_rate:.3f} > {max_false_confident}")
    if missed:
        print(f"\n{report.mode.label}: " + "; ".join(missed))
        print(failure_examples(report, evaluation.names_by_row, limit=10))
    assert not missed, f"{report.mode.label}: " + "; ".join(missed)
