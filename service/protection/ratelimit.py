"""Rate limits and anti-enumeration, kept in Redis so that every worker shares them.

Each limit is a GCRA bucket (the generic cell rate algorithm: one timestamp per key, so a bucket
costs one small Redis string). A request charges its client's bucket and checks, without
charging it, the client's *enumeration* bucket. That second bucket is charged only when a NIK
turns out not to be registered, and only for a NIK this client has not asked about recently. So
somebody walking serial numbers (nearly all misses, all distinct) is stopped after a handful,
while a help desk doing real work (mostly hits, repeats) never notices it.

Both checks run in one Lua script: atomic, one round trip. Checks that arrive in the same
event-loop tick share one pipelined round trip. Clients are identified only by keyed hashes
(their address, token id or phone number is never a Redis key).

If Redis fails or is slow, a local limiter with the same rules takes over in each worker. Failing
open would let an enumerator walk NIKs freely during an outage (or by causing one); failing
closed would refuse every resident. Local limits are per worker, so they are N times looser
with N workers: acceptable for the minutes an outage lasts. Redis is tried again after
`breaker_seconds`, so everything recovers by itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError, RedisError

from service.cache.batch import TickBatcher
from service.cache.breaker import REDIS_ERRORS, RedisBreaker
from service.errors import RateLimited
from service.settings import Settings


class Limit(NamedTuple):
    per_minute: float  # sustained rate
    burst: int  # how many may come at once

    @property
    def interval_ms(self) -> float:
        return 60_000.0 / self.per_minute


class Client(NamedTuple):
    """Who a limit applies to: `kind` picks the limits, `key` is a keyed hash of the identity."""

    kind: str  # "address", "token" or "sms"
    key: str


# KEYS[1] request bucket, KEYS[2] enumeration bucket.
# ARGV: request interval ms, request burst, enumeration interval ms, enumeration burst.
# Returns milliseconds to wait (0: allowed). Charges the request bucket only when allowed.
_ADMIT = """
local now_parts = redis.call('TIME')
local now = now_parts[1] * 1000 + now_parts[2] / 1000
local function wait_for(key, interval, burst)
  local tat = tonumber(redis.call('GET', key) or '0')
  if tat < now then tat = now end
  local allow_at = tat + interval - interval * burst
  if allow_at > now then return allow_at - now, tat end
  return 0, tat
end
local enum_wait = wait_for(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]))
if enum_wait > 0 then return math.ceil(enum_wait) end
local interval = tonumber(ARGV[1])
local wait, tat = wait_for(KEYS[1], interval, tonumber(ARGV[2]))
if wait > 0 then return math.ceil(wait) end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now) + 1)
return 0
"""

# KEYS[1] enumeration bucket, KEYS[2] the set of NIK fingerprints this client missed lately.
# ARGV: enumeration interval ms, fingerprint, how long a fingerprint is remembered (ms).
# A miss on a NIK already missed costs nothing; a new one moves the bucket on (even past full,
# so that walking on keeps the client waiting longer).
_MISS = """
if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
local now_parts = redis.call('TIME')
local now = now_parts[1] * 1000 + now_parts[2] / 1000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now) + 1)
return 1
"""


_ADMIT_SHA = hashlib.sha1(_ADMIT.encode()).hexdigest()  # noqa: S324 - Redis names scripts by SHA-1


class LocalBuckets:
    """The same GCRA in one process, bounded in size: the fallback when Redis is unavailable."""

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic):
        self._tat: dict[str, float] = {}
        self._seen: dict[str, dict[str, float]] = {}
        self._max_keys = max_keys
        self._clock = clock

    def admit(self, request_key: str, request: Limit, enum_key: str, enum: Limit) -> float:
        now = self._clock() * 1000
        enum_wait = self._wait(enum_key, enum, now)
        if enum_wait > 0:
            return enum_wait
        wait = self._wait(request_key, request, now)
        if wait == 0:
            self._set(request_key, max(self._tat.get(request_key, now), now) + request.interval_ms)
        return wait

    def miss(self, enum_key: str, enum: Limit, fingerprint: str, remember_ms: float) -> None:
        now = self._clock() * 1000
        if enum_key not in self._seen and len(self._seen) >= self._max_keys:
            self._seen.clear()
        seen = self._seen.setdefault(enum_key, {})
        if seen.get(fingerprint, 0) > now:
            return
        seen[fingerprint] = now + remember_ms
        self._set(enum_key, max(self._tat.get(enum_key, now), now) + enum.interval_ms)

    def _wait(self, key: str, limit: Limit, now: float) -> float:
        tat = max(self._tat.get(key, now), now)
        allow_at = tat + limit.interval_ms - limit.interval_ms * limit.burst
        return max(allow_at - now, 0.0)

    def _set(self, key: str, tat: float) -> None:
        if key not in self._tat and len(self._tat) >= self._max_keys:
            del self._tat[next(iter(self._tat))]
        self._tat[key] = tat


class Networks:
    """A set of CIDRs (`10.0.0.0/8,127.0.0.1/32`); an empty text matches nothing."""

    CACHE_LIMIT = 10_000  # addresses; parsing one costs microseconds on every request

    def __init__(self, cidrs: str):
        parts = [part.strip() for part in cidrs.split(",")]
        self._networks = [ipaddress.ip_network(part, strict=False) for part in parts if part]
        self._known: dict[str, bool] = {}

    def __contains__(self, address: str) -> bool:
        if not self._networks:
            return False
        known = self._known.get(address)
        if known is None:
            known = self._match(address)
            if len(self._known) >= self.CACHE_LIMIT:
                self._known.clear()
            self._known[address] = known
        return known

    def _match(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._networks)


def client_address(peer: str, forwarded_for: str | None, trusted_proxies: Networks) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the nearest
    address in X-Forwarded-For that is not itself a trusted proxy (the rest can be forged)."""
    address = peer
    if forwarded_for and peer in trusted_proxies:
        for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
            address = hop
            if hop not in trusted_proxies:
                break
    return address


class Limits(NamedTuple):
    """The limits of one kind of client: requests, and distinct unregistered NIKs."""

    requests: Limit
    misses: Limit


class RateLimiter:
    """Per-client limits in Redis with a local fallback; one per worker."""

    def __init__(
        self,
        redis: aioredis.Redis | None,
        limits: dict[str, Limits],
        *,
        secret: str,
        breaker: RedisBreaker,
        exempt: Networks | None = None,
        trusted_proxies: Networks | None = None,
        remember_misses_seconds: float = 3600.0,
    ):
        self.redis = redis
        self.limits = limits
        self.breaker = breaker
        self.exempt = exempt or Networks("")
        self.trusted_proxies = trusted_proxies or Networks("")
        self.local = LocalBuckets()
        self.limited = 0
        self._secret = secret.encode()
        self._remember_ms = int(remember_misses_seconds * 1000)
        self._batcher: TickBatcher[tuple[Client, asyncio.Future[float]]] = TickBatcher(self._resolve)

    @classmethod
    def from_settings(
        cls, redis: aioredis.Redis | None, settings: Settings, breaker: RedisBreaker
    ) -> RateLimiter:
        def per_hour(rate: float) -> float:
            return rate / 60

        limits = {
            "address": Limits(
                Limit(settings.rate_address_per_minute, settings.rate_address_burst),
                Limit(settings.misses_address_per_hour / 60, settings.misses_address_burst),
            ),
            "token": Limits(
                Limit(settings.rate_token_per_minute, settings.rate_token_burst),
                Limit(settings.misses_token_per_hour / 60, settings.misses_token_burst),
            ),
            "sms": Limits(
                Limit(settings.rate_sms_per_minute, settings.rate_sms_burst),
                Limit(settings.misses_sms_per_hour / 60, settings.misses_sms_burst),
            ),
        }
        return cls(
            redis,
            limits,
            secret=settings.nik_key,
            breaker=breaker,
            exempt=Networks(settings.rate_limit_exempt),
            trusted_proxies=Networks(settings.trusted_proxies),
        )

    def caller(self, peer: str, forwarded_for: str | None, token_id: int | None = None) -> Client | None:
        """Whom a request counts against: its API token, else its address; None when exempt."""
        address = client_address(peer, forwarded_for, self.trusted_proxies)
        if address in self.exempt:
            return None
        if token_id is not None:
            return self.client("token", str(token_id))
        return self.client("address", _bucket_address(address))

    def client(self, kind: str, identity: str) -> Client:
        digest = hmac.new(self._secret, f"{kind}:{identity}".encode(), hashlib.sha256).hexdigest()[:24]
        return Client(kind, digest)

    async def admit(self, client: Client) -> None:
        """Charge one request to `client`; RateLimited (429) when over a limit."""
        wait_ms = await self._wait(client)
        if wait_ms > 0:
            self.limited += 1
            raise RateLimited(
                "Terlalu banyak permintaan. Silakan coba lagi nanti.",
                "Too many requests. Please try again later.",
                retry_after=max(1, math.ceil(wait_ms / 1000)),
            )

    def missed(self, client: Client, nik_hash: bytes) -> None:
        """Record (in the background) that `client` asked about an unregistered NIK."""
        self._batcher.spawn(self._record_miss(client, nik_hash[:8].hex()))

    # -- Redis, batched per event-loop tick, or the local fallback --------------------------
    def _keys(self, client: Client) -> tuple[str, str, str]:
        tag = f"rl:{{{client.kind}:{client.key}}}"  # one hash slot per client (Redis Cluster)
        return f"{tag}:req", f"{tag}:enum", f"{tag}:seen"

    async def _wait(self, client: Client) -> float:
        if self.redis is None or not self.breaker.closed:
            return self._local_wait(client)
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._batcher.add((client, future))
        return await future

    def _local_wait(self, client: Client) -> float:
        limits = self.limits[client.kind]
        request_key, enum_key, _ = self._keys(client)
        return self.local.admit(request_key, limits.requests, enum_key, limits.misses)

    async def _resolve(self, batch: Sequence[tuple[Client, asyncio.Future[float]]]) -> None:
        try:
            waits = await self._redis_waits([client for client, _ in batch])
        except REDIS_ERRORS as error:
            self.breaker.failed(error)
            waits = [self._local_wait(client) for client, _ in batch]
        for (_, future), wait in zip(batch, waits, strict=True):
            if not future.done():
                future.set_result(float(wait))

    async def _redis_waits(self, clients: list[Client]) -> list[Any]:
        """One EVALSHA per client, all in one pipelined round trip (loading the script once)."""
        redis = self.redis
        if redis is None:
            raise RedisError("no redis")
        for attempt in range(2):
            async with redis.pipeline(transaction=False) as pipe:
                for client in clients:
                    limits = self.limits[client.kind]
                    request_key, enum_key, _ = self._keys(client)
                    pipe.evalsha(
                        _ADMIT_SHA, 2, request_key, enum_key,
                        limits.requests.interval_ms, limits.requests.burst,
                        limits.misses.interval_ms, limits.misses.burst,
                    )  # fmt: skip
                try:
                    return await pipe.execute()
                except NoScriptError:  # a new or restarted Redis: load the scripts, once
                    if attempt:
                        raise
                    await redis.script_load(_ADMIT)
                    await redis.script_load(_MISS)
        raise AssertionError("unreachable")

    async def _record_miss(self, client: Client, fingerprint: str) -> None:
        limits = self.limits[client.kind]
        _, enum_key, seen_key = self._keys(client)
        if self.redis is not None and self.breaker.closed:
            try:
                await self.redis.eval(
                    _MISS, 2, enum_key, seen_key, limits.misses.interval_ms, fingerprint, self._remember_ms
                )
            except REDIS_ERRORS as error:
                self.breaker.failed(error)
            else:
                return
        self.local.miss(enum_key, limits.misses, fingerprint, self._remember_ms)

    async def drain(self) -> None:
        await self._batcher.drain()


def _bucket_address(address: str) -> str:
    """The address a limit is kept for: an IPv6 address counts by its /64, because a phone on an
    Indonesian mobile network gets a whole /64 and could otherwise rotate addresses freely."""
    if ":" not in address:
        return address
    try:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    except ValueError:
        return address
