"""Who is asking: the one step at the edge that reads a request's token and address and has the
gate settle its identity and limits before any domain call."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.types import Scope

from service.access.gate import Caller, Gate
from service.access.tokens import Principal
from service.edge.services import services


async def settle_caller(request: Request[Any, Any, Any], *, public: bool = False) -> Caller:
    """The caller, charged one request: 401 for a bad token, 429 over a limit. `public`: a
    resident's page, where a token is never read (only the address counts)."""
    return await settle_scope_caller(services(request).gate, request.scope, public=public)


async def settle_scope_caller(gate: Gate, scope: Scope, *, public: bool = False) -> Caller:
    """`settle_caller` for a request known by its ASGI scope alone (the NIK lookup's own path,
    service/api/nik.py, which builds no Request)."""
    client = scope.get("client")
    headers = scope["headers"]
    return await gate.admit(
        peer=client[0] if client else "",
        forwarded_for=scope_header(headers, b"x-forwarded-for"),
        authorization=None if public else scope_header(headers, b"authorization"),
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
    return scope_header(request.scope["headers"], name)


def scope_header(headers: Any, name: bytes) -> str | None:
    """`raw_header` over the scope's header list."""
    values = [bytes(value).decode("latin-1") for key, value in headers if key == name]
    return ", ".join(values) if values else None
