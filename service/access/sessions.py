"""Console sessions and login throttling, in Redis.

A session is a random id in an HttpOnly cookie; Redis keeps, under a keyed hash of that id, who
logged in and when. It ends at logout, after `idle_seconds` without a request, or
`absolute_seconds` after login, whichever comes first. Every key of one session or one throttle
lives under one hash tag (`sess:{...}:data`, `login:{...}`), so each command touches one slot of
a Redis Cluster.

Login throttling slows guessing without locking anyone out for good: after a few failures a
username (or an address) must wait half a minute, doubling each time up to five minutes, and the count is
forgotten a quarter of an hour after the last failure. An address where that username logged in
before is not held back by failures from elsewhere, so a stranger cannot keep an officer out of
their own desk.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import msgspec
from redis.exceptions import RedisError

from service.cache.client import RedisClient
from service.errors import Unavailable

USER_FREE_FAILURES = 5  # failures of one username before it must wait
ADDRESS_FREE_FAILURES = 20  # one address may mistype several colleagues' passwords
FIRST_WAIT_SECONDS = 30  # then 60, 120, 240, and at most MAX_WAIT_SECONDS
MAX_WAIT_SECONDS = 300
FAILURE_MEMORY_SECONDS = 900
KNOWN_DESK_SECONDS = 30 * 24 * 3600


class Session(msgspec.Struct, frozen=True):
    username: str
    created: float  # Unix time of the login


_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Session).decode


def sessions_unavailable() -> Unavailable:
    return Unavailable(
        "Konsol meja bantuan sementara tidak dapat dipakai: penyimpanan sesi tidak terjangkau. "
        "Cek NIK untuk warga tetap berjalan di halaman utama. Coba lagi sebentar lagi.",
        "The help-desk console cannot be used right now: its session store cannot be reached. "
        "Residents' NIK checks on the main page keep working. Please try again shortly.",
        code="sessions_unavailable",
    )


class Sessions:
    """One per worker, on the worker's Redis client."""

    def __init__(self, redis: RedisClient, *, secret: str, idle_seconds: int, absolute_seconds: int):
        self.redis = redis
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self._key = hashlib.sha256(b"dpt-console-session:" + secret.encode()).digest()

    def _digest(self, kind: str, value: str) -> str:
        return hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]

    def _session_key(self, session_id: str) -> str:
        return f"sess:{{{self._digest('id', session_id)}}}:data"

    async def create(self, username: str) -> str:
        """A new session id (the cookie's value): never one the browser brought along."""
        session_id = secrets.token_urlsafe(32)
        value = _encode(Session(username=username, created=time.time()))
        try:
            await self.redis.set(self._session_key(session_id), value, ex=self.idle_seconds)
        except (RedisError, OSError) as error:
            raise sessions_unavailable() from error
        return session_id

    async def get(self, session_id: str | None) -> Session | None:
        """The live session of a cookie (its idle time restarted), or None."""
        if not session_id or len(session_id) > 100:
            return None
        key = self._session_key(session_id)
        try:
            raw = await self.redis.get(key)
            if raw is None:
                return None
            session = _decode(raw)
            left = session.created + self.absolute_seconds - time.time()
            if left <= 0:
                await self.redis.delete(key)
                return None
            await self.redis.expire(key, max(1, int(min(self.idle_seconds, left))))
        except (RedisError, OSError) as error:
            raise sessions_unavailable() from error
        except msgspec.DecodeError:
            return None
        return session

    async def end(self, session_id: str | None) -> None:
        if session_id and len(session_id) <= 100:
            try:
                await self.redis.delete(self._session_key(session_id))
            except (RedisError, OSError) as error:
                raise sessions_unavailable() from error

    # Login throttling -------------------------------------------------------------------------

    def _throttle_keys(self, username: str, address: str) -> tuple[str, str, str]:
        user = self._digest("user", username.casefold())
        return (
            f"login:{{u{user}}}",
            f"login:{{a{self._digest('address', address)}}}",
            f"login:{{k{self._digest('desk', f'{username.casefold()}|{address}')}}}",
        )

    async def login_wait(self, username: str, address: str) -> int:
        """Seconds this username at this address must wait before its next try (0: may try now)."""
        user_key, address_key, desk_key = self._throttle_keys(username, address)
        now = time.time()
        try:
            known_desk = bool(await self.redis.exists(desk_key))
            waits = [await self._until(address_key)]
            if not known_desk:
                waits.append(await self._until(user_key))
        except (RedisError, OSError) as error:
            raise sessions_unavailable() from error
        return max(0, int(max(waits) - now + 0.999))

    async def _until(self, key: str) -> float:
        until = await self.redis.hget(key, "until")
        return float(until) if until else 0.0

    async def login_failed(self, username: str, address: str) -> None:
        user_key, address_key, desk_key = self._throttle_keys(username, address)
        try:
            if not await self.redis.exists(desk_key):
                await self._fail(user_key, USER_FREE_FAILURES)
            await self._fail(address_key, ADDRESS_FREE_FAILURES)
        except (RedisError, OSError) as error:
            raise sessions_unavailable() from error

    async def _fail(self, key: str, free: int) -> None:
        failures = int(await self.redis.hincrby(key, "failures", 1))
        if failures > free:
            wait = min(FIRST_WAIT_SECONDS * 2 ** (failures - free - 1), MAX_WAIT_SECONDS)
            await self.redis.hset(key, "until", str(time.time() + wait))
        await self.redis.expire(key, FAILURE_MEMORY_SECONDS)

    async def login_succeeded(self, username: str, address: str) -> None:
        """The username's failures are forgotten and this address becomes one of its desks."""
        user_key, _, desk_key = self._throttle_keys(username, address)
        try:
            await self.redis.delete(user_key)
            await self.redis.set(desk_key, b"1", ex=KNOWN_DESK_SECONDS)
        except (RedisError, OSError) as error:
            raise sessions_unavailable() from error
