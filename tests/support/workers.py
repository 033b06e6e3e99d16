"""`dpt serve` with several workers and its log kept in a file, and `/metrics` read as numbers,
for the metrics and log tests."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from service.settings import Settings
from tests.support.serving import DPT, TEST_NIK_KEY, free_port

_SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$", re.MULTILINE)


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    metrics_dir: Path


@contextlib.contextmanager
def dpt_serve_workers(settings: Settings, folder: Path, workers: int = 2, **env: str) -> Iterator[Served]:
    """`dpt serve --workers N` on a free port until every worker answers; standard error (the JSON
    log) goes to `folder/serve.log`, the metric files to `folder/metrics`. Stopped by its PID."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    variables = {
        **os.environ,
        "DPT_DATABASE_URL": settings.database_url,
        "DPT_REDIS_URL": settings.redis_url,
        "DPT_NIK_KEY": TEST_NIK_KEY,
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
        **env,
    }
    log = folder / "serve.log"
    command = [DPT, "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("wb") as stream:
        process = subprocess.Popen(command, env=variables, stdout=stream, stderr=stream)
    served = Served(f"http://127.0.0.1:{port}", process, log, folder / "metrics")
    try:
        _wait_for_workers(served, workers)
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)


def metric_samples(text: str) -> dict[tuple[str, str], float]:
    """Every sample of a Prometheus text, by (name, labels as written)."""
    return {(name, labels or ""): float(value) for name, labels, value in _SAMPLE.findall(text)}


def scrape(url: str, client: httpx.Client | None = None) -> dict[tuple[str, str], float]:
    response = (client or httpx).get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200
    return metric_samples(response.text)


def _wait_for_workers(served: Served, workers: int) -> None:
    """Ready, and every worker has reported (each worker's `dpt_workers` gauge is 1)."""
    for _ in range(600):
        if served.process.poll() is not None:
            raise RuntimeError(f"dpt serve exited with {served.process.returncode}: {served.log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            ready = httpx.get(f"{served.url}/health/ready", timeout=1).status_code == 200
            if ready and scrape(served.url).get(("dpt_workers", ""), 0) == workers:
                return
        time.sleep(0.05)
    raise RuntimeError(f"dpt serve did not become ready: {served.log.read_text()}")
