"""API tokens (`dpt token add`): a bearer token names a principal with a role and a region scope."""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Literal, TypeVar

import msgspec

from service.errors import Unauthorized, Unavailable
from service.store import Store

Role = Literal["helpdesk", "sms", "admin"]
# How long a worker trusts what it looked up. A revocation reaches every worker sooner, within
# one poll of `watch_revocations`; this bounds it even if that poll cannot reach PostgreSQL.
_CACHE_SECONDS = 30.0
_CACHE_ENTRIES = 10_000  # per cache, per worker
T = TypeVar("T")


class Principal(msgspec.Struct, frozen=True):
    token_id: int | None  # None for an officer logged in to the console
    role: Role
    scope: str | None  # a region code; None = everywhere (admin)
    operator: str | None = None  # the officer's username (console sessions)

    def covers(self, region: str) -> bool:
        return self.scope is None or region == self.scope or region.startswith(self.scope + ".")


def token_hash(token: str) -> bytes:
    """Tokens are stored as SHA-256: they are long random strings, so no slow hash is needed."""
    return hashlib.sha256(token.encode()).digest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None for any other header."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class Tokens:
    """Resolves bearer tokens to principals, remembering answers for `_CACHE_SECONDS`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # Tokens found and tokens refused, apart: a flood of made-up tokens fills (and clears)
        # only the second, never evicting the help desks' real ones.
        self._known: dict[bytes, tuple[float, Principal]] = {}
        self._refused: dict[bytes, float] = {}

    async def principal(self, authorization: str | None) -> Principal | None:
        """None for a public caller (no header); raises Unauthorized for a bad token."""
        digest = token_digest(authorization)
        if digest is None:
            return None
        return self.remembered(digest) or await self.look_up(digest)

    def remembered(self, digest: bytes) -> Principal | None:
        """The principal of a token this worker knows; None when it must be looked up; raises
        Unauthorized for one it refused lately."""
        now = time.monotonic()
        known = self._known.get(digest)
        if known is not None and known[0] > now:
            return known[1]
        if self._refused.get(digest, 0.0) > now:
            raise unauthorized()
        return None

    async def look_up(self, digest: bytes) -> Principal:
        """The principal of a token, from PostgreSQL; raises Unauthorized for an unknown or revoked one."""
        now = time.monotonic()
        record = await self.store.row("token-by-hash", token_hash=digest)
        if record is None:
            _remember(self._refused, digest, now + _CACHE_SECONDS)
            raise unauthorized()
        principal = Principal(record["id"], record["role"], record["scope"])
        _remember(self._known, digest, (now + _CACHE_SECONDS, principal))
        return principal

    def forget(self) -> None:
        """Drop every remembered answer (a token was revoked somewhere)."""
        self._known.clear()
        self._refused.clear()

    async def watch_revocations(self, poll_seconds: float) -> None:
        """Poll forever (a lifespan task): a revoked token stops working within one interval."""
        last: object = None
        while True:
            try:
                revoked_at = await self.store.value("tokens-revoked-at")
            except Unavailable:
                revoked_at = last  # nothing to learn now; the cache lifetime still bounds it
            if revoked_at != last:
                self.forget()
                last = revoked_at
            await asyncio.sleep(poll_seconds)


def token_digest(authorization: str | None) -> bytes | None:
    """The hash of an `Authorization` header's bearer token; None without a header; raises
    Unauthorized for a header of any other form."""
    if not authorization:
        return None
    token = bearer_token(authorization)
    if token is None:
        raise unauthorized()
    return token_hash(token)


def _remember(cache: dict[bytes, T], digest: bytes, value: T) -> None:
    if len(cache) >= _CACHE_ENTRIES:
        cache.clear()
    cache[digest] = value


def unauthorized() -> Unauthorized:
    return Unauthorized(
        "Token tidak sah atau sudah dicabut.", "The bearer token is not valid or has been revoked."
    )
