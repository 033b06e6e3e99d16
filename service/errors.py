"""One error tree: every failure a caller can see has a stable code and two messages (id, en)."""

from __future__ import annotations

import msgspec

from service.schemas import ErrorBody, ErrorDetail


class DomainError(Exception):
    """A failure the caller can act on. `status` is the HTTP status the API layer maps it to."""

    status = 400
    code = "bad_request"
    retry_after: int | None = None  # seconds, sent as Retry-After (503 and 429)
    headers: dict[str, str] | None = None  # more headers the answer must carry (Allow, on a 405)

    def __init__(self, message: str, message_en: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        if code is not None:
            self.code = code
        self.field = field


class BadRequest(DomainError):
    """The request itself cannot be read (400): a body the server could not take in."""

    status = 400
    code = "bad_request"


class InvalidInput(DomainError):
    """The request is well-formed HTTP but its content is wrong (422)."""

    status = 422
    code = "invalid_input"


class InvalidNik(InvalidInput):
    """A NIK that cannot exist; `code` says which rule it breaks."""


class PayloadTooLarge(InvalidInput):
    code = "body_too_large"


class Unauthorized(DomainError):
    """A bearer token was given but is not valid (401)."""

    status = 401
    code = "token_invalid"


class Forbidden(DomainError):
    """The caller is known but may not do this (403)."""

    status = 403
    code = "forbidden"


class Unavailable(DomainError):
    """The service cannot answer right now (no dataset published, database down): 503."""

    status = 503
    code = "unavailable"
    retry_after = 5


class NoDataset(Unavailable):
    code = "no_dataset"


class Overloaded(Unavailable):
    """More requests than this worker takes on at once: shed at once rather than queued (503)."""

    code = "overloaded"
    retry_after = 1


class RateLimited(DomainError):
    """This client, token or phone asked too often (429); `retry_after` says when to try again."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, message_en: str, *, retry_after: int, code: str | None = None):
        super().__init__(message, message_en, code=code)
        self.retry_after = retry_after


_encode = msgspec.json.Encoder().encode


def error_body(error: DomainError) -> bytes:
    """The JSON every error answer carries, whatever the channel: a stable code and the message
    in both languages."""
    detail = ErrorDetail(
        code=error.code, message=error.message, message_en=error.message_en, field=error.field
    )
    return _encode(ErrorBody(error=detail))
