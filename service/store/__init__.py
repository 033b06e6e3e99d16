"""The PostgreSQL store: named SQL from `sql/`, the connection pool, and driver-error translation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import asyncpg

from service.errors import Unavailable

# What a lost, slow or overloaded database looks like to the driver. InternalClientError is what
# asyncpg raises when a connection dies in the middle of a query (seen when PostgreSQL was
# stopped under load by loadtest/spike.py: one lookup out of 11,000 got a 500).
STORE_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
    TimeoutError,
)


def store_unavailable() -> Unavailable:
    return Unavailable(
        "Layanan sedang sibuk atau dalam pemeliharaan. Silakan coba lagi sebentar lagi.",
        "The service cannot reach its database right now. Please try again shortly.",
        code="store_unavailable",
    )


@contextlib.contextmanager
def unavailable_on_store_errors() -> Iterator[None]:
    """Driver errors become one domain error (503 with Retry-After), never a 500."""
    try:
        yield
    except STORE_ERRORS as error:
        raise store_unavailable() from error
