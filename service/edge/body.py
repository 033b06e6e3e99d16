"""Request bodies decoded into their wire types, every failure a 422 with a stable code."""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec

from service.errors import InvalidInput, PayloadTooLarge

T = TypeVar("T")

_MISSING = re.compile(r"missing required field `([^`]+)`")
_UNKNOWN = re.compile(r"unknown field `([^`]+)`")
_AT = re.compile(r"at `\$\.([A-Za-z_]+)")


def decode_body(decoder: msgspec.json.Decoder[T], body: bytes, max_bytes: int) -> T:
    """Decode a JSON body into its Struct, turning every failure into a 422 with a stable code."""
    if len(body) > max_bytes:
        raise PayloadTooLarge(
            f"Permintaan terlalu besar (lebih dari {max_bytes} bita).",
            f"The request body is too large (over {max_bytes} bytes).",
        )
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as error:
        raise _validation_error(str(error)) from None
    except msgspec.DecodeError:
        raise InvalidInput(
            "Isi permintaan bukan JSON yang sah.", "The request body is not valid JSON.", code="invalid_json"
        ) from None


def _validation_error(text: str) -> InvalidInput:
    if match := _MISSING.search(text):
        name = match.group(1)
        return InvalidInput(
            f"Kolom '{name}' wajib diisi.",
            f"The field '{name}' is required.",
            code="field_missing",
            field=name,
        )
    if match := _UNKNOWN.search(text):
        name = match.group(1)
        return InvalidInput(
            f"Kolom '{name}' tidak dikenal.",
            f"The field '{name}' is not known.",
            code="field_unknown",
            field=name,
        )
    if match := _AT.search(text):
        name = match.group(1)
        return InvalidInput(
            f"Kolom '{name}' berjenis salah (harus teks).",
            f"The field '{name}' has the wrong type ({text.split(' - ', maxsplit=1)[0]}).",
            code="field_type",
            field=name,
        )
    return InvalidInput(
        "Isi permintaan harus berupa objek JSON.", "The request body must be a JSON object.", code="body_type"
    )
