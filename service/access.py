"""Who is asking: API tokens (`dpt token add`) and their region scope, and the audit trail."""

from __future__ import annotations

import hashlib
import time
from typing import Literal

import asyncpg
import msgspec

from service.errors import Forbidden, Unauthorized
from service.store.queries import QUERIES

Role = Literal["helpdesk", "sms", "admin"]
_CACHE_SECONDS = 30.0  # a revoked token stops working within this long


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
        self._known: dict[bytes, tuple[float, Principal | None]] = {}

    async def principal(self, authorization: str | None) -> Principal | None:
        """None for a public caller (no header); raises Unauthorized for a bad token."""
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized()
        digest = token_hash(token.strip())
        cached = self._known.get(digest)
        if cached is None or cached[0] < time.monotonic():
            record = await self.pool.fetchrow(*QUERIES["token-by-hash"](token_hash=digest))
            principal = Principal(record["id"], record["role"], record["scope"]) if record else None
            if len(self._known) > 10_000:
                self._known.clear()
            cached = (time.monotonic() + _CACHE_SECONDS, principal)
            self._known[digest] = cached
        if cached[1] is None:
            raise _unauthorized()
        return cached[1]

    async def audit(
        self, principal: Principal, *, action: str, region: str, query: str, results: int
    ) -> None:
        await self.pool.execute(
            *QUERIES["insert-audit"](
                token_id=principal.token_id, action=action, region=region, query=query, results=results
            )
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


def _unauthorized() -> Unauthorized:
    return Unauthorized(
        "Token tidak sah atau sudah dicabut.", "The bearer token is not valid or has been revoked."
    )
