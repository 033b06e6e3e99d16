"""Slow senders against the real servers: connections that send their headers and then the body a
byte at a time must not hold the slots that everyone else's lookups need, neither in `dpt serve`
(granian) nor behind `dpt proxy` (HAProxy). They get 408, or are cut off."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.importer import ImportSummary
from service.settings import Settings
from tests.support.factories import DatasetFiles
from tests.support.serving import dpt_proxy, dpt_serve, installed_haproxy

ATTACK_SECONDS = 15.0
BYTE_EVERY_SECONDS = 1.0
NIK_BODY = json.dumps({"nik": "1872015407530001"}).encode()  # 30 bytes: never finished in time


@pytest.fixture(scope="module")
def haproxy() -> Path:
    return installed_haproxy()


def split_url(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


async def slow_upload(url: str, path: str, *, chunked: bool, content_type: str, until: float) -> int | None:
    """One upload that sends its headers at once and then one body byte a second, until the
    server answers or cuts the connection, or `until` (loop time) comes. Returns the answer's
    status, 0 for a connection cut without an answer, None if it was still uploading."""
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection(*split_url(url))
    framing = "transfer-encoding: chunked" if chunked else f"content-length: {len(NIK_BODY)}"
    writer.write(
        f"POST {path} HTTP/1.1\r\nhost: test\r\ncontent-type: {content_type}\r\n{framing}\r\n\r\n".encode()
    )
    answer = asyncio.ensure_future(reader.read(65536))
    try:
        for byte in NIK_BODY:
            if answer.done() or loop.time() >= until:
                break
            piece = bytes([byte])
            writer.write(b"1\r\n" + piece + b"\r\n" if chunked else piece)
            with contextlib.suppress(ConnectionError):
                await writer.drain()
            await asyncio.wait([answer], timeout=BYTE_EVERY_SECONDS)
        if not answer.done():
            return None
        try:
            head = answer.result()
        except ConnectionError:
            return 0
        return int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
    finally:
        answer.cancel()
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def slow_sender(url: str, index: int, until: float) -> list[int]:
    """Slow uploads one after another on fresh connections until `until`: what each got, but the
    last one if it was still uploading. Every other sender uses chunked transfer coding."""
    outcomes = []
    while asyncio.get_running_loop().time() < until:
        outcome = await slow_upload(
            url, "/api/v1/nik", chunked=index % 2 == 1, content_type="application/json", until=until
        )
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


async def lookups_during_attack(url: str, senders: int, nik: str) -> tuple[list[int], list[list[int]]]:
    """`senders` slow senders for ATTACK_SECONDS; from a second in, a lookup every 0.2 s from
    another client. Returns the lookups' statuses and what each slow sender got."""
    loop = asyncio.get_running_loop()
    until = loop.time() + ATTACK_SECONDS
    attack = [asyncio.ensure_future(slow_sender(url, index, until)) for index in range(senders)]
    statuses = []
    try:
        await asyncio.sleep(1.0)  # the slow senders have their connections and are sending
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            while loop.time() < until - 0.5:
                answer = await client.post("/api/v1/nik", json={"nik": nik})
                statuses.append(answer.status_code)
                await asyncio.sleep(0.2)
        return statuses, await asyncio.gather(*attack)
    finally:
        for task in attack:
            task.cancel()
        await asyncio.gather(*attack, return_exceptions=True)


@pytest.fixture
def service(settings: Settings, published: ImportSummary) -> Iterator[str]:
    """`dpt serve` with production admission bounds (32 in flight, 16 queued per worker)."""
    with dpt_serve(settings, DPT_RATE_LIMIT_EXEMPT="127.0.0.0/8") as (url, _):
        yield url


async def test_slow_senders_hold_no_slot_in_dpt_serve(service: str, small_dataset: DatasetFiles) -> None:
    # 40 slow uploads, more than the worker's 32 slots: none of them may take one.
    statuses, senders = await lookups_during_attack(service, 40, small_dataset.people[0].nik)
    assert statuses and set(statuses) == {200}, statuses
    # Each slow sender was refused (408) or cut off, again and again, rather than waited for.
    assert all(outcomes and set(outcomes) <= {408, 0} for outcomes in senders), senders


@pytest.mark.usefixtures("haproxy")
async def test_slow_senders_hold_no_slot_behind_dpt_proxy(
    service: str, tmp_path: Path, small_dataset: DatasetFiles
) -> None:
    # 24 slow uploads, more than the proxy lets through (8) and queues (8) for one worker.
    with dpt_proxy(service.removeprefix("http://"), tmp_path) as url:
        statuses, senders = await lookups_during_attack(url, 24, small_dataset.people[0].nik)
    assert statuses and set(statuses) == {200}, statuses
    assert all(outcomes and set(outcomes) <= {408, 0} for outcomes in senders), senders


async def read_answer(url: str, start: bytes) -> tuple[bytes, bytes]:
    """Send `start` of a request and nothing more: the answer's head and body, read until the
    server closes the connection (so this also checks that it does)."""
    reader, writer = await asyncio.open_connection(*split_url(url))
    try:
        writer.write(start)
        answer = await asyncio.wait_for(reader.read(), 20)  # to the end: the server closes
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.lower(), body


def half_a_body(path: str, content_type: str) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nhost: test\r\ncontent-type: {content_type}\r\ncontent-length: 40\r\n\r\n"
    return head.encode() + b"nik=18720154"


@pytest.fixture
def quick_service(settings: Settings, published: ImportSummary) -> Iterator[str]:
    with dpt_serve(settings, DPT_RATE_LIMIT_EXEMPT="127.0.0.0/8", DPT_BODY_READ_SECONDS="1") as (url, _):
        yield url


async def test_a_body_that_does_not_arrive_in_time_gets_408_in_the_services_shape(quick_service: str) -> None:
    head, body = await read_answer(quick_service, half_a_body("/api/v1/nik", "application/json"))
    assert head.startswith(b"http/1.1 408 ")
    assert b"content-type: application/json" in head
    error = json.loads(body)["error"]
    assert error["code"] == "body_timeout"
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]

    head, page = await read_answer(quick_service, half_a_body("/cek", "application/x-www-form-urlencoded"))
    assert head.startswith(b"http/1.1 408 ") and b"content-type: text/html" in head
    assert "Permintaan terlalu lama" in page.decode() and "took too long" in page.decode()


@pytest.mark.usefixtures("haproxy")
async def test_the_proxy_refuses_a_slow_request_with_408(quick_service: str, tmp_path: Path) -> None:
    with dpt_proxy(quick_service.removeprefix("http://"), tmp_path) as url:
        body_head, body = await read_answer(url, half_a_body("/api/v1/nik", "application/json"))
        headers_head, _ = await read_answer(url, b"POST /api/v1/nik HTTP/1.1\r\nhost: test\r\n")
    # A body that does not arrive in time: the service's own 408, from the proxy's errorfile.
    assert body_head.startswith(b"http/1.1 408 ")
    assert json.loads(body)["error"]["code"] == "body_timeout"
    # Headers that do not: a 408 too, but HAProxy's built-in page (2.6 ignores `errorfile 408`
    # for a request whose headers never ended, as it does `errorfile 400`).
    assert headers_head.startswith(b"http/1.1 408 ")
