"""One worker's metrics carried into the shared metric files: once a second, before each scrape,
and when the worker stops.

The worker's services count their own events in plain integers (the cache's tiers, the Redis
breaker's failures, admission control's sheds, the rate limiter's refusals), which costs the
lookup path nothing; the sampler adds what each grew by since it last looked. Gauges (requests
in flight, the PostgreSQL pool, the published dataset) are read at the same moments.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from service.edge.services import Services
from service.errors import Unavailable
from service.observability import metrics
from service.observability.logs import flush_logs

FLUSH_SECONDS = 1.0


def _pool_waiting(pool: Any) -> int:
    """Queries waiting for a connection. asyncpg has no public count: its pool hands connections
    out through an asyncio.Queue, whose waiting getters are this number (checked by
    tests/servers/test_metrics.py, so an asyncpg that changes it fails a test, not an operator)."""
    queue = getattr(pool, "_queue", None)
    return len(getattr(queue, "_getters", ()))


class WorkerSampler:
    """One per worker (built by the app's lifespan, after the services)."""

    def __init__(self, services: Services):
        self._services = services
        self._dataset: tuple[int, tuple[str, str, str]] | None = None
        cache = services.lookup.cache
        # (what Prometheus shows, where the worker counts it)
        self._counts: list[tuple[Any, Any, str]] = [
            (metrics.CACHE_ANSWERS.labels("local"), cache.stats, "local_hits"),
            (metrics.CACHE_ANSWERS.labels("local_stale"), cache.stats, "stale_served"),
            (metrics.CACHE_ANSWERS.labels("redis"), cache.stats, "redis_hits"),
            (metrics.CACHE_ANSWERS.labels("store"), cache.stats, "misses"),
            (metrics.COALESCED, cache.stats, "coalesced"),
            (metrics.REFRESHES_CLAIMED, cache.stats, "refreshes_claimed"),
            (metrics.STORE_BATCHES, cache.stats, "store_batches"),
            (metrics.REDIS_ERRORS, cache.breaker, "failures"),  # the breaker the limiter shares
            (metrics.SHED, services.admission, "shed"),
            (metrics.BODY_TIMEOUTS, services.admission, "body_timeouts"),
            (metrics.RATE_LIMITED, services.gate.limiter, "limited"),
        ]
        self._seen = [0] * len(self._counts)  # what each counter was given up to
        metrics.WORKERS.set(1)

    def flush(self) -> None:
        metrics.flush_requests()
        flush_logs()
        for index, (counter, owner, attribute) in enumerate(self._counts):
            value = getattr(owner, attribute)
            if value > self._seen[index]:
                counter.inc(value - self._seen[index])
                self._seen[index] = value
        services = self._services
        admission = services.admission
        metrics.IN_FLIGHT.set(admission.in_flight)
        metrics.ADMISSION_LIMIT.set(admission.limit)
        metrics.LOOP_LAG.set(round(admission.lag, 6))
        pool = services.published.store.pool
        size = pool.get_size()
        metrics.POOL_SIZE.set(size)
        metrics.POOL_IN_USE.set(size - pool.get_idle_size())
        metrics.POOL_WAITING.set(_pool_waiting(pool))
        metrics.STORE_UP.set(int(services.published.store_ok))

    async def follow_dataset(self) -> None:
        """Show the published dataset (its version, election, polling date and publish time)."""
        published = self._services.published
        dataset = published.dataset
        if dataset is None or (self._dataset is not None and self._dataset[0] == dataset.id):
            return
        try:
            published_at: dt.datetime | None = await published.store.value(
                "dataset-published-at", dataset_id=dataset.id
            )
        except Unavailable:
            return  # the next tick tries again
        if self._dataset is not None:
            metrics.DATASET_INFO.labels(*self._dataset[1]).set(0)
        info = dataset.info
        labels = (info.version, info.election, info.polling_date.isoformat() if info.polling_date else "")
        metrics.DATASET_INFO.labels(*labels).set(1)
        metrics.DATASET_ID.set(dataset.id)
        if published_at is not None:
            metrics.DATASET_PUBLISHED_AT.set(published_at.timestamp())
        self._dataset = (dataset.id, labels)

    async def watch(self) -> None:
        """Flush forever (a lifespan task)."""
        while True:
            await self.follow_dataset()
            self.flush()
            await asyncio.sleep(FLUSH_SECONDS)

    def stop(self) -> None:
        """The last flush of a worker that stops; its live gauges leave the sums."""
        self.flush()
        metrics.worker_stopped()
