"""Open-loop HTTP/1.1 load generator: requests leave on a schedule, latency counts from the schedule.

    .venv/bin/python loadtest/openloop.py --url http://127.0.0.1:8000/health/live --rate 2000 --seconds 10

A closed-loop tool (wrk, ab) sends the next request only after an answer, so a stalled server also
stalls the load and its queueing never shows up in the numbers (coordinated omission). Here request
i is due at a time fixed by the phases before the run starts; its latency runs from that due time to
the last byte of its response, whether it waited in the server, in a socket, or here for a free
connection.

As a library:

    phases = [Phase(30, 500, 500, "before"), Phase(10, 500, 5000, "spike"), Phase(60, 500, 500, "after")]
    results = await run("127.0.0.1", 8000, phases, lambda i: Request("GET", "/health/live", b"", (), "live"))
    print(format_table(summary(results, phases).values(), SUMMARY_COLUMNS))
    print(format_table(timeline(results, bucket_seconds=5)))

The client is a bare `asyncio.Protocol` (keep-alive, one request per connection at a time) so that
one process on a 2-core machine shared with the server stays cheap. Times come from
`time.perf_counter()`: uvloop's `loop.time()` moves in whole milliseconds. Timers also fire at
millisecond granularity, so a request leaves up to ~1 ms after its due time; that delay is part of
its latency, as any other.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import socket
import sys
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple, cast
from urllib.parse import urlsplit

NO_RESPONSE = 0  # the status of a request that got no response: refused, reset, timed out, garbled
ALL_PHASES = "all"  # summary() key of the whole run

MIN_SLEEP = 0.001  # uvloop runs shorter timers at once (a busy loop): wake at most once per ms instead
DRAIN_GRACE = 0.05  # extra wait after the last request's timeout, so its own timer fires first
COUNT_EPSILON = 1e-9  # float slack when rounding an expected arrival count or a percentile rank
MAX_HEAD_BYTES = 64 * 1024
METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
STATUSES_WITHOUT_BODY = frozenset({204, 304})

SUMMARY_COLUMNS = (
    "phase",
    "sent",
    "offered_rps",
    "achieved_rps",
    "goodput_rps",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
    "shed",
    "shed_p99_ms",
    "rate_limited",
    "errors",
)


class Phase(NamedTuple):
    """A stretch of the run whose arrival rate goes linearly from start_rate to end_rate."""

    seconds: float
    start_rate: float  # requests per second at the start of the phase
    end_rate: float  # ... at its end (equal to start_rate for a constant rate)
    name: str


class Request(NamedTuple):
    """What to send; `kind` labels it in the report."""

    method: str
    path: str
    body: bytes
    headers: tuple[tuple[str, str], ...]  # extra headers, e.g. (("content-type", "application/json"),)
    kind: str


class Result(NamedTuple):
    """One request's outcome."""

    scheduled: float  # seconds since the run started, when it was due
    kind: str
    phase: str
    status: int  # HTTP status, or NO_RESPONSE (0) for a connection error or timeout
    latency_ms: float  # from the scheduled time to the last byte of the response (or to the failure)
    headers: dict[str, str]  # only the response headers named in `keep_headers` (lower-case names)


# --- Schedule -----------------------------------------------------------------------------------


def arrival_offsets(phase: Phase) -> Iterator[float]:
    """Due times within one phase (seconds from its start), evenly spaced at the instantaneous rate.

    With rate r(t) = a + (b - a)·t/T, the expected count by time t is N(t) = a·t + (b - a)·t²/(2T);
    arrival k is due when N(t) = k, i.e. at t = 2k / (a + √(a² + 2k(b - a)/T)), for k < N(T).
    """
    a, b, seconds = phase.start_rate, phase.end_rate, phase.seconds
    count = math.ceil((a + b) / 2 * seconds - COUNT_EPSILON)
    slope = (b - a) / seconds
    for k in range(count):
        yield 0.0 if k == 0 else 2 * k / (a + math.sqrt(max(0.0, a * a + 2 * k * slope)))


def schedule(phases: Sequence[Phase]) -> Iterator[tuple[float, Phase]]:
    """Every request's due time (seconds from the run's start) with its phase; phases run back to back."""
    for phase in phases:
        if phase.seconds <= 0 or phase.start_rate < 0 or phase.end_rate < 0:
            raise ValueError(f"phase {phase.name!r}: seconds must be > 0 and rates >= 0")
    return _due_times(phases)


def _due_times(phases: Sequence[Phase]) -> Iterator[tuple[float, Phase]]:
    phase_start = 0.0
    for phase in phases:
        for offset in arrival_offsets(phase):
            yield phase_start + offset, phase
        phase_start += phase.seconds


async def _sleep_until(due: float) -> None:
    """Return once time.perf_counter() has reached `due`; at once if it already has.

    A loop because timers may fire a little early (uvloop keeps time in whole milliseconds).
    """
    while (delay := due - time.perf_counter()) > 0:  # noqa: ASYNC110 - waiting for a time, not an event
        await asyncio.sleep(max(delay, MIN_SLEEP))


# --- HTTP/1.1 wire format -----------------------------------------------------------------------


def encode_request(request: Request, host_header: str) -> bytes:
    """The request's bytes on the wire."""
    lines = [f"{request.method} {request.path} HTTP/1.1", f"host: {host_header}"]
    if request.body or request.method in METHODS_WITH_BODY:
        lines.append(f"content-length: {len(request.body)}")
    lines.extend(f"{name}: {value}" for name, value in request.headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


class ProtocolError(Exception):
    """The server's bytes are not an HTTP/1.x response this client understands."""


class _ResponseParser:
    """Reads one response at a time from a connection's bytes; keeps the status and chosen headers.

    Bodies are skipped, framed by Content-Length, chunked transfer coding, or the end of the
    connection (when the response has neither).
    """

    def __init__(self, keep_headers: Sequence[str]) -> None:
        self._keep = tuple((name.lower().encode("latin-1"), name.lower()) for name in keep_headers)
        self._buffer = bytearray()
        self.reset()

    def reset(self, *, head_request: bool = False) -> None:
        """Get ready for the response to the next request."""
        self._buffer.clear()
        self._head_request = head_request
        self._reading_head = True
        self._chunked = False
        self._remaining = 0  # body bytes still to come, when framed by Content-Length
        self.ends_at_eof = False  # the body runs until the server closes the connection
        self.status = NO_RESPONSE
        self.headers: tuple[tuple[str, str], ...] = ()  # the kept ones, as (lower-case name, value)
        self.keep_alive = True

    def feed(self, data: bytes) -> bool:
        """Take bytes from the socket; True once the whole response has arrived."""
        self._buffer += data
        if self._reading_head and not self._read_head():
            return False
        if self._chunked:
            return self._read_chunks()
        if self.ends_at_eof:
            self._buffer.clear()
            return False
        return self._read_sized_body()

    def _read_head(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise ProtocolError(f"response head longer than {MAX_HEAD_BYTES} bytes")
            return False
        head = bytes(self._buffer[:end])
        del self._buffer[: end + 4]
        self._reading_head = False
        self._parse_head(head)
        return True

    def _parse_head(self, head: bytes) -> None:
        status_line, *field_lines = head.split(b"\r\n")
        version, _, rest = status_line.partition(b" ")
        if not version.startswith(b"HTTP/1.") or not rest[:3].isdigit():
            raise ProtocolError(f"not an HTTP/1.x status line: {status_line[:80]!r}")
        self.status = int(rest[:3])
        fields: dict[bytes, bytes] = {}
        for line in field_lines:
            name, colon, value = line.partition(b":")
            if not colon:
                raise ProtocolError(f"header line without a colon: {line[:80]!r}")
            fields[name.strip().lower()] = value.strip()
        self.headers = tuple(
            (text, fields[raw].decode("latin-1")) for raw, text in self._keep if raw in fields
        )
        connection = fields.get(b"connection", b"").lower()
        self.keep_alive = (
            b"close" not in connection if version == b"HTTP/1.1" else b"keep-alive" in connection
        )
        self._frame_body(fields)

    def _frame_body(self, fields: dict[bytes, bytes]) -> None:
        if self._head_request or self.status < 200 or self.status in STATUSES_WITHOUT_BODY:
            self._remaining = 0
        elif b"chunked" in fields.get(b"transfer-encoding", b"").lower():
            self._chunked = True
        elif b"content-length" in fields:
            length = fields[b"content-length"]
            if not length.isdigit():
                raise ProtocolError(f"bad Content-Length: {length[:40]!r}")
            self._remaining = int(length)
        else:
            self.ends_at_eof = True
            self.keep_alive = False

    def _read_sized_body(self) -> bool:
        taken = min(self._remaining, len(self._buffer))
        self._remaining -= taken
        del self._buffer[:taken]
        return self._remaining == 0 and self._response_ends_here()

    def _read_chunks(self) -> bool:
        while (line_end := self._buffer.find(b"\r\n")) >= 0:
            size_text = bytes(self._buffer[:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size: {size_text[:40]!r}") from None
            if size == 0:  # the last chunk: optional trailer fields, then an empty line
                end = self._buffer.find(b"\r\n\r\n", line_end)
                if end < 0:
                    return False
                del self._buffer[: end + 4]
                return self._response_ends_here()
            chunk_end = line_end + 2 + size + 2  # size line, data, CRLF
            if len(self._buffer) < chunk_end:
                return False
            del self._buffer[:chunk_end]
        return False

    def _response_ends_here(self) -> bool:
        """The response is complete; bytes beyond it mean the stream is out of step, so drop it."""
        if self._buffer:
            self.keep_alive = False
        return True


# --- Connections --------------------------------------------------------------------------------


class _Pending(NamedTuple):
    """A request that is due and not yet answered."""

    due: float  # time.perf_counter() time
    scheduled: float  # seconds since the run started
    kind: str
    phase: str
    payload: bytes
    head_request: bool


class _Connection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self, pool: _Pool) -> None:
        self._pool = pool
        self._parser = _ResponseParser(pool.keep_headers)
        self._transport: asyncio.Transport | None = None
        self._pending: _Pending | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def send(self, pending: _Pending) -> None:
        """Write the request and give up on it `timeout` seconds after its due time."""
        assert self._transport is not None
        self._pending = pending
        self._parser.reset(head_request=pending.head_request)
        delay = pending.due + self._pool.timeout - time.perf_counter()
        self._timer = self._pool.loop.call_later(delay, self._time_out)
        self._transport.write(pending.payload)

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        if self._pending is None:  # the server spoke out of turn: the stream cannot be trusted
            self._transport.abort()
            return
        try:
            complete = self._parser.feed(data)
        except ProtocolError:
            self.abandon()
            return
        if not complete:
            return
        self._finish(self._parser.status)
        if self._parser.keep_alive:
            self._pool.release(self)
        else:
            self._transport.close()  # connection_lost() then drops it from the pool

    def eof_received(self) -> bool:
        """The server is closing: take no new request (the transport then closes)."""
        self._pool.retire(self)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self._pending is not None:
            body_ended = exc is None and self._parser.ends_at_eof  # a body framed by the close
            self._finish(self._parser.status if body_ended else NO_RESPONSE)
        self._pool.forget(self)

    def abandon(self) -> None:
        """Fail the request in flight, if any (status 0), and drop the connection."""
        if self._pending is not None:
            self._finish(NO_RESPONSE)
        if self._transport is not None:
            self._transport.abort()

    def _time_out(self) -> None:
        self._timer = None
        self.abandon()

    def _finish(self, status: int) -> None:
        assert self._pending is not None
        pending, self._pending = self._pending, None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        headers = self._parser.headers if status != NO_RESPONSE else ()
        self._pool.record(pending, status, headers)


_Labels = tuple[str, str, tuple[tuple[str, str], ...]]  # kind, phase, kept response headers


class _Outcomes:
    """Results as they arrive, in arrays: compact, and out of the cyclic garbage collector's sight.

    A list of millions of Result tuples would make every full collection walk them all, pausing the
    run for long enough to show up as latency. Labels (kind, phase, kept headers) repeat, so each
    distinct one is stored once and referred to by number.
    """

    def __init__(self) -> None:
        self._scheduled = array("d")
        self._latency_ms = array("d")
        self._status = array("H")
        self._label_ids = array("L")
        self._labels: list[_Labels] = []
        self._label_id: dict[_Labels, int] = {}

    def add(
        self, pending: _Pending, status: int, latency_ms: float, headers: tuple[tuple[str, str], ...]
    ) -> None:
        labels = (pending.kind, pending.phase, headers)
        label_id = self._label_id.get(labels)
        if label_id is None:
            label_id = self._label_id[labels] = len(self._labels)
            self._labels.append(labels)
        self._scheduled.append(pending.scheduled)
        self._latency_ms.append(latency_ms)
        self._status.append(status)
        self._label_ids.append(label_id)

    def results(self) -> list[Result]:
        """Every Result, in order of scheduled time."""
        order = sorted(range(len(self._scheduled)), key=self._scheduled.__getitem__)
        return [self._result(index) for index in order]

    def _result(self, index: int) -> Result:
        kind, phase, headers = self._labels[self._label_ids[index]]
        return Result(
            self._scheduled[index], kind, phase, self._status[index], self._latency_ms[index], dict(headers)
        )


class _Pool:
    """Keep-alive connections to one server; due requests queue here while all are busy."""

    def __init__(
        self, address: str, port: int, *, max_connections: int, timeout: float, keep_headers: Sequence[str]
    ) -> None:
        self.loop = asyncio.get_running_loop()
        self.timeout = timeout
        self.keep_headers = keep_headers
        self.outcomes = _Outcomes()
        self._address = address
        self._port = port
        self._max_connections = max_connections
        self._idle: dict[_Connection, None] = {}  # insertion-ordered: popitem() reuses the latest
        self._connections: set[_Connection] = set()
        self._connectors: set[asyncio.Task[None]] = set()
        self._waiting: deque[_Pending] = deque()
        self._opened = 0  # connections open or being opened
        self._opening = 0
        self._outstanding = 0  # requests without a result yet
        self._quiet = asyncio.Event()  # set while no request is outstanding
        self._quiet.set()

    def submit(self, pending: _Pending) -> None:
        """Send a due request on an idle connection, or queue it and open a connection if allowed."""
        self._outstanding += 1
        self._quiet.clear()
        self._waiting.append(pending)
        if self._idle:
            connection, _ = self._idle.popitem()
            self.release(connection)
        else:
            self._open_more()

    def release(self, connection: _Connection) -> None:
        """A connection is free: give it the oldest queued request, or keep it idle."""
        pending = self._next_in_time()
        if pending is None:
            self._idle[connection] = None
        else:
            connection.send(pending)

    def retire(self, connection: _Connection) -> None:
        """A connection is closing: never hand it another request."""
        self._idle.pop(connection, None)

    def forget(self, connection: _Connection) -> None:
        """A connection has closed; queued requests may need a new one."""
        if connection not in self._connections:  # it closed before _connect() took it: counted there
            return
        self._connections.remove(connection)
        self._idle.pop(connection, None)
        self._opened -= 1
        self._open_more()

    def record(self, pending: _Pending, status: int, headers: tuple[tuple[str, str], ...] = ()) -> None:
        latency_ms = (time.perf_counter() - pending.due) * 1000
        self.outcomes.add(pending, status, latency_ms, headers)
        self._outstanding -= 1
        if self._outstanding == 0:
            self._quiet.set()

    async def drain(self, seconds: float) -> None:
        """Wait until every submitted request has a result, or at most `seconds`."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), seconds)

    async def close(self) -> None:
        """Fail whatever is still outstanding (status 0) and close every connection."""
        connectors = list(self._connectors)
        for task in connectors:
            task.cancel()
        await asyncio.gather(*connectors, return_exceptions=True)
        for connection in list(self._connections):
            connection.abandon()
        while self._waiting:
            self.record(self._waiting.popleft(), NO_RESPONSE)
        await asyncio.sleep(0)  # let the transports run their connection_lost() callbacks

    def _next_in_time(self) -> _Pending | None:
        """The oldest queued request still within its timeout; older ones fail (status 0)."""
        now = time.perf_counter()
        while self._waiting:
            pending = self._waiting.popleft()
            if now - pending.due < self.timeout:
                return pending
            self.record(pending, NO_RESPONSE)
        return None

    def _open_more(self) -> None:
        """Open connections for queued requests that no connection being opened will take."""
        while len(self._waiting) > self._opening and self._opened < self._max_connections:
            self._opened += 1
            self._opening += 1
            task = self.loop.create_task(self._connect())
            self._connectors.add(task)
            task.add_done_callback(self._connectors.discard)

    async def _connect(self) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                _, connection = await self.loop.create_connection(
                    lambda: _Connection(self), self._address, self._port
                )
        except OSError:  # refused, unreachable, timed out: the oldest queued request fails
            self._opening -= 1
            self._opened -= 1
            pending = self._next_in_time()
            if pending is not None:
                self.record(pending, NO_RESPONSE)
            self._open_more()
            return
        self._opening -= 1
        self._connections.add(connection)
        self.release(connection)


async def _resolve(host: str, port: int) -> str:
    """One address for `host`, looked up once rather than for every new connection."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return str(infos[0][4][0])


async def run(
    host: str,
    port: int,
    phases: list[Phase],
    next_request: Callable[[int], Request],
    *,
    max_connections: int = 1024,
    timeout: float = 10.0,  # noqa: ASYNC109 - a per-request limit, not one for the whole call
    keep_headers: tuple[str, ...] = ("retry-after", "x-cache-tier"),
) -> list[Result]:
    """Send `next_request(i)` at each scheduled arrival; return one Result per request, by schedule.

    A request gets status 0 when it cannot be sent or answered within `timeout` seconds of its due
    time. After the last phase the run waits for answers (up to `timeout`), then closes everything.
    """
    if max_connections < 1 or timeout <= 0:
        raise ValueError("max_connections must be >= 1 and timeout > 0")
    host_header = host if port == 80 else f"{host}:{port}"
    # Every request is built before the run starts: at 10,000 requests/s the generator's own
    # time per request is the floor a shed request is judged against, so the loop below only
    # waits, sends and records.
    prepared = []
    for index, (offset, phase) in enumerate(schedule(phases)):
        request = next_request(index)
        prepared.append(
            (offset, request.kind, phase.name, encode_request(request, host_header), request.method == "HEAD")
        )
    pool = _Pool(
        await _resolve(host, port),
        port,
        max_connections=max_connections,
        timeout=timeout,
        keep_headers=keep_headers,
    )
    # What the caller holds (datasets, earlier runs' results) stays out of the collector's sight
    # during the run: a full collection walking it would pause the schedule.
    gc.collect()
    gc.freeze()
    start = time.perf_counter()
    try:
        for offset, kind, phase_name, payload, head_request in prepared:
            await _sleep_until(start + offset)
            pool.submit(_Pending(start + offset, offset, kind, phase_name, payload, head_request))
        await pool.drain(timeout + DRAIN_GRACE)
    finally:
        await pool.close()
        gc.unfreeze()
    return pool.outcomes.results()


# --- Report -------------------------------------------------------------------------------------


def is_2xx(result: Result) -> bool:
    """The default meaning of "answered": a 2xx response."""
    return 200 <= result.status < 300


def is_error_status(status: int) -> bool:
    """The default errors: no response (0), any 5xx but 503 (shed), any 4xx but 422 and 429."""
    if status == NO_RESPONSE:
        return True
    if status >= 500:
        return status != 503
    if status >= 400:
        return status not in {422, 429}
    return False


def percentile(values: Iterable[float], p: float) -> float:
    """Nearest-rank percentile, p in 0..100; nan for no values."""
    return _nearest_rank(sorted(values), p)


def _nearest_rank(ordered: Sequence[float], p: float) -> float:
    if not ordered:
        return math.nan
    rank = math.ceil(p * len(ordered) / 100 - COUNT_EPSILON)
    return ordered[min(max(rank, 1), len(ordered)) - 1]


class Summary(NamedTuple):
    """One phase (or the whole run): rates per second of the phase's duration, latencies in ms."""

    phase: str
    seconds: float
    sent: int
    answered: int
    offered_rps: float  # requests scheduled per second
    achieved_rps: float  # responses of any status per second
    goodput_rps: float  # answered responses per second
    p50_ms: float  # answered latency percentiles
    p95_ms: float
    p99_ms: float
    max_ms: float
    shed: int  # 503 responses
    shed_p99_ms: float
    rate_limited: int  # 429 responses
    errors: int
    kinds: dict[str, int]  # requests sent per kind


def summary(
    results: Sequence[Result],
    phases: Sequence[Phase],
    *,
    answered: Callable[[Result], bool] = is_2xx,
    is_error: Callable[[int], bool] = is_error_status,
) -> dict[str, Summary]:
    """A Summary per phase name, in phase order, then the whole run under ALL_PHASES ("all")."""
    seconds: dict[str, float] = {}
    for phase in phases:
        seconds[phase.name] = seconds.get(phase.name, 0.0) + phase.seconds
    by_phase: dict[str, list[Result]] = {name: [] for name in seconds}
    for result in results:
        by_phase[result.phase].append(result)
    table = {
        name: _summarise(name, seconds[name], rows, answered, is_error) for name, rows in by_phase.items()
    }
    table[ALL_PHASES] = _summarise(ALL_PHASES, sum(seconds.values()), results, answered, is_error)
    return table


def _summarise(
    name: str,
    seconds: float,
    rows: Sequence[Result],
    answered: Callable[[Result], bool],
    is_error: Callable[[int], bool],
) -> Summary:
    answered_ms = sorted(row.latency_ms for row in rows if answered(row))
    shed_ms = sorted(row.latency_ms for row in rows if row.status == 503)
    responses = sum(1 for row in rows if row.status != NO_RESPONSE)
    return Summary(
        phase=name,
        seconds=seconds,
        sent=len(rows),
        answered=len(answered_ms),
        offered_rps=len(rows) / seconds,
        achieved_rps=responses / seconds,
        goodput_rps=len(answered_ms) / seconds,
        p50_ms=_nearest_rank(answered_ms, 50),
        p95_ms=_nearest_rank(answered_ms, 95),
        p99_ms=_nearest_rank(answered_ms, 99),
        max_ms=_nearest_rank(answered_ms, 100),
        shed=len(shed_ms),
        shed_p99_ms=_nearest_rank(shed_ms, 99),
        rate_limited=sum(1 for row in rows if row.status == 429),
        errors=sum(1 for row in rows if is_error(row.status)),
        kinds=dict(sorted(Counter(row.kind for row in rows).items())),
    )


class Bucket(NamedTuple):
    """Requests whose scheduled time falls in [start, start + bucket_seconds)."""

    start: float
    sent: int
    answered: int
    shed: int
    rate_limited: int
    errors: int
    p99_ms: float  # answered latency
    shed_p99_ms: float  # latency of the 503s


def timeline(
    results: Sequence[Result],
    bucket_seconds: float = 1.0,
    *,
    answered: Callable[[Result], bool] = is_2xx,
    is_error: Callable[[int], bool] = is_error_status,
) -> list[Bucket]:
    """Counts, answered p99 and shed p99 per bucket of scheduled time, from 0 to the last request."""
    if not results:
        return []
    last = max(math.floor(result.scheduled / bucket_seconds) for result in results)
    buckets: list[list[Result]] = [[] for _ in range(last + 1)]
    for result in results:
        buckets[math.floor(result.scheduled / bucket_seconds)].append(result)
    return [
        Bucket(
            start=index * bucket_seconds,
            sent=len(rows),
            answered=sum(1 for row in rows if answered(row)),
            shed=sum(1 for row in rows if row.status == 503),
            rate_limited=sum(1 for row in rows if row.status == 429),
            errors=sum(1 for row in rows if is_error(row.status)),
            p99_ms=percentile((row.latency_ms for row in rows if answered(row)), 99),
            shed_p99_ms=percentile((row.latency_ms for row in rows if row.status == 503), 99),
        )
        for index, rows in enumerate(buckets)
    ]


def format_table(rows: Iterable[Summary | Bucket], columns: Sequence[str] | None = None) -> str:
    """A Markdown table of summaries or buckets: text left-aligned, numbers right-aligned."""
    table_rows = list(rows)
    if not table_rows:
        return ""
    first = table_rows[0]
    names = list(columns or first._fields)
    align = ["---" if isinstance(getattr(first, name), str | dict) else "---:" for name in names]
    lines = [_table_line(names), _table_line(align)]
    lines.extend(_table_line([_cell(getattr(row, name)) for name in names]) for row in table_rows)
    return "\n".join(lines)


def _table_line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key} {count:,}" for key, count in value.items())
    if isinstance(value, float):
        return "-" if math.isnan(value) else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# --- Command line -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run one constant-rate phase against --url and print the summary table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="http://host:port/path")
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", default="", help="request body, sent as application/json")
    parser.add_argument("--connections", type=int, default=1024, help="most connections open at once")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds from due time to giving up")
    args = parser.parse_args(argv)
    url = urlsplit(args.url)
    if url.scheme != "http" or not url.hostname:
        parser.error("--url must be http://host[:port]/path")
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    headers = (("content-type", "application/json"),) if args.body else ()
    request = Request(args.method.upper(), path, args.body.encode(), headers, "request")
    phases = [Phase(args.seconds, args.rate, args.rate, "constant")]

    import uvloop

    results = uvloop.run(
        run(
            url.hostname,
            url.port or 80,
            phases,
            lambda _index: request,
            max_connections=args.connections,
            timeout=args.timeout,
        )
    )
    print(format_table(summary(results, phases).values(), SUMMARY_COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
