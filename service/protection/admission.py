"""Admission control: a bound on the work one worker takes on at once.

Up to `max_in_flight` requests run at once. One more waits at most `queue_seconds` for a slot,
and at most `max_queued` wait. Anything beyond that is answered at once with `503 overloaded` and
`Retry-After`, which costs microseconds. The alternative, queueing until every client times out,
is how checkers fell over on polling day. Health, readiness, metrics and the schema are never
held back, so operators and load balancers can still see the worker.

A request that carries a body is not let in until the body has arrived: the guard reads it first,
for at most `body_seconds`, and replays it to the app. A client that sends its headers and then
its body a byte at a time would otherwise hold a slot for as long as it likes (granian has no
deadline for a body), and a few dozen such connections take the worker from everyone. A body
that does not arrive in time gets `408 body_timeout` and the connection is closed.
"""

from __future__ import annotations

import asyncio
import collections
from asyncio import current_task
from time import monotonic
from typing import Any, NamedTuple

from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPDisconnectEvent,
    HTTPRequestEvent,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from service.errors import DomainError, Overloaded, error_body

ALWAYS_ADMITTED = ("/health/", "/metrics", "/schema")
# The largest body any route takes (the API's request_max_body_size); the routes' own, smaller
# limits are theirs to enforce. The guard holds no more than this in memory per request.
MAX_BODY = 1 << 20
BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})  # what the app answers without reading a body
EXPIRED = -1.0  # the deadline of a body read that the watcher has cancelled
TOO_LARGE: HTTPRequestEvent = {"type": "http.request", "body": b"", "more_body": True}  # past MAX_BODY


class Admission:
    """A counting gate with a short, bounded queue in front of it (one per worker).

    The number of requests let in at once adapts to the worker's event-loop lag, measured every
    `TICK` seconds. While the loop runs late (above `target_lag`), the worker is behind: the limit
    shrinks by a tenth per tick, and requests that find no free slot are shed at once instead of
    queueing. While it keeps up, the limit grows by one per tick in which it was reached, back up
    to `max_in_flight`. Serving fewer requests at once leaves the worker the time to refuse the
    rest cheaply, so a spike cannot build a queue in front of the app (in granian or in the
    socket buffers), where no one could shed it.
    """

    TICK = 0.01
    MIN_LIMIT = 2

    def __init__(
        self,
        max_in_flight: int,
        queue_seconds: float,
        max_queued: int,
        target_lag: float = 0.005,
        body_seconds: float = 5.0,
    ):
        self.max_in_flight = max_in_flight
        self.queue_seconds = queue_seconds
        self.max_queued = max_queued
        self.target_lag = target_lag
        self.limit = max_in_flight
        self.lag = 0.0  # the last tick's, in seconds
        self.in_flight = 0
        self.shed = 0
        self._reached = False  # the limit was hit since the last tick
        self._waiters: collections.deque[asyncio.Future[bool]] = collections.deque()
        self.body_seconds = body_seconds
        self.body_timeouts = 0
        # The tasks reading a body now, with their deadlines (time.monotonic()). The watcher's
        # tick cancels the late ones: a timer per request (asyncio.timeout) costs a NIK lookup
        # several microseconds, a dict entry a fraction of one.
        self._reading: dict[asyncio.Task[Any], float] = {}

    async def watch(self) -> None:
        """Measure the loop's lag and adapt the limit, and end body reads past their deadline,
        forever (a lifespan task)."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.TICK)
            self.adapt(loop.time() - started - self.TICK)
            if self._reading:
                self.expire_reads(monotonic())

    def expire_reads(self, now: float) -> None:
        for task, deadline in list(self._reading.items()):
            if EXPIRED < deadline <= now:
                self._reading[task] = EXPIRED
                task.cancel()

    async def read_body(self, receive: Receive) -> HTTPRequestEvent | HTTPDisconnectEvent | None:
        """The whole body as one event (or the client's disconnect), read within `body_seconds`;
        None if it did not arrive in time, TOO_LARGE past MAX_BODY (the rest is not read)."""
        task = current_task()
        assert task is not None
        reading = self._reading
        reading[task] = monotonic() + self.body_seconds
        try:
            event: Any = await receive()  # an HTTP request event or a disconnect
            if event.get("more_body"):
                first = event["body"]
                rest: bytearray | None = None  # only for a body in more than one piece
                while True:
                    event = await receive()
                    if event["type"] != "http.request":
                        return event  # type: ignore[no-any-return]
                    if chunk := event["body"]:  # granian ends a body with an empty event
                        if rest is None:
                            rest = bytearray(first)
                        rest += chunk
                        if len(rest) > MAX_BODY:
                            return TOO_LARGE
                    if not event.get("more_body"):
                        break
                body = first if rest is None else bytes(rest)
                event = {"type": "http.request", "body": body, "more_body": False}
        except asyncio.CancelledError:
            if reading.get(task) != EXPIRED:
                raise  # not ours: the client or the server went away
            task.uncancel()
            self.body_timeouts += 1
            return None
        finally:
            del reading[task]
        return event  # type: ignore[no-any-return]

    def adapt(self, lag: float) -> None:
        self.lag = lag
        if lag > self.target_lag:
            self.limit = max(min(self.MIN_LIMIT, self.max_in_flight), int(self.limit * 0.9))
        elif self._reached:
            self.limit = min(self.max_in_flight, self.limit + 1)
        self._reached = False

    async def enter(self) -> bool:
        """Take a slot (True), or give up: no slot freed within `queue_seconds`, or queue full."""
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return True
        self._reached = True
        if len(self._waiters) >= self.max_queued or self.lag > self.target_lag:
            self.shed += 1
            return False
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(self.queue_seconds, self._expire, waiter)
        try:
            admitted = await waiter
        except asyncio.CancelledError:  # the client went away while waiting
            if waiter.done() and not waiter.cancelled() and waiter.result():
                self.leave()  # a slot was handed over just before: pass it on
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise
        finally:
            timer.cancel()
        if not admitted:
            self.shed += 1
        return admitted

    def leave(self) -> None:
        """Hand the slot to the longest waiter, or free it (always, while the limit has shrunk
        below the requests in flight)."""
        while self._waiters and self.in_flight <= self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)  # in_flight stays: the slot changes hands
                return
        self.in_flight -= 1

    def _expire(self, waiter: asyncio.Future[bool]) -> None:
        if not waiter.done():
            self._waiters.remove(waiter)
            waiter.set_result(False)


class Refusal(NamedTuple):
    """A complete answer, built once: sending it costs two ASGI events and nothing else."""

    start: HTTPResponseStartEvent
    body: HTTPResponseBodyEvent

    @classmethod
    def of(cls, status: int, content_type: bytes, body: bytes, *extra: tuple[bytes, bytes]) -> Refusal:
        headers = [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            *extra,
        ]
        return cls(
            {"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body, "more_body": False},
        )

    async def answer(self, send: Send) -> None:
        await send(self.start)
        await send(self.body)


class BodyTimeout(DomainError):
    """The request's body did not arrive within DPT_BODY_READ_SECONDS (408)."""

    status = 408
    code = "body_timeout"


# Programs get the JSON error; people (the resident page) get a page that says what to do.
MACHINE_PATHS = ("/api/", "/sms/")
OVERLOADED = Overloaded(
    "Layanan sedang sangat sibuk. Silakan coba lagi sebentar lagi.",
    "The service is very busy right now. Please try again in a moment.",
)
BODY_TIMEOUT = BodyTimeout(
    "Isi permintaan terlalu lama sampai. Silakan kirim lagi.",
    "The request body took too long to arrive. Please send it again.",
)
BODY_TOO_LARGE = DomainError(
    "Permintaan terlalu besar.", "The request body is too large.", code="body_too_large"
)
BODY_TOO_LARGE.status = 413
# The body was not read to its end: the connection cannot carry another request.
CLOSE = (b"connection", b"close")
PAGE_HEADERS = (
    (b"content-security-policy", b"default-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


def _page(title: str, heading: str, text: str, heading_en: str, text_en: str) -> bytes:
    """A small page in both languages with a way back to the form."""
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
        f'<body><h1>{heading}</h1><p>{text} <a href="/">Coba lagi</a></p>'
        f'<h2 lang="en">{heading_en}</h2><p lang="en">{text_en} <a href="/">Try again</a></p></body></html>'
    ).encode()


RETRY_SOON = (b"retry-after", str(Overloaded.retry_after).encode())
REFUSAL_FOR_PROGRAMS = Refusal.of(503, b"application/json", error_body(OVERLOADED), RETRY_SOON)
REFUSAL_FOR_PEOPLE = Refusal.of(
    503,
    b"text/html; charset=utf-8",
    _page(
        "Sedang sibuk",
        "Layanan sedang sangat sibuk",
        "Banyak orang sedang mengecek. Silakan coba lagi dalam beberapa detik.",
        "The service is very busy",
        "Many people are checking right now. Please try again in a few seconds.",
    ),
    RETRY_SOON,
    *PAGE_HEADERS,
)
TIMEOUT_FOR_PROGRAMS = Refusal.of(408, b"application/json", error_body(BODY_TIMEOUT), CLOSE)
TIMEOUT_FOR_PEOPLE = Refusal.of(
    408,
    b"text/html; charset=utf-8",
    _page(
        "Terlalu lama",
        "Permintaan terlalu lama sampai",
        "Isian Anda tidak sampai tepat waktu, mungkin karena sambungan lambat. Silakan kirim lagi.",
        "The request took too long",
        "What you sent did not arrive in time, perhaps over a slow connection. Please send it again.",
    ),
    CLOSE,
    *PAGE_HEADERS,
)
TOO_LARGE_FOR_PROGRAMS = Refusal.of(413, b"application/json", error_body(BODY_TOO_LARGE), CLOSE)
TOO_LARGE_FOR_PEOPLE = Refusal.of(
    413,
    b"text/html; charset=utf-8",
    _page(
        "Terlalu besar",
        "Permintaan terlalu besar",
        "Isian yang dikirim terlalu besar.",
        "The request is too large",
        "What was sent is too large.",
    ),
    CLOSE,
    *PAGE_HEADERS,
)


def replay(event: HTTPRequestEvent | HTTPDisconnectEvent, receive: Receive) -> Receive:
    """`receive` that first hands out `event` (the body, read already)."""
    pending = [event]

    async def replayed() -> Any:
        return pending.pop() if pending else await receive()

    return replayed


def guard(app: ASGIApp, admission: Admission) -> ASGIApp:
    """`app` behind `admission`: what is refused never reaches it, and a request is let in only
    once its body has arrived."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith(ALWAYS_ADMITTED):
            await app(scope, receive, send)
            return
        if scope["method"] not in BODILESS:
            event = await admission.read_body(receive)
            if event is None or event is TOO_LARGE:
                for_programs = scope["path"].startswith(MACHINE_PATHS)
                if event is None:
                    await (TIMEOUT_FOR_PROGRAMS if for_programs else TIMEOUT_FOR_PEOPLE).answer(send)
                else:
                    await (TOO_LARGE_FOR_PROGRAMS if for_programs else TOO_LARGE_FOR_PEOPLE).answer(send)
                return
            receive = replay(event, receive)
        if not await admission.enter():
            refusal = REFUSAL_FOR_PROGRAMS if scope["path"].startswith(MACHINE_PATHS) else REFUSAL_FOR_PEOPLE
            await send(refusal.start)  # two sends, not answer(): shedding must stay cheapest
            await send(refusal.body)
            return
        try:
            await app(scope, receive, send)
        finally:
            admission.leave()

    return guarded
