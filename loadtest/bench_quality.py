"""`dpt quality` on a stored version against a bare baseline measured in the same run: streaming
the same blocks of voters, in the same order, through the same cursor and doing nothing with them.

    .venv/bin/python loadtest/bench_quality.py --database-url postgresql://…/db --version m1

Prints wall and CPU seconds of both, their ratio, and this process's peak memory. (Load the
version first: `dpt synth --voters 1000000` and `dpt import … --force`.)
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

import asyncpg

from service.quality.report import write_report
from service.store.queries import QUERIES


async def _baseline(conn: asyncpg.Connection, dataset_id: int) -> int:
    query = QUERIES["quality-birth-blocks"]
    rows = 0
    async with conn.transaction(readonly=True):
        arguments = query.arguments({"dataset_id": dataset_id})
        async for record in conn.cursor(query.sql, *arguments, prefetch=200):
            rows += len(record["lines"])
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--version", required=True)
    args = parser.parse_args()
    conn = await asyncpg.connect(args.database_url)
    try:
        dataset_id = await conn.fetchval("select id from dataset where version = $1", args.version)
        wall, cpu = time.perf_counter(), time.process_time()
        rows = await _baseline(conn, dataset_id)
        base_wall, base_cpu = time.perf_counter() - wall, time.process_time() - cpu
        with tempfile.TemporaryDirectory() as folder:
            wall, cpu = time.perf_counter(), time.process_time()
            report = await write_report(conn, version=args.version, folder=Path(folder), tps_max_voters=600)
            full_wall, full_cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await conn.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"voters {rows:,}; findings {report.counts}")
    print(f"baseline (stream only): {base_wall:.1f} s wall, {base_cpu:.1f} s CPU")
    print(f"dpt quality           : {full_wall:.1f} s wall, {full_cpu:.1f} s CPU")
    print(f"ratio (wall)          : {full_wall / base_wall:.2f}; peak memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
