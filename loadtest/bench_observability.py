"""What the metrics and the access log cost a NIK cache hit, in CPU time, without the network.

    .venv/bin/python loadtest/bench_observability.py [--rounds 3] [--requests 4000]

Drives the whole ASGI app (admission control, the access wrapper, routing, the lookup) in one
process for NIKs already in the in-process cache, and reads `time.process_time()`, which counts
this process's CPU only, so other programs on a noisy machine disturb it less than a request
rate. Each round runs one process with `DPT_ACCESS_LOG=true` and one with `false`, alternately.
The access lines are written to a file, as a container's standard error would be.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest.harness import BENCH_DIR, bench_servers, demo_dataset, demo_niks, imported_database, service_env

NIK_KEY = "bench-key-" + "o" * 32
DATABASE = "dpt_bench_observability"


async def cpu_per_hit(requests: int) -> float:
    """Microseconds of CPU per cache hit, in this process (the settings come from the environment)."""
    from service.app import create_app

    app = create_app()
    bodies = [json.dumps({"nik": nik}).encode() for nik in demo_niks()[:2000]]
    statuses: set[int] = set()
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            statuses.add(int(message["status"]))  # type: ignore[call-overload]

    async def one(body: bytes) -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": "/api/v1/nik", "raw_path": b"/api/v1/nik", "query_string": b"",
                 "root_path": "", "headers": headers, "client": ("127.0.0.1", 5000),
                 "server": ("127.0.0.1", 8000), "state": {}}  # fmt: skip
        pending = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> object:
            if pending:
                return pending.pop()
            await asyncio.sleep(3600)  # nothing more comes; the app never asks
            return None

        await app(scope, receive, send)  # type: ignore[arg-type]

    async with app.lifespan():
        for body in bodies:  # every NIK into the in-process cache
            await one(body)
        started = time.process_time()
        for index in range(requests):
            await one(bodies[index % len(bodies)])
        used = time.process_time() - started
    assert statuses == {200}, statuses
    return used / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(asyncio.run(cpu_per_hit(args.requests)))
        return
    results: dict[str, list[float]] = {"true": [], "false": []}
    with bench_servers() as (admin_url, redis_url):
        url, summary = asyncio.run(imported_database(admin_url, DATABASE, demo_dataset(), NIK_KEY, "Bench"))
        env = {**os.environ, **service_env(url, redis_url, NIK_KEY, summary.dataset_id)}
        for round_number in range(args.rounds):
            for access_log in ("true", "false") if round_number % 2 == 0 else ("false", "true"):
                log = BENCH_DIR / f"observability-access-{access_log}.log"
                with log.open("w") as stderr:
                    done = subprocess.run(
                        [sys.executable, __file__, "--child", "--requests", str(args.requests)],
                        env={**env, "DPT_ACCESS_LOG": access_log},
                        stdout=subprocess.PIPE,
                        stderr=stderr,
                        text=True,
                        check=True,
                    )
                results[access_log].append(float(done.stdout.strip().splitlines()[-1]))
            print(f"round {round_number + 1}: access log on {results['true'][-1]:.1f} µs, "
                  f"off {results['false'][-1]:.1f} µs per hit", file=sys.stderr)  # fmt: skip
    on, off = statistics.median(results["true"]), statistics.median(results["false"])
    print(f"\nCPU per NIK cache hit (median of {args.rounds}): access log on {on:.1f} µs, off {off:.1f} µs")
    print(f"the access log costs {on - off:.1f} µs per request; off/on throughput ratio {on / off:.2f}")


if __name__ == "__main__":
    main()
