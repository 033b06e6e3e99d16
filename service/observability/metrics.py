"""The service's Prometheus metrics: the families, the hooks that count events, and the text that
`/metrics` serves.

Under `dpt serve` prometheus_client runs in multiprocess mode: every worker writes its values to
files in `PROMETHEUS_MULTIPROC_DIR` and a scrape, whichever worker answers it, reads all of them,
so it reports the sum over the workers (gauges: over the live ones). Outside `dpt serve` (tests,
a bare granian) the process's own registry is served.

A multiprocess counter increment writes to a memory-mapped file under a lock, which costs a NIK
lookup several microseconds. So the per-request counts (requests by route and status, the
latency histogram) are kept in plain dictionaries here and moved into the shared files by the
worker's sampler once a second and before every scrape (`flush_requests`). Rare events (SMS,
searches) are counted directly.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from typing import Final

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess

from service.observability.shared_files import MULTIPROC_ENV

# Latency buckets (seconds): cache hits take about a millisecond, a search tens of them.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("dpt_requests", "Requests answered, by route template and status.", ["route", "status"])
DURATION = Histogram(
    "dpt_request_duration_seconds", "Time to answer a request, by route template.", ["route"], buckets=BUCKETS
)
CACHE_ANSWERS = Counter("dpt_cache_lookups", "NIK answers by the tier that served them.", ["tier"])
COALESCED = Counter("dpt_cache_coalesced", "Lookups that waited for an identical one in flight.")
REFRESHES_CLAIMED = Counter("dpt_cache_refreshes_claimed", "Stale Redis answers a worker reloaded.")
STORE_BATCHES = Counter("dpt_store_batches", "Batched store queries made for cache misses.")
REDIS_ERRORS = Counter("dpt_redis_errors", "Redis calls that failed or timed out (cache and rate limits).")
SHED = Counter("dpt_requests_shed", "Requests answered 503 overloaded by admission control.")
RATE_LIMITED = Counter("dpt_requests_rate_limited", "Requests answered 429 by the rate limiter.")
BODY_TIMEOUTS = Counter("dpt_body_timeouts", "Requests whose body did not arrive in time (408).")
SMS = Counter("dpt_sms", "SMS answered, by outcome.", ["outcome"])
SEARCHES = Counter(
    "dpt_searches",
    "Name searches answered, by mode (public, helpdesk, helpdesk_birth_date) and confidence "
    "(confident: the best result would be told 'this is you'; candidates; none).",
    ["mode", "confidence"],
)

# Gauges: summed over the live workers, or their worst value.
SUM: Final = "livesum"
WORST: Final = "livemax"
LEAST: Final = "livemin"
IN_FLIGHT = Gauge("dpt_requests_in_flight", "Requests the workers are working on now.", multiprocess_mode=SUM)
ADMISSION_LIMIT = Gauge(
    "dpt_admission_limit", "Requests the workers let in at once (adapts to loop lag).", multiprocess_mode=SUM
)
LOOP_LAG = Gauge(
    "dpt_event_loop_lag_seconds", "How late the event loop ran at its last tick (the worst worker).",
    multiprocess_mode=WORST,
)  # fmt: skip
POOL_SIZE = Gauge("dpt_db_pool_connections", "PostgreSQL connections open now.", multiprocess_mode=SUM)
POOL_IN_USE = Gauge("dpt_db_pool_in_use", "PostgreSQL connections lent out now.", multiprocess_mode=SUM)
POOL_WAITING = Gauge(
    "dpt_db_pool_waiting", "Queries waiting for a free PostgreSQL connection now.", multiprocess_mode=SUM
)
STORE_UP = Gauge(
    "dpt_store_up", "1 when every worker's last check of PostgreSQL succeeded.", multiprocess_mode=LEAST
)
WORKERS = Gauge("dpt_workers", "Workers running (each reports 1).", multiprocess_mode=SUM)
DATASET_INFO = Gauge(
    "dpt_dataset_info",
    "The published dataset the workers answer from (1); a version they left reads 0.",
    ["version", "election", "polling_date"],
    multiprocess_mode=WORST,
)
DATASET_ID = Gauge("dpt_dataset_published", "Id of the published dataset.", multiprocess_mode=WORST)
DATASET_PUBLISHED_AT = Gauge(
    "dpt_dataset_published_timestamp_seconds",
    "When the dataset the workers answer from was published (Unix time).",
    multiprocess_mode=WORST,
)


class _Pending:
    """This process's requests since the last flush: counts by (route, status), and per route the
    count in each latency bucket (the last but one is +Inf) followed by the sum of seconds."""

    __slots__ = ("durations", "requests")

    def __init__(self) -> None:
        self.requests: dict[tuple[str, int], int] = {}
        self.durations: dict[str, list[float]] = {}


_pending = _Pending()


def observe_request(route: str, status: int, seconds: float) -> None:
    """Count one answered request (called by the access wrapper for every request)."""
    key = (route, status)
    requests = _pending.requests
    requests[key] = requests.get(key, 0) + 1
    counts = _pending.durations.get(route)
    if counts is None:
        counts = _pending.durations[route] = [0.0] * (len(BUCKETS) + 2)
    counts[bisect_left(BUCKETS, seconds)] += 1  # Prometheus buckets include their upper bound
    counts[-1] += seconds


def flush_requests() -> None:
    """Move the pending request counts into the metric families (the shared files)."""
    global _pending  # swapped whole: a request counted meanwhile is never lost
    pending, _pending = _pending, _Pending()
    for (route, status), count in pending.requests.items():
        REQUESTS.labels(route, str(status)).inc(count)
    for route, counts in pending.durations.items():
        histogram = DURATION.labels(route)
        # prometheus_client's Histogram observes one value at a time; its per-bucket values take
        # a count at once. tests/servers/test_metrics.py checks the exposition this gives.
        for bucket, in_bucket in zip(histogram._buckets, counts[:-1], strict=True):
            if in_bucket:
                bucket.inc(in_bucket)
        histogram._sum.inc(counts[-1])


def sms_answered(outcome: str) -> None:
    """Count one SMS reply: registered, not_registered, help, invalid_nik, rate_limited, unavailable."""
    SMS.labels(outcome).inc()


def searched(*, public: bool, with_birth_date: bool, best_confident: bool | None) -> None:
    """Count one name search; `best_confident` is None when it found no one."""
    mode = "public" if public else ("helpdesk_birth_date" if with_birth_date else "helpdesk")
    confidence = "none" if best_confident is None else ("confident" if best_confident else "candidates")
    SEARCHES.labels(mode, confidence).inc()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def exposition() -> bytes:
    """The Prometheus text: every worker's files under `dpt serve`, else this process's registry."""
    directory = multiprocess_dir()
    if directory is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    prometheus_multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def worker_stopped() -> None:
    """Drop this worker's live gauges from the shared files (its counters stay in the sums)."""
    if multiprocess_dir() is not None:
        prometheus_multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
