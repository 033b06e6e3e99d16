"""The one logging configuration of the service and of granian: one JSON object a line on standard
error (`time`, `level`, `logger`, `message`, and for what happens within a request its
`request_id` and `route`; access lines add `method`, `status` and `duration_seconds`).

Personal data is taken out at the handler, by `Redact`, so no caller has to remember: any run
of 10 or more digits (a NIK, a KK, a phone number), 16 digits in 4-4-4-4 or 6-6-4 groups, and a
full name as the DPT writes it (two or more words in capitals) become `[redacted]`, in the
message, its arguments, extra fields and tracebacks alike.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.config
import re
import sys
import time
import weakref
from contextvars import ContextVar
from typing import Any

import msgspec
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.msgspec import MsgspecFormatter

REDACTED = "[redacted]"
_PERSONAL = re.compile(
    r"(?<!\d)\+?\d{10,}(?!\d)"  # NIK, KK, phone number
    r"|(?<!\d)\d{4}[ .-]\d{4}[ .-]\d{4}[ .-]\d{4}(?!\d)"  # a NIK or KK written in groups
    r"|(?<!\d)\d{6}[ .-]\d{6}[ .-]\d{4}(?!\d)"
    r"|\b[A-Z][A-Z'.]+(?:[ ,]+[A-Z][A-Z'.]*)+\b"  # BUDI SANTOSO, SITI NUR'AINI, H. AHMAD
)
_RESERVED = frozenset(RESERVED_ATTRS) | {"message", "asctime"}
ACCESS_LOGGER = "dpt.access"

# (request id, route) of the request this task works for: set by the access wrapper.
REQUEST: ContextVar[tuple[str, dict[str, Any]] | None] = ContextVar("dpt_request", default=None)


def redact(text: str) -> str:
    """`text` without anything that looks like a NIK, KK, phone number or full name."""
    return _PERSONAL.sub(REDACTED, text)


class Redact(logging.Filter):
    """Takes personal data out of every record a handler writes, and adds the request's id and
    route to records made while a request is answered."""

    def __init__(self) -> None:
        super().__init__()
        self._tracebacks = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if type(record) is _AccessRecord:
            # Built by the access wrapper from a route template, a status, a time and a checked
            # request id; only the method comes from the client as it was sent.
            if not record.method.isalpha():
                record.method = REDACTED
            return True
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self._tracebacks.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        fields = record.__dict__
        for key, value in fields.items():
            if isinstance(value, str) and key not in _RESERVED:
                fields[key] = redact(value)
        if "request_id" not in fields:
            context = REQUEST.get()
            if context is not None:
                record.request_id = context[0]
                record.route = context[1].get("path_template") or "unmatched"
        return True


class _AccessLine(msgspec.Struct):
    level: str
    logger: str
    message: str
    request_id: str
    method: str
    route: str
    status: int
    duration_seconds: float
    time: dt.datetime


class JsonFormatter(MsgspecFormatter):
    """python-json-logger's msgspec formatter, with a direct path for the access line, the one
    record every request makes (the general path costs it tens of microseconds)."""

    _encode_access = msgspec.json.Encoder().encode

    def format(self, record: logging.LogRecord) -> str:
        if type(record) is not _AccessRecord:
            return super().format(record)
        line = _AccessLine(
            "INFO", ACCESS_LOGGER, "request", record.request_id, record.method, record.route,
            record.status, record.duration_seconds, dt.datetime.fromtimestamp(record.created, tz=dt.UTC),
        )  # fmt: skip
        return self._encode_access(line).decode()


class JsonLineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to standard error through a buffer of its own: every line but an access line is
    flushed at once (and flushes the access lines before it, so the order holds); access lines,
    one per request, are flushed with the next other line, when the buffer fills, and at least
    once a second by the worker's sampler (`flush_logs`). One write per request would cost the
    NIK lookup a system call."""

    def __init__(self, stream: Any = None) -> None:
        if stream is None:
            stream = open(sys.stderr.fileno(), "w", buffering=1 << 16, encoding="utf-8", closefd=False)  # noqa: SIM115 - lives as long as the process
        super().__init__(stream)
        _handlers.add(self)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + "\n")
            if type(record) is not _AccessRecord:
                self.stream.flush()
        except Exception:  # logging's own convention: report it, never raise
            self.handleError(record)


_handlers: weakref.WeakSet[JsonLineHandler] = weakref.WeakSet()


def flush_logs() -> None:
    """Write out buffered access lines (the sampler calls it once a second)."""
    for handler in _handlers:
        handler.flush()


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """For `logging.config.dictConfig` and granian's `log_dictconfig`: every logger (the app's,
    granian's `_granian`, asyncio's...) reaches the root's one JSON handler."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": Redact}},
        "formatters": {
            "json": {
                "()": JsonFormatter,
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
            }
        },
        "handlers": {
            "json": {
                "()": JsonLineHandler,
                "formatter": "json",
                "filters": ["redact"],
            }
        },
        "root": {"level": level.upper(), "handlers": ["json"]},
        "loggers": {
            # granian's own loggers write to handlers of their own unless told otherwise.
            "_granian": {"handlers": [], "level": level.upper(), "propagate": True},
            "granian.access": {"handlers": [], "propagate": True},
            ACCESS_LOGGER: {"level": "INFO"},  # an access line is INFO whatever the app's level
        },
    }


def configure_logging(level: str = "INFO") -> None:
    """Apply `logging_config` unless logging is set up already (by `dpt serve`, or by pytest)."""
    if logging.getLogger().handlers:
        return
    logging.config.dictConfig(logging_config(level))


_access = logging.getLogger(ACCESS_LOGGER)


class _AccessRecord(logging.LogRecord):
    """An access line built without the logging module's caller lookup (a frame walk) and
    thread and process names: the record of every request must cost little."""

    def __init__(self, request_id: str, method: str, route: str, status: int, seconds: float) -> None:
        self.__dict__.update(_ACCESS_DEFAULTS)
        self.created = time.time()
        self.msecs = 0.0
        self.request_id = request_id
        self.method = method
        self.route = route
        self.status = status
        self.duration_seconds = round(seconds, 6)


_ACCESS_DEFAULTS: dict[str, Any] = {
    "name": ACCESS_LOGGER, "msg": "request", "args": None, "levelname": "INFO", "levelno": logging.INFO,
    "pathname": "", "filename": "", "module": "", "exc_info": None, "exc_text": None, "stack_info": None,
    "lineno": 0, "funcName": "", "relativeCreated": 0.0, "thread": None, "threadName": None,
    "processName": None, "process": None,
}  # fmt: skip


def access(request_id: str, method: str, route: str, status: int, seconds: float) -> None:
    """Write the access line of one request."""
    if _access.isEnabledFor(logging.INFO):
        _access.handle(_AccessRecord(request_id, method, route, status, seconds))
