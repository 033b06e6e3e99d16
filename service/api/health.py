"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec

from service.lookup import NikLookup
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
    lookup: NikLookup = request.app.state.lookup
    checks = {
        "database": "ok" if lookup.store_ok else "unavailable",
        "dataset": "ok" if lookup.dataset else "none published",
    }
    ok = lookup.store_ok and lookup.dataset is not None
    version = lookup.dataset.info.version if lookup.dataset else None
    return Response(
        Health(status="ok" if ok else "unavailable", dataset=version, checks=checks),
        status_code=200 if ok else 503,
        headers=None if ok else {"Retry-After": "5"},
    )


@get("/metrics", media_type="text/plain; version=0.0.4", summary="Prometheus metrics", cache=False)
async def metrics(request: Request[Any, Any, Any]) -> str:
    lookup: NikLookup = request.app.state.lookup
    stats = lookup.cache.stats
    lines = [
        "# HELP dpt_cache_lookups_total NIK answers by the tier that served them.",
        "# TYPE dpt_cache_lookups_total counter",
        f'dpt_cache_lookups_total{{tier="local"}} {stats.local_hits}',
        f'dpt_cache_lookups_total{{tier="redis"}} {stats.redis_hits}',
        f'dpt_cache_lookups_total{{tier="store"}} {stats.misses}',
        "# HELP dpt_cache_coalesced_total Lookups that waited for an identical one in flight.",
        "# TYPE dpt_cache_coalesced_total counter",
        f"dpt_cache_coalesced_total {stats.coalesced}",
        "# HELP dpt_store_batches_total Batched store queries made for cache misses.",
        "# TYPE dpt_store_batches_total counter",
        f"dpt_store_batches_total {stats.store_batches}",
        "# HELP dpt_redis_errors_total Redis calls that failed or timed out.",
        "# TYPE dpt_redis_errors_total counter",
        f"dpt_redis_errors_total {stats.redis_errors}",
        "# HELP dpt_dataset_published Id of the published dataset this worker answers from.",
        "# TYPE dpt_dataset_published gauge",
        f"dpt_dataset_published {lookup.dataset.id if lookup.dataset else 0}",
        "# HELP dpt_store_up Whether the last store check succeeded.",
        "# TYPE dpt_store_up gauge",
        f"dpt_store_up {int(lookup.store_ok)}",
    ]
    return "\n".join(lines) + "\n"
