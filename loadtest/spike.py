"""The polling-day spike: an open-loop load test of `dpt serve` behind `dpt proxy` (HAProxy), with
Redis and PostgreSQL failing.

    .venv/bin/python loadtest/spike.py [--mix usual|search] [--spike 3] [--scale 1.0] [--workers N]
                                       [--no-proxy] [--no-pin] [--proxy-args="--search-in-flight 2"]

One run, about two and a half minutes on a 2-core machine:

1. Set-up: the Kota Metro demo DPT (120,000 voters) in private embedded PostgreSQL and Redis (so
   the run can kill them), served by `dpt serve` with its production settings behind `dpt proxy`
   with its defaults. Clients are told apart by X-Forwarded-For (the generator stands in for a
   trusted proxy) and keep the default rate limits.
2. The machine is split (see Cores): the service's half runs `dpt serve`, PostgreSQL and Redis;
   the other half runs HAProxy and the generator, as the load balancer and the clients would.
3. Capacity: a ramp into overload for an estimate, then a hold at 1.5 times it; capacity = the
   answered requests per second of the hold. Measured again after the spike, with warmer caches.
4. Spike: steady at half the capacity, a ramp to 7/6 of `--spike` times it (3.5 times for 3), a
   hold, then back down.
5. Floor: the generator against HAProxy alone refusing everything, at the spike's rate: the
   latency of a refusal that is the generator's own.
6. Redis killed in the middle of a steady run, and started again.
7. PostgreSQL stopped in the middle of a steady run of popular NIKs.

The generator (loadtest/openloop.py) sends on a schedule and measures latency from the scheduled
time, so a stalled server cannot hide its queue. The mix: repeated checks of popular NIKs (a
skewed distribution), first checks of other NIKs, NIKs not on the DPT, malformed NIKs, public
name searches, and a few clients walking serial numbers (they should get 429). `--mix search`
makes every request of the run a public name search (the most expensive request), from as many
client addresses, so that it is the proxy's bound per request class that is measured, not the
anti-enumeration budget.
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
import shlex
import socket
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

from loadtest.harness import BENCH_DIR, demo_dataset, ensure_command, free_port
from loadtest.openloop import Phase, Request, Result, format_table, run, summary, timeline
from service.embedded import embedded_postgres, embedded_redis
from service.errors import Overloaded
from service.importer import import_dataset
from service.nik.parse import NikHasher
from service.store.migrate import migrate

NIK_KEY = "spike-key-" + "s" * 32
JSON = (("content-type", "application/json"),)
POPULAR = 5_000  # NIKs that many people check again and again (skewed: rank r weighs 1/r)
ENUMERATORS = 4  # clients walking serial numbers
RESIDENT_ADDRESSES = 200_000
# Share of each kind of request in the mix.
MIXES = {
    "usual": (
        ("nik-popular", 0.55),
        ("nik-first", 0.20),
        ("nik-absent", 0.10),
        ("nik-malformed", 0.05),
        ("search", 0.05),
        ("nik-enumerator", 0.05),
    ),
    "search": (("search", 1.0),),
}
RECOVERY_BUCKET = 0.5  # seconds
# The spike offers this much more than `--spike` times the capacity measured before it (3.5 for
# 3), so that it still is that multiple when capacity drifts up during the run (measured again
# after).
SPIKE_MARGIN = 7 / 6
ANSWERED = frozenset({200, 422})  # a NIK lookup's answers: found, not found, or malformed
MALFORMED = ("2222222222222222", "1872", "18720154075300AB", "1872015407530000", "9999015407530001")


class Voter(NamedTuple):
    nik: str
    name: str
    born: str  # YYYY-MM-DD
    kelurahan: str


class Mix:
    """Request `i` of the run: a kind drawn from MIX, and a client address for X-Forwarded-For."""

    def __init__(self, voters: list[Voter], shares: tuple[tuple[str, float], ...], seed: int = 2024):
        self.random = random.Random(seed)
        self.voters = voters
        weights = [1 / rank for rank in range(1, POPULAR + 1)]
        self.popular_cumulative = list(itertools.accumulate(weights))
        self.kinds = [kind for kind, _ in shares]
        self.kind_cumulative = list(itertools.accumulate(share for _, share in shares))
        self.first = itertools.cycle(voters[POPULAR:])
        self.walk = itertools.count(1)
        self.only: str | None = None  # restrict to one kind (the PostgreSQL phase)
        self.asked: list[str] = []  # the NIK of each request since the last clear() ("" for searches)

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
            self.asked.append("")
            return Request(
                "POST",
                "/api/v1/search",
                json.dumps({"name": name, "birth_date": voter.born, "region": voter.kelurahan}).encode(),
                (*JSON, ("x-forwarded-for", address)),
                kind,
            )
        self.asked.append(body["nik"])
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
@contextlib.contextmanager
def on_cores(cores: set[int] | None) -> Iterator[None]:
    """Processes started inside run on `cores` (the calling thread's affinity, inherited)."""
    if not cores:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cores)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


class Servers:
    """Private embedded PostgreSQL and Redis under one folder, each stoppable and restartable."""

    def __init__(self, folder: Path, cores: set[int] | None = None):
        self.folder = folder
        self.cores = cores
        self.postgres = contextlib.ExitStack()
        self.redis = contextlib.ExitStack()
        self.database_url = self.start_postgres()
        self.redis_url = self.start_redis()

    def start_postgres(self) -> str:
        with on_cores(self.cores):
            return self.postgres.enter_context(embedded_postgres(self.folder))

    def start_redis(self) -> str:
        with on_cores(self.cores):
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


class Cores(NamedTuple):
    """The machine split in two, as in production: the service's cores run what `dpt demo` runs
    (`dpt serve`, PostgreSQL, Redis); the others play the load balancer (HAProxy) and the
    clients, so that the generator's own work does not count against the service."""

    service: set[int]
    world: set[int]


def split_cores() -> Cores | None:
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None
    half = len(cores) // 2
    return Cores(set(cores[:half]), set(cores[half:]))


def wait_ready(url: str) -> None:
    for _ in range(300):
        with contextlib.suppress(OSError):
            if urllib.request.urlopen(f"{url}/health/ready", timeout=1).status == 200:  # noqa: S310
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not become ready")


DPT = str(Path(sys.executable).with_name("dpt"))


@contextlib.contextmanager
def running(
    command: list[str], env: dict[str, str] | None = None, cores: set[int] | None = None
) -> Iterator[None]:
    with on_cores(cores):
        process = subprocess.Popen(command, env=env)
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=60)


@contextlib.contextmanager
def dpt_proxy(backend_port: int, workers: int, folder: Path, *options: str) -> Iterator[str]:
    """`dpt proxy` (HAProxy, one thread) in front of `backend_port`; yields its URL once it listens."""
    ensure_command("haproxy", "haproxy")
    port = free_port()
    command = [
        DPT, "proxy", "--listen", f"127.0.0.1:{port}", "--backend", f"127.0.0.1:{backend_port}",
        "--workers", str(workers), "--threads", "1", "--config-dir", str(folder), *options,
    ]  # fmt: skip
    with running(command):
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def dpt_serve(
    servers: Servers, workers: int, proxy: list[str] | None, cores: Cores | None
) -> Iterator[tuple[str, str]]:
    """`dpt serve` on the servers (on `cores.service`); unless `proxy` is None, behind `dpt proxy`
    (HAProxy) with those options, as in production. Yields the URL to load and the service's own
    (for /metrics, which the proxy keeps off its public side)."""
    port = free_port()
    env = {
        **os.environ,
        "DPT_DATABASE_URL": servers.database_url,
        "DPT_REDIS_URL": servers.redis_url,
        "DPT_NIK_KEY": NIK_KEY,
        "DPT_TRUSTED_PROXIES": "127.0.0.1/32",
        "DPT_LOG_LEVEL": "WARNING",
    }
    with contextlib.ExitStack() as stack:
        serve = [DPT, "serve", "--port", str(port), "--workers", str(workers)]
        stack.enter_context(running(serve, env, cores.service if cores else None))
        url = direct = f"http://127.0.0.1:{port}"
        if proxy is not None:
            url = stack.enter_context(dpt_proxy(port, workers, servers.folder / "proxy", *proxy))
        wait_ready(url)
        yield url, direct


def refusal_floor(folder: Path, phase: Phase, mix: Callable[[int], Request]) -> list[Result]:
    """The generator against HAProxy alone, refusing every request at once (a queue of 0): the
    latency of a shed request that is the generator's and the proxy's own, with no service behind."""
    with dpt_proxy(free_port(), 1, folder / "floor", "--queue", "0", "--search-queue", "0") as url:
        wait_refusing(url)
        return uvloop.run(open_loop(url, [phase], mix))


def wait_refusing(url: str) -> None:
    """Until HAProxy's health checks have marked the absent service down, so that it refuses at
    once (before that, a request waits for a connection that fails)."""
    quick = 0
    for _ in range(200):
        started = time.perf_counter()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{url}/health/ready", timeout=5)  # noqa: S310
        quick = quick + 1 if time.perf_counter() - started < 0.05 else 0
        if quick >= 5:
            return
        time.sleep(0.05)


def scrape(url: str, workers: int) -> dict[str, dict[str, float]]:
    """Every worker's counters: scrape /metrics until each worker has answered once."""
    seen: dict[str, dict[str, float]] = {}
    for _ in range(workers * 30):
        with contextlib.suppress(OSError):
            text = urllib.request.urlopen(f"{url}/metrics", timeout=2).read().decode()  # noqa: S310
            for name, labels, value in re.findall(r"^(\w+)(?:\{([^}]*)\})? (\S+)$", text, re.MULTILINE):
                # One scrape is the sum over all workers now; older servers labelled each worker.
                worker = re.search(r'worker="(\d+)"', labels)
                tier = re.search(r'tier="(\w+)"', labels)
                key = f"{name}:{tier.group(1)}" if tier else name
                seen.setdefault(worker.group(1) if worker else "all", {})[key] = float(value)
        if len(seen) >= workers or "all" in seen:
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
    parser.add_argument("--workers", type=int, help="dpt serve --workers (default: one per service core)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every phase's length")
    parser.add_argument("--mix", choices=sorted(MIXES), default="usual", help="what the clients ask")
    parser.add_argument(
        "--spike", type=float, default=3.0, help="the spike's multiple of capacity (offered: 7/6 of it)"
    )
    parser.add_argument(
        "--proxy-args", default="", help='more `dpt proxy` options, e.g. --proxy-args="--search-in-flight 4"'
    )
    parser.add_argument(
        "--no-proxy", dest="proxy", action="store_false", help="drive dpt serve directly, without HAProxy"
    )
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="let the service and the generator share every core",
    )
    args = parser.parse_args()
    scale = args.scale

    demo = demo_dataset()
    voters = read_voters(demo)
    cores = split_cores() if args.pin else None
    if cores:  # this process is the generator; HAProxy, started by it, inherits its cores
        os.sched_setaffinity(0, cores.world)
    workers = args.workers or (len(cores.service) if cores else 2)
    proxy = shlex.split(args.proxy_args) if args.proxy else None
    print(
        f"cores: {cores or 'shared'}; dpt serve --workers {workers}; mix {args.mix}; spike {args.spike}x; "
        f"proxy {proxy}",
        file=sys.stderr,
    )
    servers = Servers(BENCH_DIR / "spike", cores.service if cores else None)
    lines: list[str] = [f"Load average (1, 5, 15 min) at the start: {load_average()}."]
    try:
        asyncio.run(load_demo(servers.database_url, demo))
        with dpt_serve(servers, workers, proxy, cores) as (url, direct):
            mix = Mix(voters, MIXES[args.mix])
            # Warm up, as a morning of checks would: the popular NIKs, then the whole mix (the
            # caches, PostgreSQL's buffers, the workers), below capacity.
            mix.only = "nik-popular"
            uvloop.run(open_loop(url, [Phase(8 * scale, 300, 300, "warm-up")], mix))
            mix.only = None
            uvloop.run(open_loop(url, [Phase(12 * scale, 300, 300, "warm-up")], mix))

            # Capacity: what the service answers per second once saturated. A quick ramp into
            # overload gives an estimate; a hold at 1.5 times the estimate then measures it.
            ramp = [Phase(8 * scale, 100, 4000, "probe-ramp")]
            ramp_results = uvloop.run(open_loop(url, ramp, mix))
            estimate = statistics.median(sorted(answered_per_second(ramp_results))[-3:])
            # 20 s: answered requests per second of a saturated service move by a third from
            # second to second with the mix (the spike's own table shows it), and capacity is
            # what the spike is judged against.
            hold = [Phase(20 * scale, estimate * 1.5, estimate * 1.5, "probe-hold")]
            hold_results = uvloop.run(open_loop(url, hold, mix))
            capacity = saturated_goodput(hold_results)
            hold_kinds = answered_by_kind(hold_results, hold[0])
            print(f"capacity: {capacity:,.0f} answered requests/s", file=sys.stderr)
            title = f"Capacity (estimate {estimate:,.0f}/s, capacity {capacity:,.0f}/s)"
            lines.append(report(title, ramp_results + hold_results, ramp + hold))

            half, top = capacity / 2, capacity * args.spike * SPIKE_MARGIN
            spike = [
                Phase(15 * scale, half, half, "steady"),
                Phase(10 * scale, half, top, "ramp"),
                Phase(15 * scale, top, top, "spike"),
                Phase(15 * scale, half, half, "after"),
            ]
            before = scrape(direct, workers)
            spike_results = uvloop.run(open_loop(url, spike, mix))
            tiers = counter_deltas(before, scrape(direct, workers))
            lines.append(report("Spike", spike_results, spike))
            lines.append(kinds_table(hold_kinds, answered_by_kind(spike_results, spike[2])))
            columns = ("start", "sent", "answered", "shed", "rate_limited", "errors", "p99_ms", "shed_p99_ms")
            seconds = timeline(spike_results, answered=is_answered, is_error=is_failure)
            print("spike, second by second:\n" + format_table(seconds, columns), file=sys.stderr)
            floor_phase = Phase(10 * scale, top, top, "floor")
            floor = refusal_floor(servers.folder, floor_phase, mix)
            lines.append(
                report("Floor: HAProxy alone refusing everything, at the spike's rate", floor, [floor_phase])
            )
            floor_p99 = summary(floor, [floor_phase], answered=is_answered, is_error=is_failure)[
                "floor"
            ].shed_p99_ms

            # Capacity drifts (warmer caches, a noisy machine): measure it again, and judge the
            # spike against both.
            capacity_after = saturated_goodput(uvloop.run(open_loop(url, hold, mix)))
            lines.append(f"\nCapacity measured again after the spike (same hold): {capacity_after:,.0f}/s.")
            lines.append(
                spike_verdict(
                    spike_results, spike, (capacity, capacity_after), tiers, floor_p99, multiple=args.spike
                )
            )

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
            failed = sum(1 for r in redis_results if is_failure(r.status))
            lines.append(
                f"\nRedis killed: {len(redis_results):,} requests, **{failed} failed** "
                "(status not 200/422/429/503)."
            )

            mix.only = "nik-popular"
            stop = [Phase(10 * scale, half, half, "postgres-stopped")]

            async def stop_postgres() -> list[Result]:
                generator = asyncio.ensure_future(open_loop(url, stop, mix))
                await asyncio.sleep(3 * scale)
                await asyncio.to_thread(servers.postgres.close)
                return await generator

            mix.asked.clear()
            pg_results = uvloop.run(stop_postgres())
            lines.append(report("PostgreSQL stopped at 3 s (popular NIKs only)", pg_results, stop))
            lines.append(postgres_verdict(list(zip(mix.asked, pg_results, strict=True)), 3 * scale))
    finally:
        servers.close()
    lines.append(f"\nLoad average (1, 5, 15 min) at the end: {load_average()}.")
    print("\n".join(lines))


def load_average() -> str:
    """The machine's, to tell a disturbed run from a clean one (the spike's own load is about 2)."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def answered_per_second(results: list[Result]) -> list[int]:
    return [bucket.answered for bucket in timeline(results, answered=is_answered)]


def saturated_goodput(hold: list[Result]) -> float:
    """The answered requests per second of a hold in overload, once settled (from 1 s): their
    mean, as the spike's goodput is (a median of per-second counts had come out 14% below the
    mean of the same hold)."""
    return statistics.fmean(answered_per_second(hold)[1:])


def answered_by_kind(results: list[Result], phase: Phase) -> Counter[str]:
    """Answered requests per second of `phase`, by kind of request."""
    kinds = Counter(r.kind for r in results if r.phase == phase.name and is_answered(r))
    return Counter({kind: count / phase.seconds for kind, count in kinds.items()})


def kinds_table(hold: Counter[str], spike: Counter[str]) -> str:
    """What the service spent its answers on in the capacity hold and at the spike: a class that
    takes a larger share at the spike than in the hold (a search costs several lookups) lowers
    the spike's goodput in requests."""
    lines = ["", "| answered per second | capacity hold | spike |", "|---|---:|---:|"]
    for kind in sorted(hold.keys() | spike.keys()):
        lines.append(f"| {kind} | {hold[kind]:,.0f} | {spike[kind]:,.0f} |")
    return "\n".join(lines)


def outcome(result: Result) -> str:
    """The status, and for a 503 which one: shed (overloaded) or the database unavailable, told
    apart by their Retry-After."""
    if result.status != 503:
        return str(result.status)
    shed = result.headers.get("retry-after") == str(Overloaded.retry_after)
    return "503 overloaded" if shed else "503 unavailable"


def postgres_verdict(asked: list[tuple[str, Result]], stopped_at: float) -> str:
    """Lookups after the stop (from a second later), split by whether their NIK was answered
    before it (so cached) or not."""
    cached = {nik for nik, result in asked if result.scheduled < stopped_at and result.status == 200}
    after = [(nik in cached, outcome(result)) for nik, result in asked if result.scheduled >= stopped_at + 1]
    lines = ["", "PostgreSQL stopped, lookups from a second after the stop:", ""]
    for was_cached, label in ((True, "answered before the stop (cached)"), (False, "not answered before")):
        outcomes = Counter(status for cached_nik, status in after if cached_nik is was_cached)
        total = sum(outcomes.values())
        rest = dict(sorted((status, count) for status, count in outcomes.items() if status != "200"))
        lines.append(
            f"- NIKs {label}: {outcomes['200']:,} of {total:,} answered 200 "
            f"({outcomes['200'] / max(1, total):.1%}); the rest: {rest}"
        )
    return "\n".join(lines)


def spike_verdict(
    results: list[Result],
    phases: list[Phase],
    capacities: tuple[float, float],  # measured before and after the spike
    tiers: dict[str, float],
    floor_p99: float,
    *,
    multiple: float,
) -> str:
    table = summary(results, phases, answered=is_answered, is_error=is_failure)
    spike, steady = table["spike"], table["steady"]

    def answered_p99(kind: Callable[[str], bool]) -> float:
        chosen = [r.latency_ms for r in results if r.phase == "spike" and kind(r.kind) and is_answered(r)]
        return statistics.quantiles(chosen, n=100)[98] if len(chosen) > 1 else float("nan")

    lookup_p99 = answered_p99(lambda kind: kind.startswith("nik"))
    search_p99 = answered_p99(lambda kind: kind == "search")
    shed_searches = [
        r.latency_ms for r in results if r.phase == "spike" and r.kind == "search" and r.status == 503
    ]
    shed_search_p99 = (
        statistics.quantiles(shed_searches, n=100)[98] if len(shed_searches) > 1 else float("nan")
    )
    # Recovery: the end of the first half second after the spike whose answered p99 is back
    # within 1.5x the steady phase's p99 (or under 20 ms).
    after_start = sum(p.seconds for p in phases[:3])
    normal = max(20.0, steady.p99_ms * 1.5)
    buckets = [
        b
        for b in timeline(results, RECOVERY_BUCKET, answered=is_answered, is_error=is_failure)
        if b.start >= after_start
    ]
    recovered = next(
        (b.start - after_start + RECOVERY_BUCKET for b in buckets if b.p99_ms <= normal), float("nan")
    )
    hit_total = sum(
        tiers.get(f"dpt_cache_lookups_total:{tier}", 0) for tier in ("local", "local_stale", "redis", "store")
    )

    def share(tier: str) -> str:
        return f"{tiers.get(f'dpt_cache_lookups_total:{tier}', 0) / max(1, hit_total):.1%}"

    checks = [
        (
            "offered at the spike / capacity (before, after)",
            " / ".join(f"{spike.offered_rps / c:.1f}x" for c in capacities),
            f">= {multiple:g}x",
        ),
        (
            "goodput at the spike / the larger capacity",
            f"{spike.goodput_rps / max(capacities):.2f}",
            ">= 0.90",
        ),
        ("p99 of answered NIK lookups at the spike", f"{lookup_p99:.1f} ms", "<= 100 ms"),
        ("p99 of answered name searches at the spike", f"{search_p99:.1f} ms", "<= 100 ms"),
        ("p99 of shed requests", f"{spike.shed_p99_ms:.1f} ms", "-"),
        ("  the floor: the generator and HAProxy alone", f"{floor_p99:.1f} ms", "-"),
        ("  shed p99 over the floor", f"{spike.shed_p99_ms - floor_p99:.1f} ms", "<= 5 ms"),
        ("  p99 of shed name searches", f"{shed_search_p99:.1f} ms", "-"),
        ("errors other than 503/429 (whole run)", f"{table['all'].errors}", "0"),
        ("back to normal after the spike", f"{recovered:.1f} s", "<= 2 s"),
    ]
    text = "\n| target | measured | wanted |\n|---|---:|---|\n"
    text += "\n".join(f"| {name} | {value} | {wanted} |" for name, value, wanted in checks)
    text += (
        f"\n\nShed by the worker itself (its admission control, not the proxy) during the spike run: "
        f"{tiers.get('dpt_requests_shed_total', 0):,.0f}."
        f"\n\nNIK answers by cache tier during the spike run: local {share('local')}, local stale "
        f"{share('local_stale')}, Redis {share('redis')}, PostgreSQL {share('store')} "
        f"(of {hit_total:,.0f} lookups past validation)."
    )
    return text


if __name__ == "__main__":
    main()
