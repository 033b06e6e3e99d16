"""Benchmark `dpt import` end to end (validate, hash, COPY, index, publish) for 120k and 1M voters.

    .venv/bin/python loadtest/bench_import.py [--sizes 120000,1000000] [--runs 3]

Beside each import, in the same run, a bare baseline: PostgreSQL's own `COPY ... CSV HEADER` of
the same file into an unindexed table of text columns (no validation, no hashing, no index).
Peak memory (max RSS) of the import process shows whether it grows with the file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest.harness import BENCH_DIR, bench_servers, fresh_database
from service.importer import VOTER_COLUMNS
from service.synth import write_synthetic_dpt

DATABASE = "dpt_bench_import"
NIK_KEY = "bench-key-" + "b" * 32


async def bare_copy(url: str, voters: Path) -> float:
    conn = await asyncpg.connect(url)
    try:
        columns = ", ".join(f"{name} text" for name in VOTER_COLUMNS)
        await conn.execute(f"create table bare_copy ({columns})")
        started = time.perf_counter()
        await conn.copy_to_table("bare_copy", source=voters, format="csv", header=True)
        return time.perf_counter() - started
    finally:
        await conn.close()


def timed_import(url: str, folder: Path) -> tuple[float, float, int]:
    """Wall seconds of the process, seconds it reports itself (after start-up), peak RSS (KiB)."""
    command = [
        str(Path(sys.executable).with_name("dpt")), "import", "--voters", str(folder / "dpt.csv"),
        "--tps", str(folder / "tps.csv"), "--election", "Bench",
    ]  # fmt: skip
    env = {**os.environ, "DPT_DATABASE_URL": url, "DPT_NIK_KEY": NIK_KEY}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"dpt import failed with status {status}")
    reported = re.search(r"^time\s*:\s*([0-9.]+) s", output, re.MULTILINE)
    return seconds, float(reported.group(1)) if reported else seconds, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="120000,1000000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with bench_servers() as (admin_url, _redis_url):
        for size in (int(text) for text in args.sizes.split(",")):
            folder = BENCH_DIR / f"synth-{size}"
            if not (folder / "dpt.csv").exists():
                print(f"generating {size:,} voters ...", file=sys.stderr)
                write_synthetic_dpt(folder, voters=size)
            imports, inside, bares, peaks = [], [], [], []
            for run in range(args.runs):
                url = asyncio.run(fresh_database(admin_url, DATABASE))
                bares.append(asyncio.run(bare_copy(url, folder / "dpt.csv")))
                seconds, reported, peak = timed_import(url, folder)
                imports.append(seconds)
                inside.append(reported)
                peaks.append(peak)
                print(
                    f"{size:,} run {run + 1}: import {seconds:.2f} s, bare COPY {bares[-1]:.2f} s",
                    file=sys.stderr,
                )
            rows.append(
                (
                    size,
                    statistics.median(imports),
                    statistics.median(inside),
                    statistics.median(bares),
                    max(peaks),
                )
            )
    print(
        "\n| voters | process s | rows/s | import s | rows/s | bare COPY s | bare rows/s | process/bare"
        " | peak RSS MiB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, seconds, reported, bare, peak in rows:
        print(
            f"| {size:,} | {seconds:.2f} | {size / seconds:,.0f} | {reported:.2f} | {size / reported:,.0f} | "
            f"{bare:.2f} | {size / bare:,.0f} | {bare / seconds:.2f} | {peak / 1024:.0f} |"
        )
    print(
        "\nprocess = the whole `dpt import` process (interpreter start-up and imports included);"
        " import = the time it reports itself, from reading the files to publishing."
    )


if __name__ == "__main__":
    main()
