"""`dpt serve` as production runs it (granian, a real socket): overload is shed at once while
health answers, and a shutdown lets the request in flight finish."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from service.importer import ImportSummary
from service.settings import Settings
from tests.support.factories import DatasetFiles
from tests.support.serving import accepts_connections, dpt_serve, eventually, held_lookup


@pytest.fixture
def server(settings: Settings, published: ImportSummary) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`dpt serve` with one worker that works on one request at a time and queues none. A held
    lookup waits for the test to release the lock, not for the query timeout (2 s by default)
    to turn it into a 503 first."""
    with dpt_serve(
        settings,
        DPT_MAX_IN_FLIGHT="1",
        DPT_MAX_QUEUED="0",
        DPT_RATE_LIMIT_EXEMPT="127.0.0.0/8",
        DPT_DB_TIMEOUT_SECONDS="120",
    ) as served:
        yield served


async def test_overload_is_shed_at_once_while_health_still_answers(
    server: tuple[str, subprocess.Popen[bytes]],
    locked_voters: asyncpg.Connection,
    small_dataset: DatasetFiles,
) -> None:
    url, _ = server
    async with httpx.AsyncClient(timeout=30) as client:
        slow = await held_lookup(client, url, small_dataset.people[0].nik)
        shed = await client.post(f"{url}/api/v1/nik", json={"nik": small_dataset.people[1].nik})
        assert shed.status_code == 503
        assert shed.json()["error"]["code"] == "overloaded"
        assert shed.headers["retry-after"] == "1"
        assert (await client.get(f"{url}/health/live")).status_code == 200
        assert "dpt_requests_shed_total 1.0" in (await client.get(f"{url}/metrics")).text
        await locked_voters.close()  # the lock goes: the slow request finishes normally
        answer = await slow
        assert answer.status_code == 200 and answer.json()["registered"] is True


async def test_shutdown_lets_the_request_in_flight_finish(
    server: tuple[str, subprocess.Popen[bytes]],
    locked_voters: asyncpg.Connection,
    small_dataset: DatasetFiles,
) -> None:
    url, process = server
    async with httpx.AsyncClient(timeout=30) as client:
        slow = await held_lookup(client, url, small_dataset.people[2].nik)
        process.send_signal(signal.SIGTERM)
        # The server is shutting down (it takes no new connections) while the request still waits.
        await eventually(lambda: not accepts_connections(url), "dpt serve stopped taking connections")
        assert process.poll() is None and not slow.done()
        await locked_voters.close()
        answer = await slow
    assert answer.status_code == 200 and answer.json()["registered"] is True
    assert await asyncio.to_thread(process.wait, 30) == 0
