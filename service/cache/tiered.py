"""Two-tier answer cache: a bounded in-process cache in front of Redis in front of the store.

Concurrent misses are coalesced: every key missing in one event-loop tick is asked of Redis in
one MGET (in a Redis Cluster, one per slot, pipelined per node), the keys Redis lacks are loaded
from the store in one batched query, and a key already being loaded is waited for rather than
loaded again (single flight). Writing answers back to Redis happens after the callers have
theirs, off the answer's path.

A popular answer that expires under load causes one refresh, not a stampede:
- in a worker, a stale local answer is still served while one refresh from Redis runs;
- across workers, each Redis value carries the time it goes stale, and is kept `stale_seconds`
  longer. The first worker to read it stale claims the refresh (SET NX) and reloads it from the
  store, while everyone else keeps serving the stale answer.

When Redis fails, a shared breaker makes every worker skip it for a moment (a dead Redis costs
one timeout, not one per request) and then try it again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from service.cache.batch import TickBatcher
from service.cache.breaker import REDIS_ERRORS, RedisBreaker
from service.cache.client import RedisClient, mget_many
from service.cache.local import Cached, LocalCache

Arg = TypeVar("Arg", bound=Hashable)
# Loads the answers for a batch of arguments, in order; every argument gets an answer.
BatchLoader = Callable[[list[Arg]], Awaitable[list[bytes]]]
# How long Redis keeps an answer fresh (negative answers live shorter).
TtlFor = Callable[[bytes], int]
_STALE_AT_BYTES = 8  # a Redis value is the time it goes stale (ms, big-endian) + the answer


@dataclass
class CacheStats:
    local_hits: int = 0
    redis_hits: int = 0
    misses: int = 0
    store_batches: int = 0
    redis_errors: int = 0
    coalesced: int = 0
    stale_served: int = 0  # stale answers served while a refresh ran
    refreshes_claimed: int = 0  # stale Redis answers this worker reloaded for everyone


class TieredCache(Generic[Arg]):
    def __init__(
        self,
        local: LocalCache,
        redis: RedisClient | None,
        loader: BatchLoader[Arg],
        ttl_for: TtlFor,
        *,
        stale_seconds: float = 0.0,
        breaker: RedisBreaker | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.local = local
        self.redis = redis
        self.stats = CacheStats()
        self.breaker = breaker or RedisBreaker(0.0)
        self._loader = loader
        self._ttl_for = ttl_for
        self._stale_seconds = stale_seconds
        self._clock = clock  # wall clock: Redis stale times are compared across processes
        self._inflight: dict[str, asyncio.Future[bytes]] = {}
        self._batcher: TickBatcher[tuple[str, Arg]] = TickBatcher(self._resolve)

    async def get(self, key: str, arg: Arg) -> bytes:
        cached = self.local.lookup(key)
        if cached is not None:
            if cached.fresh:
                self.stats.local_hits += 1
            else:  # answer now; one refresh runs in the background
                self.stats.stale_served += 1
                if key not in self._inflight:
                    self._request(key, arg).add_done_callback(_ignore_failure)
            return cached.value
        future = self._inflight.get(key)
        if future is None:
            future = self._request(key, arg)
        else:
            self.stats.coalesced += 1
        # shield: one caller giving up (a client disconnect) must not cancel the others' load.
        return await asyncio.shield(future)

    def _request(self, key: str, arg: Arg) -> asyncio.Future[bytes]:
        """Join `key` to this tick's batch."""
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        self._batcher.add((key, arg))
        return future

    async def _resolve(self, items: list[tuple[str, Arg]]) -> None:
        batch = dict(items)
        keys = list(batch)
        try:
            found = await self._redis_get(keys)
            missing: list[str] = []
            stale: list[str] = []
            for key, cached in zip(keys, found, strict=True):
                if cached is None:
                    missing.append(key)
                    continue
                self.stats.redis_hits += 1
                self._settle(key, cached.value)
                if not cached.fresh:
                    stale.append(key)
            if stale:  # answered already; reload only the ones this worker claims
                claimed = await self._claim_refresh(stale)
                self.stats.refreshes_claimed += len(claimed)
                missing += claimed
            if missing:
                self.stats.misses += len(missing)
                self.stats.store_batches += 1
                loaded = await self._loader([batch[key] for key in missing])
                for key, value in zip(missing, loaded, strict=True):
                    self._settle(key, value)
                self._batcher.spawn(self._redis_put(list(zip(missing, loaded, strict=True))))
        except BaseException as error:
            for key in keys:
                future = self._inflight.pop(key, None)
                if future is not None and not future.done():
                    future.set_exception(error)
                    future.exception()  # mark retrieved: a caller that left must not warn
            if not isinstance(error, Exception):
                raise

    def _settle(self, key: str, value: bytes) -> None:
        self.local.put(key, value)
        future = self._inflight.pop(key, None)
        if future is not None and not future.done():
            future.set_result(value)

    # -- Redis ---------------------------------------------------------------------------
    def _redis_usable(self) -> RedisClient | None:
        return self.redis if self.breaker.closed else None

    async def _redis_get(self, keys: list[str]) -> list[Cached | None]:
        redis = self._redis_usable()
        if redis is None:
            return [None] * len(keys)
        try:
            values = await mget_many(redis, keys)
        except REDIS_ERRORS as error:
            self._redis_failed(error)
            return [None] * len(keys)
        now_ms = int(self._clock() * 1000)
        return [None if value is None else _unpack(value, now_ms) for value in values]

    async def _claim_refresh(self, keys: list[str]) -> list[str]:
        """The stale keys this worker gets to reload (one worker per key, across all workers)."""
        redis = self._redis_usable()
        if redis is None:
            return keys
        try:
            async with redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.set(f"{key}:refresh", b"1", nx=True, px=max(1000, int(self._stale_seconds * 500)))
                won = await pipe.execute()
        except REDIS_ERRORS as error:
            self._redis_failed(error)
            return keys
        return [key for key, claimed in zip(keys, won, strict=True) if claimed]

    async def _redis_put(self, items: list[tuple[str, bytes]]) -> None:
        redis = self._redis_usable()
        if redis is None:
            return
        now_ms = int(self._clock() * 1000)
        keep_ms = int(self._stale_seconds * 1000)
        try:
            async with redis.pipeline(transaction=False) as pipe:
                for key, value in items:
                    ttl_ms = self._ttl_for(value) * 1000
                    stale_at = (now_ms + ttl_ms).to_bytes(_STALE_AT_BYTES, "big")
                    pipe.set(key, stale_at + value, px=ttl_ms + keep_ms)
                await pipe.execute()
        except REDIS_ERRORS as error:
            self._redis_failed(error)

    def _redis_failed(self, error: BaseException) -> None:
        self.stats.redis_errors += 1
        self.breaker.failed(error)

    async def drain(self) -> None:
        """Wait for background Redis writes (tests and shutdown)."""
        await self._batcher.drain()


def _unpack(stored: bytes, now_ms: int) -> Cached | None:
    """A Redis value: (answer, still fresh); None for a value of another format."""
    if len(stored) <= _STALE_AT_BYTES:
        return None
    stale_at = int.from_bytes(stored[:_STALE_AT_BYTES], "big")
    return Cached(stored[_STALE_AT_BYTES:], fresh=now_ms < stale_at)


def _ignore_failure(future: asyncio.Future[bytes]) -> None:
    if not future.cancelled():
        future.exception()  # a background refresh that failed: the stale answer stands
