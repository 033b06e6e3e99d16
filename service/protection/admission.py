"""Admission control: a bound on the work one worker takes on at once.

Up to `max_in_flight` requests run at once. One more waits at most `queue_seconds` for a slot,
and at most `max_queued` wait. Anything beyond that is answered at once with `503 overloaded` and
`Retry-After`, which costs microseconds. The alternative, queueing until every client times out,
is how checkers fell over on polling day. Health, readiness, metrics and the schema are never
held back, so operators and load balancers can still see the worker.
"""

from __future__ import annotations

import asyncio
import collections
from typing import NamedTuple

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send

from service.errors import Overloaded, error_body

ALWAYS_ADMITTED = ("/health/", "/metrics", "/schema")


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

    def __init__(self, max_in_flight: int, queue_seconds: float, max_queued: int, target_lag: float = 0.005):
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

    async def watch(self) -> None:
        """Measure the loop's lag and adapt the limit, forever (a lifespan task)."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.TICK)
            self.adapt(loop.time() - started - self.TICK)

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
    """A complete 503 answer, built once: sending it costs two ASGI events and nothing else."""

    start: HTTPResponseStartEvent
    body: HTTPResponseBodyEvent

    @classmethod
    def of(cls, content_type: bytes, body: bytes, *extra: tuple[bytes, bytes]) -> Refusal:
        headers = [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(Overloaded.retry_after).encode()),
            (b"cache-control", b"no-store"),
            *extra,
        ]
        return cls(
            {"type": "http.response.start", "status": 503, "headers": headers},
            {"type": "http.response.body", "body": body, "more_body": False},
        )


# Programs get the JSON error; people (the resident page) get a page that says when to retry.
MACHINE_PATHS = ("/api/", "/sms/")
OVERLOADED = Overloaded(
    "Layanan sedang sangat sibuk. Silakan coba lagi sebentar lagi.",
    "The service is very busy right now. Please try again in a moment.",
)
REFUSAL_FOR_PROGRAMS = Refusal.of(b"application/json", error_body(OVERLOADED))
REFUSAL_FOR_PEOPLE = Refusal.of(
    b"text/html; charset=utf-8",
    b'<!doctype html><html lang="id"><head><meta charset="utf-8">'
    b'<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sedang sibuk</title></head>'
    b"<body><h1>Layanan sedang sangat sibuk</h1><p>Banyak orang sedang mengecek. Silakan coba lagi "
    b'dalam beberapa detik. <a href="/">Coba lagi</a></p>'
    b'<h2 lang="en">The service is very busy</h2><p lang="en">Many people are checking right now. '
    b'Please try again in a few seconds. <a href="/">Try again</a></p></body></html>',
    (b"content-security-policy", b"default-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


def guard(app: ASGIApp, admission: Admission) -> ASGIApp:
    """`app` behind `admission`: what is refused never reaches it."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith(ALWAYS_ADMITTED):
            await app(scope, receive, send)
            return
        if not await admission.enter():
            refusal = REFUSAL_FOR_PROGRAMS if scope["path"].startswith(MACHINE_PATHS) else REFUSAL_FOR_PEOPLE
            await send(refusal.start)
            await send(refusal.body)
            return
        try:
            await app(scope, receive, send)
        finally:
            admission.leave()

    return guarded
