"""Request-body decoding with stable error codes, and the one table mapping errors to HTTP."""

from __future__ import annotations

import logging
import re
from typing import Any, TypeVar

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from service.errors import DomainError, InvalidInput, PayloadTooLarge
from service.schemas import ErrorBody, ErrorDetail

log = logging.getLogger(__name__)
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


_encode = msgspec.json.Encoder().encode


def error_body(error: DomainError) -> bytes:
    """The JSON every error answer carries: a stable code and the message in both languages."""
    detail = ErrorDetail(
        code=error.code, message=error.message, message_en=error.message_en, field=error.field
    )
    return _encode(ErrorBody(error=detail))


def error_response(error: DomainError) -> Response[bytes]:
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
    return Response(
        error_body(error), status_code=error.status, media_type="application/json", headers=headers
    )


_HTTP_CODES = {
    400: ("bad_request", "Permintaan tidak sah.", "Bad request."),
    401: ("unauthorized", "Perlu token yang sah.", "A valid token is required."),
    403: ("forbidden", "Tidak diizinkan.", "Not allowed."),
    404: ("not_found", "Halaman tidak ditemukan.", "Not found."),
    405: ("method_not_allowed", "Metode tidak diizinkan.", "Method not allowed."),
    413: ("body_too_large", "Permintaan terlalu besar.", "The request body is too large."),
    415: ("unsupported_media_type", "Jenis isi tidak didukung.", "Unsupported media type."),
}


def domain_error_handler(_: Request[Any, Any, Any], error: DomainError) -> Response[bytes]:
    return error_response(error)


def http_error_handler(_: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    """Litestar's own errors (404, 405, 413...) in the service's error shape."""
    code, message, message_en = _HTTP_CODES.get(
        error.status_code,
        ("http_error", "Permintaan tidak dapat diproses.", "The request cannot be processed."),
    )
    domain = DomainError(message, message_en, code=code)
    domain.status = error.status_code
    return error_response(domain)


def internal_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    # Never the request body or the exception text: either may carry a NIK.
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(error).__name__)
    domain = DomainError(
        "Terjadi kesalahan di server. Silakan coba lagi.",
        "Something went wrong on our side. Please try again.",
    )
    domain.status, domain.code = HTTP_500_INTERNAL_SERVER_ERROR, "internal_error"
    return error_response(domain)
