"""Shared pieces of the benchmarks: servers to test against, granian processes, wrk runs."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from service.embedded import servers_or_embedded, with_database
from service.importer import ImportSummary, import_dataset
from service.nik.parse import NikHasher
from service.store.migrate import migrate

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "data" / "bench"
LUA = Path(__file__).with_name("nik_bodies.lua")


@contextlib.contextmanager
def bench_servers() -> Iterator[tuple[str, str]]:
    """PostgreSQL and Redis URLs: DPT_BENCH_* when set, the local defaults when up, else embedded."""
    with servers_or_embedded(
        os.environ.get("DPT_BENCH_DATABASE_URL") or None,
        os.environ.get("DPT_BENCH_REDIS_URL") or None,
        defaults=("postgresql://postgres@127.0.0.1:5432/postgres", "redis://127.0.0.1:6379/15"),
        data_dir=BENCH_DIR / "servers",
    ) as urls:
        yield urls


async def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create database `name`, migrate it; return its URL."""
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'drop database if exists "{name}" with (force)')
        await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    url = with_database(admin_url, name)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, lambda _line: None)
    finally:
        await conn.close()
    return url


async def imported_database(
    admin_url: str, name: str, folder: Path, nik_key: str, election: str
) -> tuple[str, ImportSummary]:
    """A fresh database `name` holding the DPT of `folder` (dpt.csv, tps.csv), published."""
    url = await fresh_database(admin_url, name)
    conn = await asyncpg.connect(url)
    try:
        summary = await import_dataset(
            conn,
            voters_path=folder / "dpt.csv",
            tps_path=folder / "tps.csv",
            hasher=NikHasher(nik_key),
            election=election,
            version=election.lower(),
        )
    finally:
        await conn.close()
    print(f"imported {summary.rows_loaded:,} voters in {summary.seconds:.2f} s", file=sys.stderr)
    return url, summary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def granian(target: str, env: dict[str, str], workers: int = 1, loop: str = "uvloop") -> Iterator[Server]:
    """Serve `target` (a factory) with the same granian settings for every variant."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "asgi",
        "--factory",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--loop",
        loop,
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--no-ws",
    ]
    # The server's own lines (JSON logs, access lines) go to a file, as a container's would to a
    # collector: a terminal would slow the server down and bury the benchmark's output.
    log_path = BENCH_DIR / f"{target.rsplit(':', 1)[-1]}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    process = subprocess.Popen(
        command, env={**os.environ, **env}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120  # a busy shared machine took 25 s to start one worker
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{target} did not start: see {log_path}") from None
                time.sleep(0.1)
        time.sleep(0.5)  # lifespan: pools open, dataset known
        yield Server(port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def ensure_command(command: str, package: str) -> str:
    """The path of `command`, installing Debian's `package` first when run as root."""
    found = shutil.which(command)
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-q", package], check=True, capture_output=True, env=env)
        found = shutil.which(command)
    if not found:
        sys.exit(f"{command} is needed for the benchmark: apt-get install {package}")
    return found


@dataclass
class WrkResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def wrk(url: str, bodies: Path, *, seconds: float, connections: int = 64, threads: int = 1) -> WrkResult:
    completed = subprocess.run(
        [
            ensure_command("wrk", "wrk"),
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "5s",
            "-s",
            str(LUA),
            url,
        ],
        env={**os.environ, "BODIES": str(bodies), "WRK_THREADS": str(threads)},
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith("{"))
    data = json.loads(line)
    errors = sum(value for key, value in data.items() if key.startswith("errors_"))
    return WrkResult(
        requests=data["requests"],
        seconds=data["seconds"],
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
    )


def demo_dataset() -> Path:
    """The folder of the Kota Metro demo DPT (120,000 voters), written on first use."""
    demo = BENCH_DIR / "demo"
    if not (demo / "dpt.csv").exists():
        from service.synth import write_synthetic_dpt

        write_synthetic_dpt(demo)
    return demo


def demo_niks() -> list[str]:
    """Every NIK of the demo DPT, in a fixed shuffled order."""
    with (demo_dataset() / "dpt.csv").open(encoding="utf-8", newline="") as stream:
        niks = [row["nik"] for row in csv.DictReader(stream)]
    random.Random(7).shuffle(niks)
    return niks


def service_env(database_url: str, redis_url: str, nik_key: str, dataset_id: int) -> dict[str, str]:
    """The environment of a benchmarked service (and of the bare baselines beside it)."""
    return {
        "DPT_DATABASE_URL": database_url,
        "DPT_REDIS_URL": redis_url,
        "DPT_NIK_KEY": nik_key,
        "BENCH_DATASET_ID": str(dataset_id),
        "DPT_LOG_LEVEL": "WARNING",
        # wrk is one client asking for thousands of NIKs: the contract's exempt load generator.
        "DPT_RATE_LIMIT_EXEMPT": "127.0.0.0/8",
        # Closed-loop wrk saturates the worker on purpose, to measure the lookup path's throughput;
        # admission control would shed part of it. Its bounds are raised here (they are settings);
        # loadtest/spike.py measures admission control itself.
        "DPT_MAX_IN_FLIGHT": "1024",
        "DPT_ADMISSION_TARGET_LAG_SECONDS": "1",
    }
