"""OpenAPI documentation for handlers that decode their own body (for stable error codes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType


def _schema_of(struct: type[msgspec.Struct]) -> Schema:
    definition: dict[str, Any] = msgspec.json.schema(struct)
    name = definition["$ref"].rsplit("/", 1)[-1]
    body = definition["$defs"][name]
    return Schema(
        type=OpenAPIType.OBJECT,
        properties={key: Schema(type=OpenAPIType.STRING) for key in body["properties"]},
        required=body.get("required", []),
        additional_properties=False,
    )


def operation_with_body(struct: type[msgspec.Struct], description: str) -> type[Operation]:
    """An Operation class whose request body is `struct` as JSON (all fields strings)."""
    request_body = RequestBody(
        content={"application/json": OpenAPIMediaType(schema=_schema_of(struct))},
        description=description,
        required=True,
    )

    @dataclass
    class BodyOperation(Operation):
        request_body: Any = field(default_factory=lambda: request_body)

        def __post_init__(self) -> None:
            self.request_body = request_body

    return BodyOperation
