"""OpenAPI that says what the service accepts and answers: request bodies with the patterns and
lengths the handlers check, and every error status a route can give, in the error shape.

Handlers decode their own bodies (for stable error codes), so the body's schema is written here
rather than derived from the wire type; `tests/servers/test_schema.py` runs schemathesis against
it, so a schema that drifts from the handlers fails the suite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, Operation, Reference, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

from service.schemas import ErrorBody

_ERRORS = {
    400: "The request body could not be read (body_unreadable)",
    401: "A token was given but is not valid, or was revoked (token_invalid)",
    403: "The token may not do this here (role_forbidden, region_out_of_scope)",
    413: "The request body is over the route's limit (body_too_large)",
    422: "Malformed request; `code` says which rule it breaks",
    429: "Too many requests (rate_limited); see Retry-After",
    503: "Overloaded, no dataset or no database (overloaded, no_dataset, store_unavailable); see Retry-After",
}


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The error answers a route can give, each in the `{"error": {...}}` shape."""
    return {
        status: ResponseSpec(data_container=ErrorBody, description=_ERRORS[status]) for status in statuses
    }


def text(
    *, min_length: int | None = None, max_length: int | None = None, pattern: str | None = None
) -> Schema:
    return Schema(type=OpenAPIType.STRING, min_length=min_length, max_length=max_length, pattern=pattern)


def date() -> Schema:
    return Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE)


def operation_with_body(
    description: str, properties: Mapping[str, Schema | Reference], required: tuple[str, ...]
) -> type[Operation]:
    """An Operation class whose request body is a JSON object of exactly `properties`."""
    request_body = RequestBody(
        content={
            "application/json": OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.OBJECT,
                    properties=dict(properties),
                    required=list(required),
                    additional_properties=False,
                )
            )
        },
        description=description,
        required=True,
    )

    @dataclass
    class BodyOperation(Operation):
        request_body: Any = field(default_factory=lambda: request_body)

        def __post_init__(self) -> None:
            self.request_body = request_body

    return BodyOperation
