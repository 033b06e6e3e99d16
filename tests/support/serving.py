"""`dpt serve` as production runs it (granian, a real socket), and `dpt proxy` (HAProxy) in front
of it, for tests that need them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from service.settings import Settings
from tests.support.system_packages import ensure_debian_packages

TEST_NIK_KEY = "test-key-" + "k" * 24
DPT = str(Path(sys.executable).with_name("dpt"))
HAPROXY = Path("/usr/sbin/haproxy")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def dpt_serve(settings: Settings, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run `dpt serve` (one worker) on a free port against the test servers until it is ready;
    `env` adds DPT_* settings. Yields its URL and process; stops it by its PID."""
    port = free_port()
    variables = {
        **os.environ,
        "DPT_DATABASE_URL": settings.database_url,
        "DPT_REDIS_URL": settings.redis_url,
        "DPT_NIK_KEY": TEST_NIK_KEY,
        **env,
    }
    command = [DPT, "serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(command, env=variables, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)


def installed_haproxy() -> Path:
    """Debian's HAProxy (installed as root; else the test is skipped, or fails under CI=true)."""
    ensure_debian_packages(("haproxy",), (HAPROXY,))
    return HAPROXY


@contextlib.contextmanager
def dpt_proxy(backend: str, folder: Path, *options: str) -> Iterator[str]:
    """`dpt proxy` in front of `backend` (one worker) until it listens; yields its URL."""
    port = free_port()
    command = [DPT, "proxy", "--listen", f"127.0.0.1:{port}", "--backend", backend, "--workers", "1",
               "--threads", "1", "--config-dir", str(folder), *options]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            assert process.poll() is None, "HAProxy exited"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def accepts_connections(url: str) -> bool:
    """Whether anything accepts a TCP connection at `url`'s host and port now."""
    address = url.removeprefix("http://").rsplit(":", 1)
    try:
        with socket.create_connection((address[0], int(address[1])), timeout=1):
            return True
    except OSError:
        return False


async def eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait until `condition()` (a blocking check, run in a thread) holds; fail after 8 s."""
    for _ in range(400):
        if await asyncio.to_thread(condition):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


async def held_lookup(
    client: httpx.AsyncClient, url: str, nik: str, service: str | None = None
) -> asyncio.Future[httpx.Response]:
    """Start a lookup at `url` that waits on the locked voter table; return once the service
    (`service`, else `url`) holds it in flight."""
    lookup = asyncio.ensure_future(client.post(f"{url}/api/v1/nik", json={"nik": nik}))
    await eventually(lambda: requests_in_flight(service or url) == 1, "the held lookup got in flight")
    return lookup


def requests_in_flight(url: str) -> int:
    """Requests the service's workers are working on now, from /metrics."""
    metrics = httpx.get(f"{url}/metrics", timeout=10).text
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in metrics.splitlines()
        if line.startswith("dpt_requests_in_flight ")
    )


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(400):
        if process.poll() is not None:
            raise RuntimeError(f"dpt serve exited with {process.returncode} before it was ready")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError("dpt serve did not become ready")
