"""The one Redis client of a worker: a single node, or a Redis (or Valkey) Cluster when
`DPT_REDIS_CLUSTER` is set. The cache, the rate limiter, the anti-enumeration memory and the
help-desk sessions all take this client, so one setting moves all of them.

In a cluster, keys that must live together carry one hash tag (`{...}`): a rate-limit client's
buckets and its seen set (`rl:{kind:key}:...`), a help-desk session's keys. Answers in the cache
are single keys, spread over every slot; a batch of them is read per slot (`mget_many`).
"""

from __future__ import annotations

from typing import TypeAlias

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.backoff import NoBackoff
from redis.retry import Retry

from service.settings import Settings

RedisClient: TypeAlias = aioredis.Redis | RedisCluster


def open_redis(settings: Settings) -> RedisClient:
    """The worker's client, built as the settings say; nothing connects until the first call."""
    if settings.redis_cluster:
        return RedisCluster.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout_seconds,
            socket_connect_timeout=settings.redis_timeout_seconds,
            # A master that is down leaves its slots uncovered until it returns (or a replica
            # takes over); the other slots keep working, and calls to the missing ones fail fast
            # into the breaker instead of failing the whole client.
            require_full_coverage=False,
            # One quick retry after a connection error (the client refreshes the slot map), no
            # back-off: a slow Redis is skipped, never waited for (service/cache/breaker.py).
            retry=Retry(NoBackoff(), 1),
            health_check_interval=30,
        )
    return aioredis.from_url(
        settings.redis_url,
        socket_timeout=settings.redis_timeout_seconds,
        socket_connect_timeout=settings.redis_timeout_seconds,
        retry_on_timeout=False,
        health_check_interval=30,
    )


async def mget_many(redis: RedisClient, keys: list[str]) -> list[bytes | None]:
    """The values of `keys`, in order: one MGET on a single node; in a cluster one MGET per slot,
    all in one pipelined round trip per node (a plain MGET across slots fails with CROSSSLOT)."""
    if isinstance(redis, RedisCluster):
        found: list[bytes | None] = await redis.mget_nonatomic(keys)
        return found
    values: list[bytes | None] = await redis.mget(keys)  # type: ignore[assignment]
    return values
