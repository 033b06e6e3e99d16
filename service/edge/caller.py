"""Whom a request counts against for rate limits, and charging it."""

from __future__ import annotations

from typing import Any

from litestar import Request

from service.access.tokens import Access, Principal
from service.protection.ratelimit import Client, RateLimiter
from service.store import unavailable_on_store_errors


async def authenticate(request: Request[Any, Any, Any], authorization: str | None) -> Principal | None:
    """The caller's principal, from `Authorization: Bearer <token>`: None without one, 401 for a
    bad one, 503 when PostgreSQL cannot say."""
    if not authorization:
        return None
    access: Access = request.app.state.access
    with unavailable_on_store_errors():
        return await access.principal(authorization)


async def admit_caller(request: Request[Any, Any, Any], principal: Principal | None = None) -> Client | None:
    """Charge one request to its caller (its token, else its address); 429 when over a limit.

    Returns the caller, for charging an unregistered NIK later; None for an exempt address.
    """
    limiter: RateLimiter = request.app.state.limiter
    client = request.scope.get("client")
    peer = client[0] if client else ""
    caller = limiter.caller(
        peer, raw_header(request, b"x-forwarded-for"), principal.token_id if principal else None
    )
    if caller is not None:
        await limiter.admit(caller)
    return caller


def raw_header(request: Request[Any, Any, Any], name: bytes) -> str | None:
    """One request header, read straight from the ASGI scope: on the lookup path this is cheaper
    than building Litestar's Headers object for all of them. `name` is lower case. A header sent
    on several lines is joined with commas, in order (proxies may add their own X-Forwarded-For
    line rather than extend the client's)."""
    values = [bytes(value).decode("latin-1") for key, value in request.scope["headers"] if key == name]
    return ", ".join(values) if values else None
