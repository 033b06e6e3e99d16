"""`POST /api/v1/nik`: is this NIK on the DPT? The NIK travels only in the body.

The route is a Litestar handler (its OpenAPI operation, and the answer for any request the fast
path below passes on), and `nik_fast_path` answers the common request in front of Litestar's
routing: a POST to exactly `/api/v1/nik` whose body has arrived whole. Both run `answer_nik`, and
every error the fast path meets is answered by the app's own exception handler, so the answers,
status codes and headers are the same whichever path a request takes; the fast path saves
Litestar's routing, its Request and Response objects and its exception middleware, about a
third of a cache hit's CPU under granian (loadtest/README.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from service.access.guards import HELPDESK_ROLES
from service.edge.body import decode_body
from service.edge.caller import settle_scope_caller
from service.edge.openapi import error_responses, operation_with_body, text
from service.edge.services import Services, services
from service.nik.parse import parse_nik
from service.protection.admission import replay
from service.schemas import NikAnswer, NikRequest

_decode_nik_request = msgspec.json.Decoder(NikRequest)
NIK_PATH = "/api/v1/nik"
# Litestar's own limit for this route (request_max_body_size); a larger body is left to it.
ROUTE_MAX_BODY = 1 << 20
JSON_TYPE = (b"content-type", b"application/json")


# What the handler accepts: 16 digits, with the separators people type between them (spaces,
# dots, dashes, slashes; full-width forms too). Whether those digits can be a NIK (region, birth
# date, serial) is checked by the handler, and answered 422 with its code.
_SEPARATOR = r"[\s.\-/_\u2010-\u2015\uff0e\uff0f\uff3f\uff0d]"
NIK_PATTERN = rf"^{_SEPARATOR}*(?:[0-9\uff10-\uff19]{_SEPARATOR}*){{16}}$"


async def answer_nik(found: Services, scope: Scope, body: bytes) -> bytes:
    """The encoded answer for one request (either path), its caller settled and charged."""
    # A help desk or gateway with a token is limited per token, everyone else per address.
    caller = await settle_scope_caller(found.gate, scope)
    nik_request = decode_body(_decode_nik_request, body, found.settings.max_body_bytes)
    nik = parse_nik(nik_request.nik)
    answer = await found.lookup.answer(nik)
    await found.gate.settle(caller, answer)
    principal = caller.principal
    if principal is not None and principal.role in HELPDESK_ROLES:
        # A help desk's look is audited before its answer is sent (the answer is the public one).
        await found.finder.audit.record(
            principal, action="nik", region=None, query=nik.digits, results=int(answer.registered)
        )
    return answer.body


@post(
    NIK_PATH,
    status_code=200,
    summary="Check a NIK against the published DPT",
    description=(
        "200 with registered true or false; 422 with a stable error code for a malformed NIK "
        "(nik_length, nik_not_digits, nik_region, nik_birth_date, nik_serial, nik_pattern) or a "
        "malformed body (invalid_json, body_type, field_missing, field_type, field_unknown, body_too_large)."
    ),
    responses=error_responses(400, 401, 413, 422, 429, 503),
    operation_class=operation_with_body(
        "The NIK: 16 digits; spaces, dots and dashes are ignored",
        {"nik": text(pattern=NIK_PATTERN)},
        required=("nik",),
    ),
    request_max_body_size=ROUTE_MAX_BODY,
)
async def check_nik(request: Request[Any, Any, Any]) -> Response[NikAnswer]:
    found = services(request)
    body = await answer_nik(found, request.scope, await request.body())
    # The answer is already encoded JSON (it comes from the cache as bytes).
    return Response(body, media_type="application/json")  # type: ignore[arg-type]


ErrorAnswer = Callable[[Request[Any, Any, Any], Exception], Response[Any]]


def nik_fast_path(app: ASGIApp, error_answer: ErrorAnswer) -> ASGIApp:
    """`app` (Litestar's handler), with POST /api/v1/nik answered before routing when its body
    is whole (the admission guard in front has read it) and within the route's limit; anything
    else (another method or path, a content-length Litestar would refuse, a client gone) goes
    to `app` as before.
    `error_answer` is the app's exception handler: an error here is answered as there."""

    async def fast(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"] != NIK_PATH or scope["method"] != "POST":
            await app(scope, receive, send)
            return
        event: Any = await receive()
        body = event.get("body") if event["type"] == "http.request" else None
        if body is None or event.get("more_body") or len(body) > ROUTE_MAX_BODY or _refused_length(scope):
            await app(scope, replay(event, receive), send)
            return
        scope["path_template"] = NIK_PATH  # the route's label in metrics and log lines
        scope["path_params"] = {}
        try:
            answer = await answer_nik(scope["app"].state.services, scope, body)
        except Exception as error:  # answered as Litestar's exception middleware would
            request: Request[Any, Any, Any] = Request(scope, receive, send)
            response = error_answer(request, error)
            await response.to_asgi_response(app=None, request=request)(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [JSON_TYPE, (b"content-length", str(len(answer)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": answer, "more_body": False})

    return fast


def _refused_length(scope: Scope) -> bool:
    """A content-length header Litestar would refuse (not a number, or over the route's limit)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return not value.isdigit() or int(value) > ROUTE_MAX_BODY
    return False
