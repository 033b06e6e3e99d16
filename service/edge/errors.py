"""Errors as programs see them: every failure, the service's or Litestar's, becomes a domain error
with a stable code, answered as the `{"error": {...}}` JSON shape."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, InternalServerException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from service.errors import BadRequest, DomainError, error_body
from service.protection.admission import ALWAYS_ADMITTED, MACHINE_PATHS

log = logging.getLogger(__name__)
PROGRAM_PATHS = (*MACHINE_PATHS, *ALWAYS_ADMITTED)


def error_headers(error: DomainError) -> dict[str, str] | None:
    """Retry-After on a 429 or 503, Allow on a 405."""
    headers = dict(error.headers or {})
    if error.retry_after:
        headers["Retry-After"] = str(error.retry_after)
    return headers or None


def error_response(error: DomainError) -> Response[bytes]:
    headers = error_headers(error)
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


def as_domain_error(request: Request[Any, Any, Any], error: Exception) -> DomainError:
    """Any exception as the domain error it is shown as: Litestar's own (404, 405, 413, the CSRF
    403...) get a stable code; anything unexpected is a logged 500."""
    if isinstance(error, DomainError):
        return error
    if isinstance(error, InternalServerException) and "disconnected" in str(error.detail):
        # Litestar's word for a body the server could not read: the client left, or sent a
        # chunked body the server refused (a chunk size of `zz`). Either way the request is bad.
        return BadRequest(
            "Isi permintaan tidak dapat dibaca.",
            "The request body could not be read.",
            code="body_unreadable",
        )
    if isinstance(error, HTTPException):
        if error.status_code == 403 and "csrf" in str(error.detail).lower():
            domain = DomainError(
                "Formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.",
                "The form has expired or is not valid. Reload the page and try again.",
                code="csrf_invalid",
            )
        else:
            code, message, message_en = _HTTP_CODES.get(
                error.status_code,
                ("http_error", "Permintaan tidak dapat diproses.", "The request cannot be processed."),
            )
            domain = DomainError(message, message_en, code=code)
        domain.status = error.status_code
        domain.headers = {name.title(): value for name, value in (error.headers or {}).items()} or None
        return domain
    # Never the request body or the exception text: either may carry a NIK.
    log.error("internal error on %s %s: %s", request.method, request.url.path, type(error).__name__)
    domain = DomainError(
        "Terjadi kesalahan di server. Silakan coba lagi.",
        "Something went wrong on our side. Please try again.",
    )
    domain.status, domain.code = HTTP_500_INTERNAL_SERVER_ERROR, "internal_error"
    return domain


def for_programs(path: str) -> bool:
    """Whether a path is a program's (the JSON API, SMS gateways, health, metrics, the schema),
    answered in the JSON error shape; every other path is a person's, answered with a page."""
    return path.startswith(PROGRAM_PATHS)
