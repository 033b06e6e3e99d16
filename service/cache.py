"""Two-tier answer cache: a bounded in-process cache in front of Redis in front of the store.

Concurrent misses are coalesced: every key missing in one event-loop tick is asked of Redis in
one MGET, the keys Redis lacks are loaded from the store in one batched query, and a key already
being loaded is waited for rather than loaded again (single flight). Writing answers back to
Redis happens after the callers have theirs, off the answer's path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

Arg = TypeVar("Arg", bound=Hashable)
# Loads the answers for a batch of arguments, in order; every argument gets an answer.
BatchLoader = Callable[[list[Arg]], Awaitable[list[bytes]]]
# How long Redis keeps an answer (negative answers live shorter).
TtlFor = Callable[[bytes], int]


class LocalCache:
    """A bounded dict with a time-to-live; when full, the oldest insertion is evicted."""

    __slots__ = ("_clock", "_entries", "_max_entries", "_ttl")

    def __init__(self, max_entries: int, ttl: float, clock: Callable[[], float] = time.monotonic):
        self._entries: dict[str, tuple[float, bytes]] = {}
        self._max_entries = max_entries
        self._ttl = ttl
        self._clock = clock

    def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < self._clock():
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: str, value: bytes) -> None:
        if key not in self._entries and len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (self._clock() + self._ttl, value)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class CacheStats:
    local_hits: int = 0
    redis_hits: int = 0
    misses: int = 0
    store_batches: int = 0
    redis_errors: int = 0
    coalesced: int = 0


class TieredCache(Generic[Arg]):
    def __init__(
        self,
        local: LocalCache,
        redis: aioredis.Redis | None,
        loader: BatchLoader[Arg],
        ttl_for: TtlFor,
    ):
        self.local = local
        self.redis = redis
        self.stats = CacheStats()
        self._loader = loader
        self._ttl_for = ttl_for
        self._inflight: dict[str, asyncio.Future[bytes]] = {}
        self._batch: dict[str, Arg] = {}
        self._background: set[asyncio.Task[Any]] = set()

    async def get(self, key: str, arg: Arg) -> bytes:
        value = self.local.get(key)
        if value is not None:
            self.stats.local_hits += 1
            return value
        future = self._inflight.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._inflight[key] = future
            if not self._batch:
                asyncio.get_running_loop().call_soon(self._flush)
            self._batch[key] = arg
        else:
            self.stats.coalesced += 1
        # shield: one caller giving up (a client disconnect) must not cancel the others' load.
        return await asyncio.shield(future)

    def _flush(self) -> None:
        batch, self._batch = self._batch, {}
        self._spawn(self._resolve(batch))

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _resolve(self, batch: dict[str, Arg]) -> None:
        keys = list(batch)
        try:
            found = await self._redis_get(keys)
            missing = [key for key, value in zip(keys, found, strict=True) if value is None]
            self.stats.redis_hits += len(keys) - len(missing)
            for key, value in zip(keys, found, strict=True):
                if value is not None:
                    self._settle(key, value)
            if missing:
                self.stats.misses += len(missing)
                self.stats.store_batches += 1
                loaded = await self._loader([batch[key] for key in missing])
                for key, value in zip(missing, loaded, strict=True):
                    self._settle(key, value)
                self._spawn(self._redis_put(list(zip(missing, loaded, strict=True))))
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

    async def _redis_get(self, keys: list[str]) -> list[bytes | None]:
        if self.redis is None:
            return [None] * len(keys)
        try:
            values: list[bytes | None] = await self.redis.mget(keys)  # type: ignore[assignment]
        except (RedisError, OSError, TimeoutError) as error:
            self._redis_failed(error)
            return [None] * len(keys)
        return values

    async def _redis_put(self, items: list[tuple[str, bytes]]) -> None:
        if self.redis is None:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key, value in items:
                    pipe.set(key, value, ex=self._ttl_for(value))
                await pipe.execute()
        except (RedisError, OSError, TimeoutError) as error:
            self._redis_failed(error)

    def _redis_failed(self, error: BaseException) -> None:
        self.stats.redis_errors += 1
        # Rate-limited by counting: the first failure and every 1000th one are logged.
        if self.stats.redis_errors % 1000 == 1:
            log.warning("redis unavailable, answering without it: %s", type(error).__name__)

    async def drain(self) -> None:
        """Wait for background Redis writes (tests and shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
