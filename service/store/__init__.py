"""The PostgreSQL store: named SQL from `sql/`, the worker's pool, and the one place where driver
errors become the service's error.

The domain services (NIK lookup, name search, tokens, audit) reach PostgreSQL only through a
`Store`: whatever the driver raises for a lost, slow or overloaded database leaves it as one
`Unavailable` (503 `store_unavailable` with Retry-After), never a 500. Commands (`dpt import`,
`dpt migrate`) run the same named queries on their own connection and report driver errors
themselves.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from service.errors import Unavailable
from service.store.queries import QUERIES, Connection

if TYPE_CHECKING:
    from service.settings import Settings

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


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """A connection handed back to the pool: nothing to reset. The service's queries leave no
    session state (no SET, LISTEN, cursor or advisory lock; asyncpg still rolls back an open
    transaction), and asyncpg's default reset query cost a round trip on every release: one per
    batch of NIK lookups."""


def pool_options(settings: Settings) -> dict[str, Any]:
    """What every pool of the service (the primary's and each replica's) is opened with."""
    return {
        "max_size": settings.db_pool_max,
        "command_timeout": settings.db_timeout_seconds * 5,
        "max_inactive_connection_lifetime": 300.0,
        # Lookups are small indexed queries; JIT compiling them costs more than it saves
        # (7 ms on a name search whose plan looks expensive only on paper).
        "server_settings": {"jit": "off"},
        "reset": _keep_session,
    }


def store_unavailable() -> Unavailable:
    return Unavailable(
        "Layanan sedang sibuk atau dalam pemeliharaan. Silakan coba lagi sebentar lagi.",
        "The service cannot reach its database right now. Please try again shortly.",
        code="store_unavailable",
    )


@contextlib.contextmanager
def unavailable_on_store_errors() -> Iterator[None]:
    try:
        yield
    except STORE_ERRORS as error:
        raise store_unavailable() from error


class Store:
    """The worker's pool, with every query bounded by `timeout` and every driver error translated."""

    def __init__(self, pool: asyncpg.Pool, timeout: float):
        self.pool = pool
        self.timeout = timeout

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """One pooled connection for several queries in a row."""
        with unavailable_on_store_errors():
            async with self.pool.acquire(timeout=self.timeout) as conn:
                yield BoundedConnection(conn, self.timeout)

    async def rows(self, name: str, **values: Any) -> list[asyncpg.Record]:
        async with self.connection() as conn:
            return await QUERIES[name].rows(conn, **values)

    async def row(self, name: str, **values: Any) -> asyncpg.Record | None:
        async with self.connection() as conn:
            return await QUERIES[name].row(conn, **values)

    async def value(self, name: str, **values: Any) -> Any:
        async with self.connection() as conn:
            return await QUERIES[name].value(conn, **values)

    async def run(self, name: str, **values: Any) -> str:
        async with self.connection() as conn:
            return await QUERIES[name].run(conn, **values)

    async def close(self) -> None:
        await self.pool.close()


class BoundedConnection:
    """A pooled connection whose queries default to the store's timeout."""

    __slots__ = ("_conn", "_timeout")

    def __init__(self, conn: PoolConnectionProxy, timeout: float):
        self._conn = conn
        self._timeout = timeout

    async def fetch(self, query: str, *args: Any, timeout: float | None = None) -> list[Any]:
        return await self._conn.fetch(query, *args, timeout=timeout or self._timeout)

    async def fetchrow(self, query: str, *args: Any, timeout: float | None = None) -> Any:
        return await self._conn.fetchrow(query, *args, timeout=timeout or self._timeout)

    async def fetchval(self, query: str, *args: Any, timeout: float | None = None) -> Any:
        return await self._conn.fetchval(query, *args, timeout=timeout or self._timeout)

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        return await self._conn.execute(query, *args, timeout=timeout or self._timeout)
