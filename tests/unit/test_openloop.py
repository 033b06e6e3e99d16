"""loadtest/openloop.py: the open-loop generator against real in-process HTTP servers, and its report.

No test has an upper bound on time: latencies are checked only from below, where the schedule
proves what they must at least include.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import socket
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NamedTuple

import pytest
import uvloop

from loadtest.openloop import (
    Bucket,
    Phase,
    ProtocolError,
    Request,
    Result,
    Summary,
    _ResponseParser,
    format_table,
    percentile,
    run,
    schedule,
    summary,
    timeline,
)

ROOT = Path(__file__).resolve().parents[2]
TIMER_SLACK_MS = 1.0  # timers may fire up to a millisecond early (uvloop keeps time in whole ms)


# --- A small HTTP/1.1 server to talk to -----------------------------------------------------------


class Received(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Reply(NamedTuple):
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b'{"ok":true}'
    framing: str = "length"  # "length" (Content-Length), "chunked", or "eof" (body ends at close)


Handler = Callable[[Received], Awaitable[Reply]]


async def answer_ok(_request: Received) -> Reply:
    return Reply()


class HttpServer:
    """An asyncio HTTP/1.1 server on 127.0.0.1 that answers each request with `handler`'s Reply."""

    def __init__(
        self, handler: Handler = answer_ok, *, close_after_reply: bool = False, announce_close: bool = True
    ) -> None:
        self.port = 0
        self.connections = 0
        self.requests: list[Received] = []
        self._handler = handler
        self._close_after_reply = close_after_reply
        self._announce_close = announce_close
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> HttpServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            while (request := await read_request(reader)) is not None:
                self.requests.append(request)
                reply = await self._handler(request)
                announce = self._close_after_reply and self._announce_close
                writer.write(encode_reply(reply, announce_close=announce))
                await writer.drain()
                if self._close_after_reply or reply.framing == "eof":
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self._tasks.discard(task)


async def read_request(reader: asyncio.StreamReader) -> Received | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    request_line, *lines = head[:-4].decode("latin-1").split("\r\n")
    method, path, _version = request_line.split(" ")
    headers = {
        name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Received(method, path, headers, body)


def encode_reply(reply: Reply, *, announce_close: bool) -> bytes:
    lines = [f"HTTP/1.1 {reply.status} Whatever", *(f"{name}: {value}" for name, value in reply.headers)]
    if announce_close:
        lines.append("Connection: close")
    body = reply.body
    if reply.framing == "length":
        lines.append(f"Content-Length: {len(body)}")
    elif reply.framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
        body = chunked(body, size=4)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(body: bytes, size: int, trailer: bytes = b"") -> bytes:
    pieces = [body[start : start + size] for start in range(0, len(body), size)]
    return (
        b"".join(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
        + b"0\r\n"
        + trailer
        + b"\r\n"
    )


def unused_port() -> socket.socket:
    """A socket bound to a port on 127.0.0.1 that nothing listens on (keep it open while in use)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    return probe


def get(path: str = "/", kind: str = "get") -> Callable[[int], Request]:
    return lambda _index: Request("GET", path, b"", (), kind)


# --- The generator against a server ----------------------------------------------------------------

JSON_FROM_CLIENT = (("content-type", "application/json"), ("x-forwarded-for", "10.0.0.7"))
MIX = [
    Request("POST", "/api/v1/nik", b'{"nik":"3171012345678901"}', JSON_FROM_CLIENT, "nik-hit"),
    Request("POST", "/api/v1/nik", b'{"nik":"3171000000000000"}', JSON_FROM_CLIENT, "nik-miss"),
    Request("POST", "/api/v1/nik", b'{"nik":', JSON_FROM_CLIENT, "malformed"),
    Request("GET", "/api/v1/search?name=budi", b"", (), "search"),
]
STATUS_BY_KIND = {"nik-hit": 200, "nik-miss": 404, "malformed": 422, "search": 429}
HEADERS_BY_KIND = {
    "nik-hit": {"x-cache-tier": "local"},
    "nik-miss": {},
    "malformed": {},
    "search": {"retry-after": "7"},
}


async def lookup_service(request: Received) -> Reply:
    """Answers the MIX: a hit, a miss, a malformed body, a rate-limited search."""
    if request.method == "GET":
        return Reply(429, (("Retry-After", "7"), ("X-Other", "not kept")))
    if request.body == b'{"nik":':
        return Reply(422)
    if b"0000000000" in request.body:
        return Reply(404)
    return Reply(200, (("X-Cache-Tier", "local"),), framing="chunked")


async def constant_and_ramp_run() -> None:
    phases = [Phase(0.5, 200, 200, "steady"), Phase(0.5, 0, 400, "ramp")]
    async with HttpServer(lookup_service) as server:
        results = await run("127.0.0.1", server.port, phases, lambda i: MIX[i % len(MIX)])

    assert len(results) == 200
    assert Counter(result.phase for result in results) == {"steady": 100, "ramp": 100}
    assert [result.scheduled for result in results] == [due for due, _ in schedule(phases)]
    assert [result.scheduled for result in results[:100]] == pytest.approx([i / 200 for i in range(100)])
    assert Counter(result.kind for result in results) == dict.fromkeys(STATUS_BY_KIND, 50)
    for result in results:
        assert result.status == STATUS_BY_KIND[result.kind]
        assert result.headers == HEADERS_BY_KIND[result.kind]
        assert result.latency_ms >= 0

    assert len(server.requests) == 200
    assert server.connections < len(server.requests)  # keep-alive: connections were reused
    for received, sent in zip(server.requests, (MIX[i % len(MIX)] for i in range(200)), strict=True):
        assert (received.method, received.path, received.body) == (sent.method, sent.path, sent.body)
        assert received.headers["host"] == f"127.0.0.1:{server.port}"
        for name, value in sent.headers:
            assert received.headers[name] == value


async def test_every_request_is_answered_and_labelled() -> None:
    await constant_and_ramp_run()


def test_the_same_run_on_uvloop() -> None:
    uvloop.run(constant_and_ramp_run())


async def test_latency_includes_a_server_stall() -> None:
    """Requests due from 0.3 s wait until request 0.8 s arrives: their latency includes that wait."""
    gate = asyncio.Event()

    async def stall(request: Received) -> Reply:
        index = int(request.path.rsplit("/", 1)[1])
        if index >= 80:
            gate.set()
        elif index >= 30:
            await gate.wait()
        return Reply()

    async with HttpServer(stall) as server:
        results = await run(
            "127.0.0.1",
            server.port,
            [Phase(1.0, 100, 100, "stall")],
            lambda i: Request("GET", f"/r/{i}", b"", (), "r"),
        )

    assert [result.status for result in results] == [200] * 100
    # Request 80 leaves no earlier than its due time, 0.8 s; a stalled request due at s cannot be
    # answered before then, so its latency, counted from s, is at least 0.8 - s.
    for result in results[30:80]:
        assert result.latency_ms >= (0.8 - result.scheduled) * 1000 - 0.01
    assert results[40].scheduled == pytest.approx(0.4)
    assert results[40].latency_ms >= 300


async def test_requests_queued_for_a_connection_count_from_their_schedule() -> None:
    async def slow(_request: Received) -> Reply:
        await asyncio.sleep(0.02)
        return Reply()

    async with HttpServer(slow) as server:
        results = await run(
            "127.0.0.1", server.port, [Phase(0.2, 100, 100, "queue")], get(), max_connections=1
        )

    assert server.connections == 1
    assert [result.status for result in results] == [200] * 20
    # One connection, 20 ms per answer: answer k comes at least (k + 1)·20 ms after the start; it was
    # due at k·10 ms.
    for k, result in enumerate(results):
        assert result.latency_ms >= (k + 1) * 20 - k * 10 - TIMER_SLACK_MS


@pytest.mark.parametrize("announce", [True, False], ids=["connection-close", "silent-close"])
async def test_connections_closed_by_the_server_are_replaced(announce: bool) -> None:
    async with HttpServer(close_after_reply=True, announce_close=announce) as server:
        results = await run("127.0.0.1", server.port, [Phase(0.25, 100, 100, "p")], get())

    assert [result.status for result in results] == [200] * 25
    assert server.connections == 25


async def test_chunked_and_close_delimited_bodies() -> None:
    async def framed(request: Received) -> Reply:
        framing = request.path.strip("/")
        return Reply(200, (("X-Cache-Tier", framing),), b"x" * 1000, framing)

    paths = ["/chunked", "/eof", "/length"]
    async with HttpServer(framed) as server:
        results = await run(
            "127.0.0.1",
            server.port,
            [Phase(0.3, 100, 100, "p")],
            lambda i: Request("GET", paths[i % 3], b"", (), paths[i % 3]),
        )

    assert [result.status for result in results] == [200] * 30
    assert all(result.headers == {"x-cache-tier": result.kind.strip("/")} for result in results)


async def test_nothing_listening_gives_status_zero() -> None:
    with unused_port() as closed:
        results = await run(
            "127.0.0.1", closed.getsockname()[1], [Phase(0.1, 100, 100, "p")], get(), timeout=2
        )

    assert len(results) == 10
    assert all(result.status == 0 and result.headers == {} and result.latency_ms >= 0 for result in results)


async def test_a_reset_connection_gives_status_zero() -> None:
    async def abort_on_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.transport.abort()

    server = await asyncio.start_server(abort_on_request, "127.0.0.1", 0)
    async with server:
        port = server.sockets[0].getsockname()[1]
        results = await run("127.0.0.1", port, [Phase(0.1, 100, 100, "p")], get(), timeout=2)

    assert [result.status for result in results] == [0] * 10


@pytest.mark.parametrize("connections", [1, 1024], ids=["queued-behind-each-other", "in-parallel"])
async def test_an_unanswered_request_times_out_with_status_zero(connections: int) -> None:
    async def never(_request: Received) -> Reply:
        await asyncio.Event().wait()
        raise AssertionError

    async with HttpServer(never) as server:
        results = await run(
            "127.0.0.1",
            server.port,
            [Phase(0.1, 50, 50, "p")],
            get(),
            max_connections=connections,
            timeout=0.2,
        )

    assert [result.status for result in results] == [0] * 5
    assert all(result.latency_ms >= 200 - TIMER_SLACK_MS for result in results)


async def test_the_command_line_prints_a_summary_table() -> None:
    async with HttpServer() as server:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "loadtest" / "openloop.py"),
            "--url",
            f"http://127.0.0.1:{server.port}/health/live",
            "--rate",
            "100",
            "--seconds",
            "0.2",
            stdout=asyncio.subprocess.PIPE,
        )
        stdout, _ = await process.communicate()

    assert process.returncode == 0
    assert "| constant | 20 | 100.0 | 100.0 | 100.0 |" in stdout.decode()
    assert {request.path for request in server.requests} == {"/health/live"}


# --- Schedule and response parsing -----------------------------------------------------------------


def test_a_ramp_spaces_arrivals_at_its_instantaneous_rate() -> None:
    due = [offset for offset, _ in schedule([Phase(2.0, 100, 300, "ramp")])]

    assert len(due) == 400  # the mean rate, 200/s, for 2 s
    assert sum(1 for t in due if t < 1.0) == 150  # ∫₀¹ (100 + 100·t) dt
    assert due[0] == 0.0
    gaps = [later - earlier for earlier, later in itertools.pairwise(due)]
    assert all(later < earlier for earlier, later in itertools.pairwise(gaps))


def test_phases_run_back_to_back() -> None:
    arrivals = list(schedule([Phase(1.0, 10, 10, "a"), Phase(1.0, 20, 0, "b"), Phase(0.5, 4, 4, "c")]))

    assert Counter(phase.name for _, phase in arrivals) == {"a": 10, "b": 10, "c": 2}
    assert [offset for offset, phase in arrivals if phase.name == "c"] == [2.0, 2.25]
    with pytest.raises(ValueError, match="seconds must be > 0"):
        schedule([Phase(0.0, 10, 10, "empty")])


def test_the_parser_takes_a_response_byte_by_byte() -> None:
    body = b'{"found":true,"nik":"3171..."}'
    head = b"HTTP/1.1 200 OK\r\nX-Cache-Tier: redis\r\nTransfer-Encoding: chunked\r\nRetry-After: 3\r\n\r\n"
    response = head + chunked(body, size=7, trailer=b"X-Trailer: yes\r\n")
    parser = _ResponseParser(("retry-after", "x-cache-tier"))

    completions = [parser.feed(response[i : i + 1]) for i in range(len(response))]

    assert completions == [False] * (len(response) - 1) + [True]
    assert (parser.status, parser.keep_alive) == (200, True)
    assert dict(parser.headers) == {"retry-after": "3", "x-cache-tier": "redis"}


def test_the_parser_frames_bodies_as_http_says() -> None:
    parser = _ResponseParser(())
    parser.reset(head_request=True)
    assert parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")  # HEAD: no body follows
    parser.reset()
    assert parser.feed(b"HTTP/1.1 204 No Content\r\n\r\n")
    parser.reset()
    assert not parser.feed(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\nab")
    assert parser.feed(b"cd")
    assert not parser.keep_alive
    parser.reset()
    assert parser.feed(b"HTTP/1.0 503 Busy\r\nContent-Length: 0\r\n\r\n")
    assert (parser.status, parser.keep_alive) == (503, False)  # HTTP/1.0 closes unless asked not to
    parser.reset()
    assert not parser.feed(b"HTTP/1.1 200 OK\r\n\r\nuntil the end")
    assert parser.ends_at_eof and not parser.keep_alive
    parser.reset()
    with pytest.raises(ProtocolError, match="status line"):
        parser.feed(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")


# --- Report ----------------------------------------------------------------------------------------


def test_percentile_is_nearest_rank() -> None:
    values = [40, 15, 50, 35, 20]

    assert [percentile(values, p) for p in (0, 5, 30, 40, 50, 95, 100)] == [15, 15, 20, 20, 35, 50, 50]
    assert percentile(range(1, 1001), 99) == 990
    assert percentile(range(1, 1001), 99.9) == 999
    assert math.isnan(percentile([], 50))


PHASES = [Phase(2.0, 2, 2, "steady"), Phase(1.0, 8, 8, "spike")]
RESULTS = [
    Result(0.0, "nik-hit", "steady", 200, 10.0, {}),
    Result(0.5, "nik-hit", "steady", 200, 30.0, {"x-cache-tier": "local"}),
    Result(1.0, "malformed", "steady", 422, 5.0, {}),
    Result(1.5, "nik-miss", "steady", 0, 10_000.0, {}),
    Result(2.0, "nik-hit", "spike", 200, 40.0, {}),
    Result(2.1, "nik-hit", "spike", 200, 20.0, {}),
    Result(2.2, "nik-hit", "spike", 503, 2.0, {"retry-after": "1"}),
    Result(2.3, "nik-hit", "spike", 503, 4.0, {"retry-after": "1"}),
    Result(2.4, "search", "spike", 429, 1.0, {"retry-after": "3"}),
    Result(2.5, "search", "spike", 500, 7.0, {}),
    Result(2.6, "search", "spike", 404, 3.0, {}),
    Result(2.7, "nik-hit", "spike", 200, 60.0, {}),
]
NAN = math.nan


def comparable(row: tuple[object, ...]) -> tuple[object, ...]:
    """The row with nan replaced by a string, since nan != nan."""
    return tuple("nan" if isinstance(value, float) and math.isnan(value) else value for value in row)


def test_summary_per_phase_and_overall() -> None:
    table = summary(RESULTS, PHASES)

    assert list(table) == ["steady", "spike", "all"]
    # fmt: off
    expected = [
        Summary("steady", 2.0, 4, 2, 2.0, 1.5, 1.0, 10.0, 30.0, 30.0, 30.0, 0, NAN, 0, 1,
                {"malformed": 1, "nik-hit": 2, "nik-miss": 1}),
        Summary("spike", 1.0, 8, 3, 8.0, 8.0, 3.0, 40.0, 60.0, 60.0, 60.0, 2, 4.0, 1, 2,
                {"nik-hit": 5, "search": 3}),
        Summary("all", 3.0, 12, 5, 4.0, 11 / 3, 5 / 3, 30.0, 60.0, 60.0, 60.0, 2, 4.0, 1, 3,
                {"malformed": 1, "nik-hit": 7, "nik-miss": 1, "search": 3}),
    ]
    # fmt: on
    assert [comparable(row) for row in table.values()] == [comparable(row) for row in expected]


def test_summary_takes_other_meanings_of_answered_and_error() -> None:
    table = summary(
        RESULTS,
        PHASES,
        answered=lambda result: 200 <= result.status < 500,
        is_error=lambda status: status >= 500,
    )

    assert (table["spike"].answered, table["spike"].errors, table["steady"].errors) == (5, 3, 0)
    assert table["spike"].p50_ms == 20.0  # of 1, 3, 20, 40, 60


def test_timeline_buckets_by_scheduled_time() -> None:
    assert [comparable(bucket) for bucket in timeline(RESULTS)] == [
        (0.0, 2, 2, 0, 0, 0, 30.0, "nan"),
        (1.0, 2, 0, 0, 0, 1, "nan", "nan"),
        (2.0, 8, 3, 2, 1, 2, 60.0, 4.0),
    ]
    sparse = [RESULTS[0], RESULTS[0]._replace(scheduled=3.5)]
    assert [bucket.sent for bucket in timeline(sparse, bucket_seconds=1.0)] == [1, 0, 0, 1]
    assert timeline([]) == []


def test_format_table_is_markdown() -> None:
    assert format_table(timeline(RESULTS), ["start", "sent", "p99_ms"]) == "\n".join(
        [
            "| start | sent | p99_ms |",
            "| ---: | ---: | ---: |",
            "| 0.0 | 2 | 30.0 |",
            "| 1.0 | 2 | - |",
            "| 2.0 | 8 | 60.0 |",
        ]
    )
    overall = format_table([summary(RESULTS, PHASES)["all"]], ["phase", "sent", "offered_rps", "kinds"])
    assert overall.splitlines()[1:] == [
        "| --- | ---: | ---: | --- |",
        "| all | 12 | 4.0 | malformed 1, nik-hit 7, nik-miss 1, search 3 |",
    ]
    assert format_table([Bucket(0.0, 1_234_567, 0, 0, 0, 0, 1234.5, NAN)]).splitlines()[2] == (
        "| 0.0 | 1,234,567 | 0 | 0 | 0 | 0 | 1,234.5 | - |"
    )
