"""The PostgreSQL store: named SQL from `sql/`, the connection pool, and driver-error translation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import asyncpg

from service.errors import Unavailable

# What a lost, slow or overloaded database looks like to the driver.
STORE_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


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
