"""`GET /api/v1/datasets` and `GET /api/v1/datasets/{version}/quality`: dataset versions and their
data-quality counts, for admin tokens only (`dpt token add --role admin`)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath

from service.access.guards import require_admin
from service.edge.caller import settle_caller
from service.edge.openapi import error_responses
from service.edge.services import services
from service.errors import Unauthorized
from service.quality.status import dataset_quality, dataset_versions
from service.schemas import DatasetQuality, ErrorBody

_encode = msgspec.json.Encoder().encode


async def _admin(request: Request[Any, Any, Any]) -> None:
    caller = await settle_caller(request)
    if caller.principal is None:
        raise Unauthorized(
            "Perlu token admin (Authorization: Bearer ...).",
            "An admin token is needed (Authorization: Bearer ...).",
            code="token_required",
        )
    require_admin(caller.principal)


@get(
    "/api/v1/datasets",
    summary="Dataset versions with their status and data-quality counts (admin)",
    responses=error_responses(401, 403, 429, 503),
)
async def list_datasets(request: Request[Any, Any, Any]) -> Response[list[DatasetQuality]]:
    await _admin(request)
    versions = await dataset_versions(services(request).published.store)
    return Response(_encode(versions), media_type="application/json")  # type: ignore[arg-type]


@get(
    "/api/v1/datasets/{version:str}/quality",
    summary="One dataset version's data-quality counts, one per finding kind (admin)",
    description="`findings` is null for a version without a report (`dpt quality`). 404 dataset_not_found.",
    responses={
        **error_responses(401, 403, 429, 503),
        404: ResponseSpec(data_container=ErrorBody, description="No such version (dataset_not_found)"),
    },
)
async def dataset_quality_report(
    request: Request[Any, Any, Any], version: FromPath[str]
) -> Response[DatasetQuality]:
    await _admin(request)
    answer = await dataset_quality(services(request).published.store, version)
    return Response(_encode(answer), media_type="application/json")  # type: ignore[arg-type]
