"""Benchmark POST /api/v1/nik against bare baselines measured in the same run.

    .venv/bin/python loadtest/bench_nik.py [--seconds 8] [--rounds 2] [--connections 32,64]

Four variants under identical granian settings (1 worker, uvloop), each driven by wrk over
loopback with the same request bodies:
  constant  bare Litestar handler: decode the body, return a constant         (ceiling for hits)
  hits      the service, every NIK already in the in-process cache
  bare-pk   bare handler: decode, HMAC, one asyncpg primary-key lookup        (ceiling for misses)
  misses    the service with empty caches, every request a NIK not asked before
Ratios (hits/constant, misses/bare-pk) are what to compare across machines. With several
connection counts (`--connections 32,64`), each round measures every variant at each count, so
the counts are compared under the same noise.
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
    match = re.search(r'^dpt_cache_lookups_total\{tier="store"\} (\S+)$', text, re.MULTILINE)
    return int(float(match.group(1))) if match else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", default="32,64", help="comma-separated connection counts")
    args = parser.parse_args()

    demo = demo_dataset()
    niks = demo_niks()
    hits = write_bodies(BENCH_DIR / "hits.jsonl", niks[:2000])
    warm = write_bodies(BENCH_DIR / "warm.jsonl", niks[2000:6000])
    rest = niks[6000:]

    counts = [int(text) for text in args.connections.split(",")]
    # Each misses run starts with a fresh worker and an empty Redis, so every NIK not warmed is a
    # miss for it: each run gets all of them, from its own starting point. (A slice per run ran
    # out when the service reached 10k misses/s: the rest were local hits.)
    shift = len(rest) // (args.rounds * len(counts))

    def measure(server: Server, bodies: Path, connections: int, *, warmup: bool = False) -> WrkResult:
        duration = args.warmup if warmup else args.seconds
        return wrk(server.url, bodies, seconds=duration, connections=connections)

    variants = ("constant", "hits", "bare-pk", "misses")
    results: dict[int, dict[str, list[WrkResult]]] = {
        count: {name: [] for name in variants} for count in counts
    }
    miss_ratio: list[float] = []
    with bench_servers() as (admin_url, redis_url):
        database_url, dataset_id = asyncio.run(prepare_database(admin_url, demo))
        env = service_env(database_url, redis_url, NIK_KEY, dataset_id)
        redis_client = redis.Redis.from_url(redis_url)
        slice_number = 0
        for round_number in range(args.rounds):
            for count in counts:
                chosen = rest[slice_number * shift :] + rest[: slice_number * shift]
                slice_number += 1
                misses = write_bodies(BENCH_DIR / "misses.jsonl", chosen)
                runs = results[count]
                with granian("loadtest.baselines:constant_app", env) as server:
                    measure(server, hits, count, warmup=True)
                    runs["constant"].append(measure(server, hits, count))
                with granian("service.app:app_from_env", env) as server:
                    measure(server, hits, count, warmup=True)
                    runs["hits"].append(measure(server, hits, count))
                with granian("loadtest.baselines:lookup_app", env) as server:
                    measure(server, warm, count, warmup=True)
                    runs["bare-pk"].append(measure(server, misses, count))
                redis_client.flushdb()
                with granian("service.app:app_from_env", env) as server:
                    measure(server, warm, count, warmup=True)
                    before = store_lookups(server.url)
                    result = measure(server, misses, count)
                    runs["misses"].append(result)
                    miss_ratio.append((store_lookups(server.url) - before) / max(result.requests, 1))
                print(
                    f"round {round_number + 1}, {count} connections: "
                    + ", ".join(f"{name} {done[-1].rps:,.0f}/s" for name, done in runs.items())
                    + f"; misses/bare-pk {runs['misses'][-1].rps / runs['bare-pk'][-1].rps:.2f}"
                    + f" (PostgreSQL answered {miss_ratio[-1]:.3f} of the misses)",
                    file=sys.stderr,
                )
        redis_client.flushdb()

    for count in counts:
        runs = results[count]

        def median(name: str, attribute: str) -> float:
            return statistics.median(getattr(run, attribute) for run in runs[name])  # noqa: B023

        print(
            f"\nPOST /api/v1/nik, {args.rounds} round(s) of {args.seconds:.0f} s, "
            f"{count} connections, 1 granian worker (medians)\n"
        )
        print("| variant | req/s | p50 ms | p90 ms | p99 ms | errors |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, done in runs.items():
            print(
                f"| {name} | {median(name, 'rps'):,.0f} | {median(name, 'p50_ms'):.2f} | "
                f"{median(name, 'p90_ms'):.2f} | {median(name, 'p99_ms'):.2f} | "
                f"{sum(run.errors for run in done)} |"
            )
        print(
            f"\nhits / constant  = {median('hits', 'rps') / median('constant', 'rps'):.2f}  (target >= 0.80)"
        )
        print(
            f"misses / bare-pk = {median('misses', 'rps') / median('bare-pk', 'rps'):.2f}  (target >= 0.90)"
        )
    print(f"share of 'misses' requests answered by PostgreSQL: {statistics.median(miss_ratio):.3f}")


if __name__ == "__main__":
    main()
