"""Who is asking: the one step at the edge that reads a request's token and address and has the
gate settle its identity and limits before any domain call."""

from __future__ import annotations

from typing import Any

from litestar import Request

from service.access.gate import Caller
from service.access.tokens import Principal
from service.edge.services import services


async def settle_caller(request: Request[Any, Any, Any], *, public: bool = False) -> Caller:
    """The caller, charged one request: 401 for a bad token, 429 over a limit. `public`: a
    resident's page, where a token is never read (only the address counts)."""
    client = request.scope.get("client")
    return await services(request).gate.admit(
        peer=client[0] if client else "",
        forwarded_for=raw_header(request, b"x-forwarded-for"),
        authorization=None if public else raw_header(request, b"authorization"),
    )


async def settle_gateway(request: Request[Any, Any, Any], token: str | None) -> Principal:
    """The SMS gateway a webhook call comes from, by its `sms` token: 401 without a valid one."""
    client = request.scope.get("client")
    return await services(request).gate.gateway(
        token, peer=client[0] if client else "", forwarded_for=raw_header(request, b"x-forwarded-for")
    )


def raw_header(request: Request[Any, Any, Any], name: bytes) -> str | None:
    """One request header, read straight from the ASGI scope: on the lookup path this is cheaper
    than building Litestar's Headers object for all of them. `name` is lower case. A header sent
    on several lines is joined with commas, in order (proxies may add their own X-Forwarded-For
    line rather than extend the client's)."""
    values = [bytes(value).decode("latin-1") for key, value in request.scope["headers"] if key == name]
    return ", ".join(values) if values else None
