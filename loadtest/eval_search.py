"""Name search quality on a city-sized DPT, beside two baselines run on the same queries.

    .venv/bin/python loadtest/eval_search.py [--voters 120000] [--queries 2000] [--absent N] [--seed 1]

Synthesizes Kota Metro (18.72; cached under data/bench/eval-<voters>/), imports it into a fresh
database `dpt_bench_eval`, and builds labelled queries with tests/name_eval.py: `--queries`
present and `--absent` (default a quarter of that) not-registered look-alikes per mode. Modes:
  kelurahan  help desk inside the kelurahan closest to 5,000 voters (limit 20)
  kabkota    help desk across the whole kab/kota, no birth date (limit 20)
  public     the public, with a birth date, masked answers (limit 5)
Methods: the service's NameSearch; pg_trgm (GiST, `order by name <-> query limit 5`) and
rapidfuzz WRatio over the stored names, both in the help-desk modes only (neither knows birth
dates). recall@1 counts a right first answer only when flagged confident; the baselines have no
confidence, so theirs is plain rank-1 accuracy. Prints markdown tables and failure examples.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest.harness import BENCH_DIR, bench_servers, imported_database
from service.names.normalise import fold_name
from service.search.engine import NameSearch
from service.store import Store
from service.synth import write_synthetic_dpt
from tests.support.name_eval import (
    HELP_DESK_MODES,
    MODES,
    DptRow,
    QueryGenerator,
    QuerySet,
    Report,
    failure_examples,
    kind_table,
    matcher_searcher,
    prepare_trgm,
    rapidfuzz_searcher,
    read_dpt,
    run_queries,
    score,
    summary_table,
    trgm_searcher,
    voter_ids_by_row,
)

NIK_KEY = "bench-key-" + "b" * 32
DATABASE = "dpt_bench_eval"
KABKOTA = "18.72"
SYNTH_SEED = 2024  # the demo's seed: the evaluated DPT is the one `make demo` serves
HELP_DESK_KELURAHAN_SIZE = 5_000


def synthetic_dpt(voters: int) -> Path:
    folder = BENCH_DIR / f"eval-{voters}"
    if not (folder / "dpt.csv").exists():
        print(f"synthesizing {voters:,} voters into {folder}", file=sys.stderr)
        write_synthetic_dpt(folder, kabkota=KABKOTA, voters=voters, seed=SYNTH_SEED)
    return folder


def help_desk_kelurahan(rows: list[DptRow]) -> str:
    sizes = Counter(row.kelurahan for row in rows)
    return min(sizes, key=lambda code: (abs(sizes[code] - HELP_DESK_KELURAHAN_SIZE), code))


async def evaluate(admin_url: str, args: argparse.Namespace) -> None:
    folder = synthetic_dpt(args.voters)
    url, summary = await imported_database(admin_url, DATABASE, folder, NIK_KEY, "Eval")
    conn = await asyncpg.connect(url)
    try:
        trgm_missing = await prepare_trgm(conn, summary.dataset_id)
    finally:
        await conn.close()
    pool = await asyncpg.create_pool(url, min_size=2, max_size=4, server_settings={"jit": "off"})
    try:
        ids = await voter_ids_by_row(pool, summary.dataset_id)
        rows = [row for row in read_dpt(folder / "dpt.csv") if row.source_row in ids]
        kelurahan = help_desk_kelurahan(rows)
        generator = QueryGenerator(rows, fold=fold_name)
        absent = args.absent if args.absent is not None else max(1, args.queries // 4)
        methods = [
            (
                "matcher",
                matcher_searcher(NameSearch(Store(pool, timeout=30.0)), summary.dataset_id, ids),
                True,
            )
        ]
        baselines = [("rapidfuzz WRatio", rapidfuzz_searcher(rows), False)]
        if args.no_baselines:
            baselines = []
        elif trgm_missing:
            print(f"pg_trgm baseline skipped: {trgm_missing}", file=sys.stderr)
        else:
            baselines.insert(0, ("pg_trgm", trgm_searcher(pool), False))

        reports: list[Report] = []
        for mode in MODES:
            query_set: QuerySet = generator.build(
                present=args.queries,
                absent=absent,
                scope=mode.scope,
                seed=args.seed,
                within=kelurahan if mode.name == "kelurahan" else None,
            )
            for method, searcher, has_confidence in methods + (baselines if mode in HELP_DESK_MODES else []):
                print(f"{mode.name}: {method} ...", file=sys.stderr)
                outcomes = await run_queries(searcher, mode, query_set.queries, kabkota=KABKOTA)
                reports.append(score(mode, method, query_set, outcomes, has_confidence=has_confidence))
    finally:
        await pool.close()

    size = sum(1 for row in rows if row.kelurahan == kelurahan)
    print(
        f"\n## Name search, {len(rows):,} synthetic voters of Kota Metro (synth seed {SYNTH_SEED}), "
        f"query seed {args.seed}\n\nHelp-desk kelurahan: {kelurahan} ({size:,} voters). Left out: "
        "sampled targets whose folded name someone else in the scope shares.\n"
    )
    print(summary_table(reports))
    if trgm_missing:
        print(f"\npg_trgm baseline skipped: {trgm_missing}")
    matcher = [report for report in reports if report.method == "matcher"]
    print("\n### Matcher, recall@1 / recall@5 by query kind (false-confident for absent)\n")
    print(kind_table(matcher))
    names_by_row = {row.source_row: row.name for row in rows}
    for report in matcher:
        if report.misses():
            print(f"\n### Matcher misses, {report.mode.label} ({len(report.misses())} in all)\n")
            print(failure_examples(report, names_by_row, limit=args.examples))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--voters", type=int, default=120_000)
    parser.add_argument("--queries", type=int, default=2_000, help="present queries per mode")
    parser.add_argument("--absent", type=int, default=None, help="absent queries per mode")
    parser.add_argument("--seed", type=int, default=1, help="query seed")
    parser.add_argument("--examples", type=int, default=10, help="failure examples per mode")
    parser.add_argument("--no-baselines", action="store_true", help="the matcher only (faster)")
    args = parser.parse_args()
    with bench_servers() as (admin_url, _redis_url):
        asyncio.run(evaluate(admin_url, args))


if __name__ == "__main__":
    main()
