"""`dpt serve` as production runs it (granian, a real socket), for tests that need one."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from service.settings import Settings

TEST_NIK_KEY = "test-key-" + "k" * 24


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
    command = [str(Path(sys.executable).with_name("dpt")), "serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(command, env=variables, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, process)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(400):
        if process.poll() is not None:
            raise RuntimeError(f"dpt serve exited with {process.returncode} before it was ready")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError("dpt serve did not become ready")
