"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import os
from typing import Any

from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec

from service.edge.services import services
from service.schemas import Health


@get("/health/live", summary="The process is up", cache=False)
async def live() -> Health:
    return Health(status="ok")


@get(
    "/health/ready",
    summary="The service can answer lookups (database reachable, a dataset published)",
    responses={503: ResponseSpec(data_container=Health, description="Cannot answer lookups")},
    cache=False,
)
async def ready(request: Request[Any, Any, Any]) -> Response[Health]:
    published = services(request).published
    checks = {
        "database": "ok" if published.store_ok else "unavailable",
        "dataset": "ok" if published.dataset else "none published",
    }
    ok = published.store_ok and published.dataset is not None
    version = published.dataset.info.version if published.dataset else None
    return Response(
        Health(status="ok" if ok else "unavailable", dataset=version, checks=checks),
        status_code=200 if ok else 503,
        headers=None if ok else {"Retry-After": "5"},
    )


@get("/metrics", media_type="text/plain; version=0.0.4", summary="Prometheus metrics", cache=False)
async def metrics(request: Request[Any, Any, Any]) -> str:
    """This worker's counters, labelled with its process id (each granian worker has its own)."""
    found = services(request)
    lookup, limiter, admission, published = found.lookup, found.gate.limiter, found.admission, found.published
    stats = lookup.cache.stats
    worker = f'worker="{os.getpid()}"'
    families: list[tuple[str, str, str, list[tuple[str, float]]]] = [
        ("dpt_cache_lookups_total", "counter", "NIK answers by the tier that served them.", [
            (f'{worker},tier="local"', stats.local_hits),
            (f'{worker},tier="local_stale"', stats.stale_served),
            (f'{worker},tier="redis"', stats.redis_hits),
            (f'{worker},tier="store"', stats.misses),
        ]),
        ("dpt_cache_coalesced_total", "counter", "Lookups that waited for an identical one in flight.",
         [(worker, stats.coalesced)]),
        ("dpt_cache_refreshes_claimed_total", "counter", "Stale Redis answers this worker reloaded.",
         [(worker, stats.refreshes_claimed)]),
        ("dpt_store_batches_total", "counter", "Batched store queries made for cache misses.",
         [(worker, stats.store_batches)]),
        ("dpt_redis_errors_total", "counter", "Redis calls that failed or timed out.",
         [(worker, lookup.cache.breaker.failures)]),
        ("dpt_requests_in_flight", "gauge", "Requests this worker is working on now.",
         [(worker, admission.in_flight)]),
        ("dpt_admission_limit", "gauge", "Requests this worker lets in at once now (adapts to loop lag).",
         [(worker, admission.limit)]),
        ("dpt_event_loop_lag_seconds", "gauge", "How late this worker's event loop ran at the last tick.",
         [(worker, round(admission.lag, 6))]),
        ("dpt_requests_shed_total", "counter", "Requests answered 503 overloaded by admission control.",
         [(worker, admission.shed)]),
        ("dpt_requests_rate_limited_total", "counter", "Requests answered 429 by the rate limiter.",
         [(worker, limiter.limited)]),
        ("dpt_dataset_published", "gauge", "Id of the published dataset this worker answers from.",
         [(worker, published.dataset.id if published.dataset else 0)]),
        ("dpt_store_up", "gauge", "Whether the last store check succeeded.",
         [(worker, int(published.store_ok))]),
    ]  # fmt: skip
    lines = []
    for name, kind, help_text, samples in families:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        lines += [f"{name}{{{labels}}} {value}" for labels, value in samples]
    return "\n".join(lines) + "\n"
