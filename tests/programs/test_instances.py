"""Many machines behind one front: two `dpt serve` instances on different loopback ports share one
PostgreSQL and one Redis Cluster behind `dpt proxy --backend A --backend B` (health-checked).
Both answer; killing one under load (SIGKILL of its whole process group, as a machine dying)
costs no more than the requests it had in flight, and the survivor takes everything after."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.importer import ImportSummary
from service.settings import Settings
from tests.support.factories import DatasetFiles
from tests.support.redis_cluster import RedisClusterServers, redis_cluster
from tests.support.serving import DPT, TEST_NIK_KEY, dpt_proxy, free_port, installed_haproxy

CLIENTS = 8  # concurrent clients, each with one request in flight at a time


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterServers]:
    with redis_cluster(tmp_path_factory.mktemp("instances-cluster")) as servers:
        yield servers


@contextlib.contextmanager
def instance(
    settings: Settings, cluster: RedisClusterServers
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """One `dpt serve` (one worker) in a session of its own, so it can be killed whole."""
    port = free_port()
    env = {
        **os.environ,
        "DPT_DATABASE_URL": settings.database_url,
        "DPT_REDIS_URL": cluster.url,
        "DPT_REDIS_CLUSTER": "true",
        "DPT_NIK_KEY": TEST_NIK_KEY,
        "DPT_RATE_LIMIT_EXEMPT": "127.0.0.0/8",  # the test's client is the load generator
        "DPT_DATASET_POLL_SECONDS": "0.1",
        # This test is about losing a machine, not about shedding: on a busy CI machine the
        # event-loop lag alone would make admission control shed some requests.
        "DPT_ADMISSION_TARGET_LAG_SECONDS": "1",
    }
    process = subprocess.Popen(
        [DPT, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            assert process.poll() is None, "dpt serve exited"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                    break
            time.sleep(0.05)
        else:
            raise AssertionError("dpt serve never became ready")
        yield url, process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def answered_lookups(url: str) -> int:
    """Lookups an instance has answered with 200, from its /metrics."""
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in text.splitlines()
        if line.startswith("dpt_requests_total{") and "/api/v1/nik" in line and 'status="200"' in line
    )


async def test_killing_one_of_two_instances_costs_only_its_requests_in_flight(
    settings: Settings,
    published: ImportSummary,
    small_dataset: DatasetFiles,
    cluster: RedisClusterServers,
    tmp_path: Path,
) -> None:
    installed_haproxy()
    niks = [person.nik for person in small_dataset.people]
    with (
        instance(settings, cluster) as (first, first_process),
        instance(settings, cluster) as (second, _),
        dpt_proxy(
            first.removeprefix("http://"),
            tmp_path / "proxy",
            "--backend",
            second.removeprefix("http://"),
            "--check-ms",
            "100",
        ) as front,  # fmt: skip
    ):
        outcomes: list[tuple[float, int]] = []  # (when, status; 0 for a transport error)
        stop = asyncio.Event()
        codes: list[str] = []
        killed = [time.monotonic() + 1000]

        async def client(number: int) -> None:
            async with httpx.AsyncClient(timeout=10) as http:
                turn = number
                while not stop.is_set():
                    nik = niks[turn % len(niks)]
                    turn += CLIENTS
                    try:
                        reply = await http.post(f"{front}/api/v1/nik", json={"nik": nik})
                        good = reply.status_code == 200 and reply.json()["registered"] is True
                        outcomes.append((time.monotonic(), 200 if good else reply.status_code))
                        if not good:
                            codes.append(f"{time.monotonic() - killed[0]:.2f} {reply.text[:60]}")
                    except httpx.TransportError:
                        outcomes.append((time.monotonic(), 0))

        clients = [asyncio.ensure_future(client(number)) for number in range(CLIENTS)]
        await asyncio.sleep(1.5)
        # Both machines answer through the one front, from the one PostgreSQL and Redis Cluster.
        first_answered = await asyncio.to_thread(answered_lookups, first)
        second_answered = await asyncio.to_thread(answered_lookups, second)
        assert first_answered > 0 and second_answered > 0
        killed_at = killed[0] = time.monotonic()
        os.killpg(first_process.pid, signal.SIGKILL)
        await asyncio.sleep(3.0)
        stop.set()
        await asyncio.gather(*clients)

    before = [status for at, status in outcomes if at < killed_at]
    after = [status for at, status in outcomes if at >= killed_at]
    assert before and set(before) == {200}, f"before the kill: {sorted(set(before))}"
    lost = [status for status in after if status != 200]
    # At most the requests the dead machine had in flight (fewer than all the clients' requests).
    assert len(lost) <= CLIENTS, f"{len(lost)} requests lost: {sorted(set(lost))}"
    settled = [status for at, status in outcomes if at >= killed_at + 1.0]
    assert len(settled) > 20 and set(settled) == {200}, codes  # the survivor answers everything
