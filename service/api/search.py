"""`POST /api/v1/search`: find a voter by name. Public callers give a birth date and see masked
names; help-desk tokens may omit it, search their own region and see full names (audited)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.openapi.spec import Schema
from litestar.openapi.spec.enums import OpenAPIType

from service.edge.body import decode_body
from service.edge.caller import settle_caller
from service.edge.openapi import date, error_responses, operation_with_body, text
from service.edge.services import services
from service.schemas import SearchAnswer, SearchRequest
from service.search.query import MAX_NAME_LENGTH, REGION_PATTERN

_decode_search_request = msgspec.json.Decoder(SearchRequest)
_encode = msgspec.json.Encoder().encode


@post(
    "/api/v1/search",
    status_code=200,
    summary="Find a voter by name in a region",
    description=(
        "Public: name, birth_date (YYYY-MM-DD) and region; at most 5 results with masked names. "
        "Help desk (Authorization: Bearer token from `dpt token add --role helpdesk`): birth_date optional, "
        "region inside the token's scope, at most 20 results with full names. 422 codes: name_missing, "
        "name_has_digits, name_only_titles, name_too_long, birth_date_invalid, birth_date_future, "
        "birth_date_required, region_invalid, region_too_broad, region_unknown."
    ),
    responses=error_responses(400, 401, 403, 413, 422, 429, 503),
    operation_class=operation_with_body(
        "name, region (a Kemendagri code: kab/kota, kecamatan or kelurahan), birth_date (YYYY-MM-DD)",
        {
            "name": text(min_length=1, max_length=MAX_NAME_LENGTH, pattern=r"^[^0-9]*$"),
            "region": text(pattern=REGION_PATTERN),
            "birth_date": Schema(one_of=[date(), Schema(type=OpenAPIType.NULL)]),
        },
        required=("name", "region"),
    ),
    request_max_body_size=1 << 20,
)
async def search_names(request: Request[Any, Any, Any]) -> Response[SearchAnswer]:
    found = services(request)
    caller = await settle_caller(request)
    body = decode_body(_decode_search_request, await request.body(), found.settings.max_body_bytes)
    results = await found.finder.find(body.name, body.region, body.birth_date, caller)
    return Response(_encode(SearchAnswer(results=results)), media_type="application/json")  # type: ignore[arg-type]
