"""Every request timed, counted and logged: an ASGI wrapper around the whole app (admission
control included, so shed requests are seen too).

A request is labelled by its route template (`/api/v1/nik`, `/static/{file_path:path}`), never by
its path or query string: the labels stay few, and a NIK in a Kannel GET query never reaches a
metric or a log line. A request that matched no route (a 404, or one shed before routing) is
labelled by its path only when that path is one of the app's own, else `unmatched`.

Each answer carries an `X-Request-ID` header, the same id its log lines carry. An id given by
the front (HAProxy's `unique-id-header`) is kept when it looks like one.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from collections.abc import Iterable
from time import perf_counter
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.observability.logs import REQUEST, access
from service.observability.metrics import observe_request

_GIVEN_ID = re.compile(rb"[A-Za-z0-9._:-]{6,64}")
_DIGIT_RUN = re.compile(rb"\d{10}")  # a NIK or phone number sent as an id is not kept
CLIENT_GONE = 499  # nginx's status for a client that left before its answer
_PREFIX = f"{random.getrandbits(32):08x}"
_COUNTER = itertools.count(1)


def _new_request_id() -> str:
    """This worker's prefix (random, so workers and restarts differ) and a counter, in hex: unique
    enough to find a request's lines, cheap, and never a run of digits the log filter would take
    for a NIK or phone number (the counter would need 2**36 requests to reach 10 hex digits)."""
    return f"{_PREFIX}-{next(_COUNTER):x}"


def _request_id(headers: Iterable[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name == b"x-request-id":
            if _GIVEN_ID.fullmatch(value) and not _DIGIT_RUN.search(value):
                return value.decode()
            break
    return _new_request_id()


def observe(app: ASGIApp, paths: Iterable[str], *, access_log: bool = True) -> ASGIApp:
    """`app`, with every HTTP request counted by route and status, timed, and (with `access_log`)
    written as one access line. `paths` are the app's routes without parameters."""
    own_paths = frozenset(paths)

    async def observed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = perf_counter()
        request_id = _request_id(scope["headers"])
        header = (b"x-request-id", request_id.encode())
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # A copy: refusals are answered from shared, prebuilt messages.
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        context: dict[str, Any] = scope  # type: ignore[assignment]
        token = REQUEST.set((request_id, context))
        try:
            await app(scope, receive, sending)
        except asyncio.CancelledError:
            status = status or CLIENT_GONE
            raise
        except Exception:
            status = status or 500  # granian answers 500 for it
            raise
        finally:
            seconds = perf_counter() - started
            path = scope["path"]
            route = context.get("path_template") or (path if path in own_paths else "unmatched")
            observe_request(route, status, seconds)
            if access_log:
                access(request_id, scope.get("method", ""), route, status, seconds)
            REQUEST.reset(token)

    return observed
