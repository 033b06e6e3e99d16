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

In a Redis Cluster a client's keys share one hash tag, so each script runs on the node that holds
them; a tick's checks go out as one pipeline per node. redis-py's cluster pipelines refuse
EVALSHA (redis/redis-py#2914), so there the pipeline sends EVAL (Redis still caches the script).

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
import math
from collections.abc import Sequence
from typing import Any, NamedTuple

from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError, RedisError

from service.cache.batch import TickBatcher
from service.cache.breaker import REDIS_ERRORS, RedisBreaker
from service.cache.client import RedisClient
from service.errors import RateLimited
from service.protection.addresses import Networks, bucket_address, client_address
from service.protection.buckets import UNLIMITED, Limit, Limits, LocalBuckets
from service.settings import Settings


class Client(NamedTuple):
    """Who a limit applies to: `kind` picks the limits, `key` is a keyed hash of the identity."""

    kind: str  # "address", "token", "sms", "gateway" or "token_lookup"
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

# KEYS[1] enumeration bucket, KEYS[2] the set of fingerprints this client missed lately (a NIK
# not on the DPT, a name guessed). ARGV: enumeration interval ms, enumeration burst, fingerprint,
# how long a fingerprint is remembered (ms). A miss already seen costs nothing. A new one is
# charged before its answer is sent: it returns the milliseconds to wait (0: answer it), so ten
# concurrent misses against a burst of three get three answers. A refused miss still moves the
# bucket on (walking on keeps the client waiting longer) but is not remembered, so asking it
# again later is charged again.
_MISS = """
if redis.call('SISMEMBER', KEYS[2], ARGV[3]) == 1 then return 0 end
local now_parts = redis.call('TIME')
local now = now_parts[1] * 1000 + now_parts[2] / 1000
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now) + 1)
local allow_at = new_tat - interval * tonumber(ARGV[2])
if allow_at > now then return math.ceil(allow_at - now) end
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 0
"""


_ADMIT_SHA = hashlib.sha1(_ADMIT.encode()).hexdigest()  # noqa: S324 - Redis names scripts by SHA-1


class RateLimiter:
    """Per-client limits in Redis with a local fallback; one per worker."""

    def __init__(
        self,
        redis: RedisClient | None,
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
        cls, redis: RedisClient | None, settings: Settings, breaker: RedisBreaker
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
            # An SMS gateway's token: its phones' requests are limited per phone; its misses
            # together have a budget of their own, so 200 phones cannot walk 200 NIKs.
            "gateway": Limits(
                UNLIMITED, Limit(settings.misses_gateway_per_hour / 60, settings.misses_gateway_burst)
            ),
            # Tokens a worker does not know yet (new, wrong or made up), looked up in PostgreSQL:
            # charged to the address before the look-up, so a flood of made-up tokens is not free.
            "token_lookup": Limits(
                Limit(settings.rate_token_lookups_per_minute, settings.rate_token_lookups_burst), UNLIMITED
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
        return self.client("address", bucket_address(address))

    def token_lookups(self, peer: str, forwarded_for: str | None) -> Client | None:
        """The bucket of token look-ups from a request's address; None when exempt."""
        address = client_address(peer, forwarded_for, self.trusted_proxies)
        if address in self.exempt:
            return None
        return self.client("token_lookup", bucket_address(address))

    def client(self, kind: str, identity: str) -> Client:
        digest = hmac.new(self._secret, f"{kind}:{identity}".encode(), hashlib.sha256).hexdigest()[:24]
        return Client(kind, digest)

    async def admit(self, client: Client) -> None:
        """Charge one request to `client`; RateLimited (429) when over a limit."""
        wait_ms = await self._wait(client)
        if wait_ms > 0:
            raise self._refusal(wait_ms)

    async def charge_miss(self, client: Client, fingerprint: bytes) -> None:
        """Charge a miss (a NIK not on the DPT, a distinct name guessed) to `client` before its
        answer is sent; RateLimited (429) when the miss is over its budget."""
        wait_ms = await self._miss_wait(client, fingerprint[:8].hex())
        if wait_ms > 0:
            raise self._refusal(wait_ms)

    def _refusal(self, wait_ms: float) -> RateLimited:
        self.limited += 1
        return RateLimited(
            "Terlalu banyak permintaan. Silakan coba lagi nanti.",
            "Too many requests. Please try again later.",
            retry_after=max(1, math.ceil(wait_ms / 1000)),
        )

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
        cluster = isinstance(redis, RedisCluster)
        for attempt in range(2):
            async with redis.pipeline(transaction=False) as pipe:
                for client in clients:
                    limits = self.limits[client.kind]
                    request_key, enum_key, _ = self._keys(client)
                    arguments = (
                        2, request_key, enum_key,
                        limits.requests.interval_ms, limits.requests.burst,
                        limits.misses.interval_ms, limits.misses.burst,
                    )  # fmt: skip
                    if cluster:
                        pipe.eval(_ADMIT, *arguments)
                    else:
                        pipe.evalsha(_ADMIT_SHA, *arguments)
                try:
                    return await pipe.execute()
                except NoScriptError:  # a new or restarted Redis: load the scripts, once
                    if attempt:
                        raise
                    await redis.script_load(_ADMIT)
                    await redis.script_load(_MISS)
        raise AssertionError("unreachable")

    async def _miss_wait(self, client: Client, fingerprint: str) -> float:
        limits = self.limits[client.kind]
        _, enum_key, seen_key = self._keys(client)
        if self.redis is not None and self.breaker.closed:
            try:
                wait: int = await self.redis.eval(
                    _MISS, 2, enum_key, seen_key,
                    limits.misses.interval_ms, limits.misses.burst, fingerprint, self._remember_ms,
                )  # fmt: skip
            except REDIS_ERRORS as error:
                self.breaker.failed(error)
            else:
                return float(wait)
        return self.local.miss(enum_key, limits.misses, fingerprint, self._remember_ms)

    async def drain(self) -> None:
        await self._batcher.drain()
