"""Who is asking: API tokens (`dpt token add`) and their region scope, and the audit trail."""

from __future__ import annotations

import hashlib
import time
from typing import Literal, TypeVar

import asyncpg
import msgspec

from service.errors import Forbidden, Unauthorized
from service.store.queries import QUERIES

Role = Literal["helpdesk", "sms", "admin"]
_CACHE_SECONDS = 30.0  # a revoked token stops working within this long
_CACHE_ENTRIES = 10_000  # per cache, per worker
T = TypeVar("T")


class Principal(msgspec.Struct, frozen=True):
    token_id: int
    role: Role
    scope: str | None  # a region code; None = everywhere (admin)

    def covers(self, region: str) -> bool:
        return self.scope is None or region == self.scope or region.startswith(self.scope + ".")


def token_hash(token: str) -> bytes:
    """Tokens are stored as SHA-256: they are long random strings, so no slow hash is needed."""
    return hashlib.sha256(token.encode()).digest()


class Access:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        # Tokens found and tokens refused, apart: a flood of made-up tokens fills (and clears)
        # only the second, never evicting the help desks' real ones.
        self._known: dict[bytes, tuple[float, Principal]] = {}
        self._refused: dict[bytes, float] = {}

    async def principal(self, authorization: str | None) -> Principal | None:
        """None for a public caller (no header); raises Unauthorized for a bad token."""
        if not authorization:
            return None
        digest = _digest(authorization)
        if digest is None:
            raise _unauthorized()
        now = time.monotonic()
        known = self._known.get(digest)
        if known is not None and known[0] > now:
            return known[1]
        if self._refused.get(digest, 0.0) > now:
            raise _unauthorized()
        record = await QUERIES["token-by-hash"].row(self.pool, token_hash=digest)
        if record is None:
            _remember(self._refused, digest, now + _CACHE_SECONDS)
            raise _unauthorized()
        principal = Principal(record["id"], record["role"], record["scope"])
        _remember(self._known, digest, (now + _CACHE_SECONDS, principal))
        return principal

    async def audit(
        self, principal: Principal, *, action: str, region: str, query: str, results: int
    ) -> None:
        await QUERIES["insert-audit"].run(
            self.pool, token_id=principal.token_id, action=action, region=region, query=query, results=results
        )


def require_helpdesk(principal: Principal, region: str) -> None:
    if principal.role not in ("helpdesk", "admin"):
        raise Forbidden(
            "Token ini tidak untuk pencarian meja bantuan.",
            "This token may not use help-desk search.",
            code="role_forbidden",
        )
    if not principal.covers(region):
        raise Forbidden(
            f"Wilayah {region} di luar cakupan token ({principal.scope}).",
            f"Region {region} is outside this token's scope ({principal.scope}).",
            code="region_out_of_scope",
            field="region",
        )


def _digest(authorization: str) -> bytes | None:
    """The hash of a bearer token, or None when the header is not `Bearer <token>`."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token_hash(token.strip())


def _remember(cache: dict[bytes, T], digest: bytes, value: T) -> None:
    if len(cache) >= _CACHE_ENTRIES:
        cache.clear()
    cache[digest] = value


def _unauthorized() -> Unauthorized:
    return Unauthorized(
        "Token tidak sah atau sudah dicabut.", "The bearer token is not valid or has been revoked."
    )
