"""Which granian settings serve NIK lookups best on this machine: event loop and worker count.

    .venv/bin/python loadtest/bench_serve.py [--seconds 6] [--rounds 2]

Cache-hit lookups (the polling-day common case) driven by wrk over loopback, for each setting,
beside the bare constant handler under the same setting. `dpt serve` uses the winner.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest.bench_nik import NIK_KEY, prepare_database, write_bodies
from loadtest.harness import BENCH_DIR, bench_servers, demo_dataset, demo_niks, granian, service_env, wrk

SETTINGS = (("asyncio", 1), ("uvloop", 1), ("asyncio", 2), ("uvloop", 2))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=128)
    args = parser.parse_args()
    hits = write_bodies(BENCH_DIR / "serve-hits.jsonl", demo_niks()[:2000])
    rows = []
    with bench_servers() as (admin_url, redis_url):
        database_url, dataset_id = asyncio.run(prepare_database(admin_url, demo_dataset()))
        env = service_env(database_url, redis_url, NIK_KEY, dataset_id)
        for loop, workers in SETTINGS:
            service, constant = [], []
            for _ in range(args.rounds):
                with granian("loadtest.baselines:constant_app", env, workers, loop) as server:
                    constant.append(wrk(server.url, hits, seconds=args.seconds, connections=args.connections))
                with granian("service.app:app_from_env", env, workers, loop) as server:
                    wrk(server.url, hits, seconds=2, connections=args.connections)  # fill the caches
                    service.append(wrk(server.url, hits, seconds=args.seconds, connections=args.connections))
            rps = statistics.median(r.rps for r in service)
            base = statistics.median(r.rps for r in constant)
            p99 = statistics.median(r.p99_ms for r in service)
            rows.append((loop, workers, rps, p99, base))
            print(
                f"{loop} x{workers}: hits {rps:,.0f}/s p99 {p99:.1f} ms, constant {base:,.0f}/s",
                file=sys.stderr,
            )
    print(f"\ncache-hit NIK lookups, {args.connections} connections, medians of {args.rounds} rounds\n")
    print("| loop | workers | hits req/s | hits p99 ms | constant req/s | hits/constant |")
    print("|---|---:|---:|---:|---:|---:|")
    for loop, workers, rps, p99, base in rows:
        print(f"| {loop} | {workers} | {rps:,.0f} | {p99:.1f} | {base:,.0f} | {rps / base:.2f} |")


if __name__ == "__main__":
    main()
