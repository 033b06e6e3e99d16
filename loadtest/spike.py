"""The polling-day spike: an open-loop load test of `dpt serve`, with Redis and PostgreSQL failing.

    .venv/bin/python loadtest/spike.py [--workers 2] [--scale 1.0]

One run, about two minutes on a 2-core machine:

1. Set-up: the Kota Metro demo DPT (120,000 voters) in private embedded PostgreSQL and Redis (so
   the run can kill them), served by `dpt serve` with its production settings. Clients are told
   apart by X-Forwarded-For (the generator stands in for a trusted proxy) and keep the default
   rate limits.
2. Capacity: offered far more than the service can answer; capacity = its goodput (answered
   requests per second) once it is saturated.
3. Spike: steady at half the capacity, a ramp to three times it, a hold, then back down.
4. Redis killed in the middle of a steady run, and started again.
5. PostgreSQL stopped in the middle of a steady run of popular (cached) NIKs.

The generator (loadtest/openloop.py) sends on a schedule and measures latency from the scheduled
time, so a stalled server cannot hide its queue. The mix: repeated checks of popular NIKs (a
skewed distribution), first checks of other NIKs, NIKs not on the DPT, malformed NIKs, public
name searches, and a few clients walking serial numbers (they should get 429).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import csv
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import asyncpg
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loadtest.harness import BENCH_DIR, demo_dataset, free_port
from loadtest.openloop import Phase, Request, Result, format_table, run, summary, timeline
from service.embedded import embedded_postgres, embedded_redis
from service.importer import import_dataset
from service.nik import NikHasher
from service.store.migrate import migrate

NIK_KEY = "spike-key-" + "s" * 32
JSON = (("content-type", "application/json"),)
POPULAR = 5_000  # NIKs that many people check again and again (skewed: rank r weighs 1/r)
ENUMERATORS = 4  # clients walking serial numbers
RESIDENT_ADDRESSES = 200_000
# Share of each kind of request in the mix.
MIX = (
    ("nik-popular", 0.55),
    ("nik-first", 0.20),
    ("nik-absent", 0.10),
    ("nik-malformed", 0.05),
    ("search", 0.05),
    ("nik-enumerator", 0.05),
)
ANSWERED = frozenset({200, 422})  # a NIK lookup's answers: found, not found, or malformed
MALFORMED = ("2222222222222222", "1872", "18720154075300AB", "1872015407530000", "9999015407530001")


class Voter(NamedTuple):
    nik: str
    name: str
    born: str  # YYYY-MM-DD
    kelurahan: str


class Mix:
    """Request `i` of the run: a kind drawn from MIX, and a client address for X-Forwarded-For."""

    def __init__(self, voters: list[Voter], seed: int = 2024):
        self.random = random.Random(seed)
        self.voters = voters
        weights = [1 / rank for rank in range(1, POPULAR + 1)]
        self.popular_cumulative = list(itertools.accumulate(weights))
        self.kinds = [kind for kind, _ in MIX]
        self.kind_cumulative = list(itertools.accumulate(share for _, share in MIX))
        self.first = itertools.cycle(voters[POPULAR:])
        self.walk = itertools.count(1)
        self.only: str | None = None  # restrict to one kind (the PostgreSQL phase)

    def kind(self) -> str:
        if self.only:
            return self.only
        return self.kinds[
            bisect.bisect(self.kind_cumulative, self.random.random() * self.kind_cumulative[-1])
        ]

    def popular(self) -> Voter:
        point = self.random.random() * self.popular_cumulative[-1]
        return self.voters[bisect.bisect(self.popular_cumulative, point)]

    def __call__(self, _index: int) -> Request:
        kind = self.kind()
        address = f"10.{self.random.randrange(4)}.{self.random.randrange(256)}.{self.random.randrange(256)}"
        if kind == "nik-popular":
            body: dict[str, str] = {"nik": self.popular().nik}
        elif kind == "nik-first":
            body = {"nik": next(self.first).nik}
        elif kind == "nik-absent":
            voter = self.random.choice(self.voters)
            body = {"nik": voter.nik[:12] + f"{9000 + self.random.randrange(1000):04d}"}
        elif kind == "nik-malformed":
            body = {"nik": self.random.choice(MALFORMED)}
        elif kind == "nik-enumerator":
            step = next(self.walk)
            address = f"192.0.2.{step % ENUMERATORS + 1}"
            body = {"nik": f"187201540753{(step // ENUMERATORS) % 10_000:04d}"}
        else:
            voter = self.popular()
            name = voter.name
            return Request(
                "POST",
                "/api/v1/search",
                json.dumps({"name": name, "birth_date": voter.born, "region": voter.kelurahan}).encode(),
                (*JSON, ("x-forwarded-for", address)),
                kind,
            )
        return Request(
            "POST", "/api/v1/nik", json.dumps(body).encode(), (*JSON, ("x-forwarded-for", address)), kind
        )


def read_voters(folder: Path) -> list[Voter]:
    with (folder / "dpt.csv").open(encoding="utf-8", newline="") as stream:
        voters = [
            Voter(
                row["nik"],
                row["nama"],
                "-".join(reversed(row["tanggal_lahir"].split("-"))),
                row["kode_kelurahan"],
            )
            for row in csv.DictReader(stream)
        ]
    random.Random(7).shuffle(voters)
    return voters


# -- servers ---------------------------------------------------------------------------------
class Servers:
    """Private embedded PostgreSQL and Redis under one folder, each stoppable and restartable."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.postgres = contextlib.ExitStack()
        self.redis = contextlib.ExitStack()
        self.database_url = self.start_postgres()
        self.redis_url = self.start_redis()

    def start_postgres(self) -> str:
        return self.postgres.enter_context(embedded_postgres(self.folder))

    def start_redis(self) -> str:
        return self.redis.enter_context(embedded_redis(self.folder))

    def close(self) -> None:
        self.redis.close()
        self.postgres.close()


async def load_demo(database_url: str, demo: Path) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(conn)
        if await conn.fetchval("select count(*) from dataset where status = 'published'"):
            return
        await import_dataset(
            conn,
            voters_path=demo / "dpt.csv",
            tps_path=demo / "tps.csv",
            hasher=NikHasher(NIK_KEY),
            election="Spike",
        )
    finally:
        await conn.close()


@contextlib.contextmanager
def dpt_serve(servers: Servers, workers: int) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DPT_DATABASE_URL": servers.database_url,
        "DPT_REDIS_URL": servers.redis_url,
        "DPT_NIK_KEY": NIK_KEY,
        "DPT_TRUSTED_PROXIES": "127.0.0.1/32",
        "DPT_LOG_LEVEL": "WARNING",
    }
    command = [
        str(Path(sys.executable).with_name("dpt")),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{url}/health/ready", timeout=1).status == 200:  # noqa: S310
                    break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


def scrape(url: str, workers: int) -> dict[str, dict[str, float]]:
    """Every worker's counters: scrape /metrics until each worker has answered once."""
    seen: dict[str, dict[str, float]] = {}
    for _ in range(workers * 30):
        with contextlib.suppress(OSError):
            text = urllib.request.urlopen(f"{url}/metrics", timeout=2).read().decode()  # noqa: S310
            for name, labels, value in re.findall(r"^(\w+)\{([^}]*)\} (\S+)$", text, re.MULTILINE):
                worker = re.search(r'worker="(\d+)"', labels)
                if worker:
                    tier = re.search(r'tier="(\w+)"', labels)
                    key = f"{name}:{tier.group(1)}" if tier else name
                    seen.setdefault(worker.group(1), {})[key] = float(value)
        if len(seen) >= workers:
            break
    return seen


def counter_deltas(
    before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]
) -> dict[str, float]:
    totals: dict[str, float] = {}
    for worker, counters in after.items():
        for key, value in counters.items():
            totals[key] = totals.get(key, 0.0) + value - before.get(worker, {}).get(key, 0.0)
    return totals


# -- the run ---------------------------------------------------------------------------------
def is_answered(result: Result) -> bool:
    return result.status in ANSWERED


def is_failure(status: int) -> bool:
    """Anything but an answer, a shed request (503) or a rate-limited one (429)."""
    return status not in ANSWERED and status not in (503, 429)


async def open_loop(url: str, phases: list[Phase], mix: Callable[[int], Request]) -> list[Result]:
    host, port = url.removeprefix("http://").split(":")
    return await run(host, int(port), phases, mix, max_connections=2048, timeout=10.0)


def report(title: str, results: list[Result], phases: list[Phase]) -> str:
    table = summary(results, phases, answered=is_answered, is_error=is_failure)
    columns = ("phase", "offered_rps", "achieved_rps", "goodput_rps", "p50_ms", "p95_ms", "p99_ms",
               "max_ms", "shed", "shed_p99_ms", "rate_limited", "errors")  # fmt: skip
    statuses = Counter(result.status for result in results)
    by_status = ", ".join(f"{status or 'none'}: {count:,}" for status, count in sorted(statuses.items()))
    return f"\n### {title}\n\n" + format_table(table.values(), columns) + f"\n\nBy status: {by_status}."


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every phase's length")
    args = parser.parse_args()
    scale = args.scale

    demo = demo_dataset()
    voters = read_voters(demo)
    servers = Servers(BENCH_DIR / "spike")
    lines: list[str] = []
    try:
        asyncio.run(load_demo(servers.database_url, demo))
        with dpt_serve(servers, args.workers) as url:
            mix = Mix(voters)
            # Warm the popular NIKs, as a morning of checks would.
            warm = [Phase(5 * scale, 1500, 1500, "warm-up")]
            mix.only = "nik-popular"
            uvloop.run(open_loop(url, warm, mix))
            mix.only = None

            # Capacity: the best goodput the service sustains, found by ramping into overload.
            probe = [Phase(12 * scale, 500, 8000, "probe")]
            probe_results = uvloop.run(open_loop(url, probe, mix))
            per_second = sorted(b.answered for b in timeline(probe_results, answered=is_answered))
            capacity = statistics.median(per_second[-3:])
            print(f"capacity: {capacity:,.0f} answered requests/s", file=sys.stderr)
            lines.append(report(f"Capacity probe (capacity = {capacity:,.0f}/s)", probe_results, probe))

            half, triple = capacity / 2, capacity * 3
            spike = [
                Phase(15 * scale, half, half, "steady"),
                Phase(10 * scale, half, triple, "ramp"),
                Phase(15 * scale, triple, triple, "spike"),
                Phase(15 * scale, half, half, "after"),
            ]
            before = scrape(url, args.workers)
            spike_results = uvloop.run(open_loop(url, spike, mix))
            tiers = counter_deltas(before, scrape(url, args.workers))
            lines.append(report("Spike", spike_results, spike))
            lines.append(spike_verdict(spike_results, spike, capacity, tiers))

            chaos = [Phase(15 * scale, half, half, "redis-killed")]

            async def kill_redis() -> list[Result]:
                generator = asyncio.ensure_future(open_loop(url, chaos, mix))
                await asyncio.sleep(4 * scale)
                await asyncio.to_thread(servers.redis.close)
                await asyncio.sleep(6 * scale)
                await asyncio.to_thread(servers.start_redis)
                return await generator

            redis_results = uvloop.run(kill_redis())
            lines.append(report("Redis killed at 4 s, back at 10 s", redis_results, chaos))
            lookups = [r for r in redis_results if r.kind.startswith("nik")]
            failed = sum(1 for r in lookups if is_failure(r.status))
            lines.append(
                f"\nRedis killed: {len(lookups):,} lookups, **{failed} failed** (status not 200/422/429/503)."
            )

            mix.only = "nik-popular"
            stop = [Phase(10 * scale, half, half, "postgres-stopped")]

            async def stop_postgres() -> list[Result]:
                generator = asyncio.ensure_future(open_loop(url, stop, mix))
                await asyncio.sleep(3 * scale)
                await asyncio.to_thread(servers.postgres.close)
                return await generator

            pg_results = uvloop.run(stop_postgres())
            after_stop = [r for r in pg_results if r.scheduled >= 4 * scale]
            ok = sum(1 for r in after_stop if r.status == 200)
            lines.append(report("PostgreSQL stopped at 3 s (popular NIKs only)", pg_results, stop))
            lines.append(
                f"\nPostgreSQL stopped: after it stopped, {ok:,} of {len(after_stop):,} popular-NIK lookups "
                f"answered 200 ({ok / max(1, len(after_stop)):.1%}); the rest: "
                f"{dict(sorted(Counter(r.status for r in after_stop if r.status != 200).items()))}."
            )
    finally:
        servers.close()
    print("\n".join(lines))


def spike_verdict(
    results: list[Result], phases: list[Phase], capacity: float, tiers: dict[str, float]
) -> str:
    table = summary(results, phases, answered=is_answered, is_error=is_failure)
    spike, steady = table["spike"], table["steady"]
    lookups = [r for r in results if r.phase == "spike" and r.kind.startswith("nik") and is_answered(r)]
    lookup_p99 = statistics.quantiles([r.latency_ms for r in lookups], n=100)[98] if lookups else float("nan")
    # Recovery: the first second after the spike whose answered p99 is back within 1.5x the
    # steady phase's p99 (or under 20 ms).
    after_start = sum(p.seconds for p in phases[:3])
    normal = max(20.0, steady.p99_ms * 1.5)
    buckets = [
        b for b in timeline(results, answered=is_answered, is_error=is_failure) if b.start >= after_start
    ]
    recovered = next((b.start - after_start + 1 for b in buckets if b.p99_ms <= normal), float("nan"))
    hit_total = sum(
        tiers.get(f"dpt_cache_lookups_total:{tier}", 0) for tier in ("local", "local_stale", "redis", "store")
    )

    def share(tier: str) -> str:
        return f"{tiers.get(f'dpt_cache_lookups_total:{tier}', 0) / max(1, hit_total):.1%}"

    checks = [
        ("goodput at 3x / capacity", f"{spike.goodput_rps / capacity:.2f}", ">= 0.90"),
        ("p99 of answered lookups at 3x", f"{lookup_p99:.1f} ms", "<= 100 ms"),
        ("p99 of shed requests", f"{spike.shed_p99_ms:.1f} ms", "<= 5 ms"),
        ("errors other than 503/429 (whole run)", f"{table['all'].errors}", "0"),
        ("back to normal after the spike", f"{recovered:.0f} s", "<= 2 s"),
    ]
    text = "\n| target | measured | wanted |\n|---|---:|---|\n"
    text += "\n".join(f"| {name} | {value} | {wanted} |" for name, value, wanted in checks)
    text += (
        f"\n\nNIK answers by cache tier during the spike run: local {share('local')}, local stale "
        f"{share('local_stale')}, Redis {share('redis')}, PostgreSQL {share('store')} "
        f"(of {hit_total:,.0f} lookups past validation)."
    )
    return text


if __name__ == "__main__":
    main()
