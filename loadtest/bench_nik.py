"""Benchmark POST /api/v1/nik against bare baselines measured in the same run.

    .venv/bin/python loadtest/bench_nik.py [--seconds 8] [--rounds 2] [--connections 64]

Four variants under identical granian settings (1 worker, uvloop), each driven by wrk over
loopback with the same request bodies:
  constant  bare Litestar handler: decode the body, return a constant         (ceiling for hits)
  hits      the service, every NIK already in the in-process cache
  bare-pk   bare handler: decode, HMAC, one asyncpg primary-key lookup        (ceiling for misses)
  misses    the service with empty caches, every request a NIK not asked before
Ratios (hits/constant, misses/bare-pk) are what to compare across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import urllib.request
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest.harness import (
    BENCH_DIR,
    Server,
    WrkResult,
    bench_servers,
    demo_dataset,
    demo_niks,
    granian,
    imported_database,
    service_env,
    wrk,
)

NIK_KEY = "bench-key-" + "b" * 32
DATABASE = "dpt_bench"


async def prepare_database(admin_url: str, demo: Path) -> tuple[str, int]:
    url, summary = await imported_database(admin_url, DATABASE, demo, NIK_KEY, "Bench")
    return url, summary.dataset_id


def write_bodies(path: Path, niks: list[str]) -> Path:
    path.write_text("".join(json.dumps({"nik": nik}) + "\n" for nik in niks))
    return path


def store_lookups(url: str) -> int:
    text = urllib.request.urlopen(f"{url}/metrics", timeout=5).read().decode()  # noqa: S310 - loopback only
    match = re.search(r'dpt_cache_lookups_total\{worker="\d+",tier="store"\} (\d+)', text)
    return int(match.group(1)) if match else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()

    demo = demo_dataset()
    niks = demo_niks()
    hits = write_bodies(BENCH_DIR / "hits.jsonl", niks[:2000])
    warm = write_bodies(BENCH_DIR / "warm.jsonl", niks[2000:6000])
    rest = niks[6000:]
    per_round = len(rest) // args.rounds

    def measure(server: Server, bodies: Path, *, warmup: bool = False) -> WrkResult:
        duration = args.warmup if warmup else args.seconds
        return wrk(server.url, bodies, seconds=duration, connections=args.connections)

    results: dict[str, list[WrkResult]] = {"constant": [], "hits": [], "bare-pk": [], "misses": []}
    miss_ratio: list[float] = []
    with bench_servers() as (admin_url, redis_url):
        database_url, dataset_id = asyncio.run(prepare_database(admin_url, demo))
        env = service_env(database_url, redis_url, NIK_KEY, dataset_id)
        redis_client = redis.Redis.from_url(redis_url)
        for round_number in range(args.rounds):
            misses = write_bodies(
                BENCH_DIR / "misses.jsonl", rest[round_number * per_round : (round_number + 1) * per_round]
            )
            with granian("loadtest.baselines:constant_app", env) as server:
                measure(server, hits, warmup=True)
                results["constant"].append(measure(server, hits))
            with granian("service.app:app_from_env", env) as server:
                measure(server, hits, warmup=True)
                results["hits"].append(measure(server, hits))
            with granian("loadtest.baselines:lookup_app", env) as server:
                measure(server, warm, warmup=True)
                results["bare-pk"].append(measure(server, misses))
            redis_client.flushdb()
            with granian("service.app:app_from_env", env) as server:
                measure(server, warm, warmup=True)
                before = store_lookups(server.url)
                result = measure(server, misses)
                results["misses"].append(result)
                miss_ratio.append((store_lookups(server.url) - before) / max(result.requests, 1))
            print(
                f"round {round_number + 1}: "
                + ", ".join(f"{name} {runs[-1].rps:,.0f}/s" for name, runs in results.items()),
                file=sys.stderr,
            )
        redis_client.flushdb()

    def median(name: str, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in results[name])

    print(
        f"\nPOST /api/v1/nik, {args.rounds} round(s) of {args.seconds:.0f} s, "
        f"{args.connections} connections, 1 granian worker (medians)\n"
    )
    print("| variant | req/s | p50 ms | p90 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, runs in results.items():
        print(
            f"| {name} | {median(name, 'rps'):,.0f} | {median(name, 'p50_ms'):.2f} | "
            f"{median(name, 'p90_ms'):.2f} | {median(name, 'p99_ms'):.2f} | "
            f"{sum(run.errors for run in runs)} |"
        )
    print(f"\nhits / constant  = {median('hits', 'rps') / median('constant', 'rps'):.2f}  (target >= 0.70)")
    print(f"misses / bare-pk = {median('misses', 'rps') / median('bare-pk', 'rps'):.2f}  (target >= 0.90)")
    print(f"share of 'misses' requests answered by PostgreSQL: {statistics.median(miss_ratio):.3f}")


if __name__ == "__main__":
    main()
