"""`POST /api/v1/nik`: is this NIK on the DPT? The NIK travels only in the body."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, post

from service.access.guards import HELPDESK_ROLES
from service.edge.body import decode_body
from service.edge.caller import settle_caller
from service.edge.openapi import error_responses, operation_with_body, text
from service.edge.services import services
from service.nik.parse import parse_nik
from service.schemas import NikAnswer, NikRequest

_decode_nik_request = msgspec.json.Decoder(NikRequest)


# What the handler accepts: 16 digits, with the separators people type between them (spaces,
# dots, dashes, slashes; full-width forms too). Whether those digits can be a NIK (region, birth
# date, serial) is checked by the handler, and answered 422 with its code.
_SEPARATOR = r"[\s.\-/_\u2010-\u2015\uff0e\uff0f\uff3f\uff0d]"
NIK_PATTERN = rf"^{_SEPARATOR}*(?:[0-9\uff10-\uff19]{_SEPARATOR}*){{16}}$"


@post(
    "/api/v1/nik",
    status_code=200,
    summary="Check a NIK against the published DPT",
    description=(
        "200 with registered true or false; 422 with a stable error code for a malformed NIK "
        "(nik_length, nik_not_digits, nik_region, nik_birth_date, nik_serial, nik_pattern) or a "
        "malformed body (invalid_json, body_type, field_missing, field_type, field_unknown, body_too_large)."
    ),
    responses=error_responses(400, 401, 413, 422, 429, 503),
    operation_class=operation_with_body(
        "The NIK: 16 digits; spaces, dots and dashes are ignored",
        {"nik": text(pattern=NIK_PATTERN)},
        required=("nik",),
    ),
    request_max_body_size=1 << 20,
)
async def check_nik(request: Request[Any, Any, Any]) -> Response[NikAnswer]:
    found = services(request)
    # A help desk or gateway with a token is limited per token, everyone else per address.
    caller = await settle_caller(request)
    nik_request = decode_body(_decode_nik_request, await request.body(), found.settings.max_body_bytes)
    nik = parse_nik(nik_request.nik)
    answer = await found.lookup.answer(nik)
    await found.gate.settle(caller, answer)
    if caller.principal is not None and caller.principal.role in HELPDESK_ROLES:
        # A help desk's look is audited before its answer is sent (the answer is the public one).
        await found.finder.audit.record(
            caller.principal, action="nik", region=None, query=nik.digits, results=int(answer.registered)
        )
    # The answer is already encoded JSON (it comes from the cache as bytes).
    return Response(answer.body, media_type="application/json")  # type: ignore[arg-type]
