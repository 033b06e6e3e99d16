"""`POST /api/v1/search`: find a voter by name. Public callers give a birth date and see masked
names; help-desk tokens may omit it, search their own region and see full names (audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec

from service.access.tokens import Access, Principal, require_helpdesk
from service.edge.caller import admit_caller, authenticate, raw_header
from service.edge.errors import decode_body
from service.edge.openapi import operation_with_body
from service.errors import InvalidInput
from service.nik.lookup import NikLookup
from service.schemas import ErrorBody, SearchAnswer, SearchRequest, SearchResult
from service.search.engine import NameSearch, parse_search
from service.store import unavailable_on_store_errors

PUBLIC_LIMIT = 5
HELPDESK_LIMIT = 20
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
    responses={
        401: ResponseSpec(data_container=ErrorBody, description="Bad or revoked token"),
        403: ResponseSpec(data_container=ErrorBody, description="Region outside the token's scope"),
        429: ResponseSpec(data_container=ErrorBody, description="Too many requests; see Retry-After"),
        422: ResponseSpec(data_container=ErrorBody, description="Malformed request"),
    },
    operation_class=operation_with_body(SearchRequest, "name, region (Kemendagri code), birth_date"),
    request_max_body_size=1 << 20,
)
async def search_names(request: Request[Any, Any, Any]) -> Response[SearchAnswer]:
    state = request.app.state
    lookup: NikLookup = state.lookup
    principal = await authenticate(request, raw_header(request, b"authorization"))
    with unavailable_on_store_errors():
        await admit_caller(request, principal)
        body = decode_body(_decode_search_request, await request.body(), lookup.settings.max_body_bytes)
        results = await find_voters(state, body.name, body.region, body.birth_date, principal)
    return Response(_encode(SearchAnswer(results=results)), media_type="application/json")  # type: ignore[arg-type]


async def find_voters(
    state: State, name: str, region: str, birth_date: str | None, principal: Principal | None
) -> list[SearchResult]:
    """The search itself, for the API and the resident page: public callers must give a birth
    date and see masked names; a help-desk principal searches its own region, audited."""
    lookup: NikLookup = state.lookup
    names: NameSearch = state.names
    access: Access = state.access
    query = parse_search(name, region, birth_date, today=dt.datetime.now(tz=dt.UTC).date())
    if principal is None and query.birth_date is None:
        raise InvalidInput(
            "Tanggal lahir wajib diisi untuk pencarian nama.",
            "A birth date is required to search by name.",
            code="birth_date_required",
            field="birth_date",
        )
    if principal is not None:
        require_helpdesk(principal, query.region)
    await names.check_region(query.region)
    dataset = lookup.published()
    masked = principal is None
    hits = await names.search(
        dataset.id,
        name=query.name,
        region=query.region,
        birth_date=query.birth_date,
        limit=PUBLIC_LIMIT if masked else HELPDESK_LIMIT,
        masked=masked,
    )
    results = await names.results(dataset, hits, masked=masked)
    if principal is not None:
        await access.audit(
            principal, action="search", region=query.region, query=query.name, results=len(results)
        )
    return results
