"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from prometheus_client import CONTENT_TYPE_LATEST

from service.edge.services import services
from service.observability.metrics import exposition
from service.observability.sampler import WorkerSampler
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


@get("/metrics", media_type=CONTENT_TYPE_LATEST, summary="Prometheus metrics", cache=False)
async def metrics(request: Request[Any, Any, Any]) -> bytes:
    """Summed over every worker of `dpt serve`, whichever worker answers (the answering worker
    flushes its own counts first, so they are exact; the others' are at most a second old).
    It never waits for PostgreSQL: the published dataset is followed by the sampler's task."""
    sampler: WorkerSampler = request.app.state.metrics
    sampler.flush()
    return exposition()
