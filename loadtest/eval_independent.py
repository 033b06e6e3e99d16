"""Name search on a set it was not tuned on, beside pg_trgm and WRatio on the same queries.

    .venv/bin/python loadtest/eval_independent.py [--voters 120000] [--queries 1500] [--absent 300]
        [--split held_out|calibration|both] [--no-baselines] [--wratio-modes kelurahan,kabkota]

Writes a Kota Metro DPT with synth's places and Faker id_ID names (tests/support/independent_names.py;
cached under data/bench/independent-<voters>/), imports it into `dpt_bench_independent`, and runs
`--queries` present queries (one to three variations each) and `--absent` one-letter look-alikes
per mode: help desk in the kelurahan closest to 5,500 voters, help desk across the kab/kota, and
the public with a birth date. The thresholds were calibrated on the `calibration` split; the
figures to quote are the `held_out` split's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest.harness import BENCH_DIR, bench_servers, imported_database
from tests.support.independent_eval import kinds_table, run_independent
from tests.support.independent_names import Split, write_independent_dpt
from tests.support.name_eval import failure_examples, summary_table

NIK_KEY = "bench-key-" + "i" * 32
DATABASE = "dpt_bench_independent"
NAME_SEED = 7


async def evaluate(admin_url: str, args: argparse.Namespace) -> None:
    folder = write_independent_dpt(
        BENCH_DIR / f"independent-{args.voters}", voters=args.voters, seed=NAME_SEED
    )
    url, summary = await imported_database(admin_url, DATABASE, folder, NIK_KEY, "Independent")
    splits: tuple[Split, ...] = ("calibration", "held_out") if args.split == "both" else (args.split,)
    run = await run_independent(
        url,
        summary.dataset_id,
        folder,
        present=args.queries,
        absent=args.absent,
        splits=splits,
        baselines=not args.no_baselines,
        seed=args.seed,
        wratio_modes=args.wratio_modes.split(","),
    )
    size = sum(1 for row in run.rows if row.kelurahan == run.kelurahan)
    names = {row.source_row: row.name for row in run.rows}
    for split, reports in run.reports.items():
        print(
            f"\n## Independent set, {split} split: {len(run.rows):,} voters of Kota Metro (Faker id_ID "
            f"names, seed {NAME_SEED}), query seed {args.seed}; kelurahan {run.kelurahan} ({size:,} voters)\n"
        )
        print(summary_table(reports))
        print("\n### recall@1 / recall@5 by kind of variation (a query counts under each kind it carries)\n")
        print(kinds_table(reports))
        for report in reports:
            if report.method == "matcher" and report.misses():
                print(f"\n### Matcher misses, {split}, {report.mode.label} ({len(report.misses())} in all)\n")
                print(failure_examples(report, names, limit=args.examples))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--voters", type=int, default=120_000)
    parser.add_argument("--queries", type=int, default=1_500, help="present queries per mode")
    parser.add_argument("--absent", type=int, default=300, help="absent look-alikes per mode")
    parser.add_argument("--split", choices=("held_out", "calibration", "both"), default="held_out")
    parser.add_argument("--seed", type=int, default=1, help="query seed")
    parser.add_argument("--examples", type=int, default=12, help="failure examples per mode")
    parser.add_argument("--no-baselines", action="store_true", help="the matcher only (faster)")
    parser.add_argument(
        "--wratio-modes", default="kelurahan,kabkota", help="modes for the WRatio baseline (slow city-wide)"
    )
    args = parser.parse_args()
    with bench_servers() as (admin_url, _redis_url):
        asyncio.run(evaluate(admin_url, args))


if __name__ == "__main__":
    main()
