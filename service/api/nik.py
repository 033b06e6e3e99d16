"""`POST /api/v1/nik`: is this NIK on the DPT? The NIK travels only in the body."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.openapi.datastructures import ResponseSpec

from service.edge.body import decode_body
from service.edge.caller import settle_caller
from service.edge.openapi import operation_with_body
from service.edge.services import services
from service.nik.parse import parse_nik
from service.schemas import ErrorBody, NikAnswer, NikRequest

_decode_nik_request = msgspec.json.Decoder(NikRequest)


@post(
    "/api/v1/nik",
    status_code=200,
    summary="Check a NIK against the published DPT",
    description=(
        "200 with registered true or false; 422 with a stable error code for a malformed NIK "
        "(nik_length, nik_not_digits, nik_region, nik_birth_date, nik_serial, nik_pattern) or a "
        "malformed body (invalid_json, body_type, field_missing, field_type, field_unknown, body_too_large)."
    ),
    responses={
        422: ResponseSpec(data_container=ErrorBody, description="Malformed NIK or body"),
        429: ResponseSpec(data_container=ErrorBody, description="Too many requests; see Retry-After"),
        503: ResponseSpec(data_container=ErrorBody, description="Overloaded or no database; see Retry-After"),
    },
    operation_class=operation_with_body(
        NikRequest, "The NIK: 16 digits; spaces, dots and dashes are ignored"
    ),
    request_max_body_size=1 << 20,
)
async def check_nik(request: Request[Any, Any, Any]) -> Response[NikAnswer]:
    found = services(request)
    # A help desk or gateway with a token is limited per token, everyone else per address.
    caller = await settle_caller(request)
    nik_request = decode_body(_decode_nik_request, await request.body(), found.settings.max_body_bytes)
    answer = await found.lookup.answer(parse_nik(nik_request.nik))
    await found.gate.settle(caller, answer)
    # The answer is already encoded JSON (it comes from the cache as bytes).
    return Response(answer.body, media_type="application/json")  # type: ignore[arg-type]
