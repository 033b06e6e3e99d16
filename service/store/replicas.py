"""Read replicas: lookups and searches read from streaming replicas of the primary; everything
else (publishing, audit, tokens, sessions, which version is published) stays on the primary.

A replica answers for a dataset version only once it shows that version as published itself:
each worker polls every replica's `published_dataset` as often as it polls the primary's, and a
read for version V goes to a replica whose last poll showed V. A replica that lags (it has not
replayed the publish yet, or replication is paused) or is down is skipped and the primary serves,
so no lookup answers from a stale version after a publish. A replica that fails a query is
skipped from then on until its next poll succeeds, and the query runs again on the primary.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from service.settings import Settings
from service.store import STORE_ERRORS, BoundedConnection, Store, pool_options
from service.store.queries import QUERIES, Connection

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Replica:
    """One replica's pool, the dataset it showed as published at its last poll, and whether it
    answered that poll."""

    name: str  # host:port, for logs (never the URL: it may carry a password)
    pool: asyncpg.Pool
    dataset_id: int | None = None
    up: bool = False
    reads: int = 0  # reads sent here (metrics, tests)

    def failed(self, error: BaseException) -> None:
        if self.up:
            log.warning("replica %s unavailable (%s); using the primary", self.name, type(error).__name__)
        self.up = False


class Replicas:
    """The worker's read replicas (possibly none)."""

    def __init__(self, replicas: list[Replica], timeout: float):
        self.replicas = replicas
        self.timeout = timeout
        self._turn = itertools.count()

    def __bool__(self) -> bool:
        return bool(self.replicas)

    def pick(self, dataset_id: int | None) -> Replica | None:
        """A replica that is up and has `dataset_id` published, in turn; None: use the primary."""
        if dataset_id is None:
            return None
        usable = [replica for replica in self.replicas if replica.up and replica.dataset_id == dataset_id]
        if not usable:
            return None
        replica = usable[next(self._turn) % len(usable)]
        replica.reads += 1
        return replica

    async def poll(self) -> None:
        """Ask every replica which dataset it shows as published."""
        await asyncio.gather(*(self._poll(replica) for replica in self.replicas))

    async def _poll(self, replica: Replica) -> None:
        try:
            async with replica.pool.acquire(timeout=self.timeout) as conn:
                record = await QUERIES["published-dataset"].row(conn, timeout=self.timeout)
        except STORE_ERRORS as error:
            replica.failed(error)
            return
        replica.dataset_id = None if record is None else record["id"]
        if not replica.up:
            log.info("replica %s answering", replica.name)
        replica.up = True

    async def watch(self, poll_seconds: float) -> None:
        """Poll forever (a lifespan task); does nothing without replicas."""
        while self.replicas:
            await self.poll()
            await asyncio.sleep(poll_seconds)

    async def close(self) -> None:
        for replica in self.replicas:
            with contextlib.suppress(Exception):
                await replica.pool.close()


async def open_replicas(settings: Settings) -> Replicas:
    """Pools for `DPT_DATABASE_REPLICA_URLS`; they connect on first use, so a replica that is down
    at start only starts skipped."""
    replicas = []
    for url in (part.strip() for part in settings.database_replica_urls.split(",")):
        if not url:
            continue
        pool = await asyncpg.create_pool(url, min_size=0, **pool_options(settings))
        address = url.split("@")[-1].split("/")[0]
        replicas.append(Replica(address, pool))
    return Replicas(replicas, settings.db_timeout_seconds)


class ReadStore(Store):
    """The store lookups and searches read from: a replica that has the worker's dataset when
    there is one, else the primary. Reads only: nothing written through it."""

    def __init__(self, primary: Store, replicas: Replicas, current_dataset: Callable[[], int | None]):
        super().__init__(primary.pool, primary.timeout)
        self.primary = primary
        self.replicas = replicas
        self._current_dataset = current_dataset

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        replica = self.replicas.pick(self._current_dataset())
        raw = None
        if replica is not None:
            try:
                raw = await replica.pool.acquire(timeout=self.timeout)
            except STORE_ERRORS as error:
                replica.failed(error)
        if replica is None or raw is None:
            async with self.primary.connection() as conn:
                yield conn
            return
        try:
            yield _ReplicaConnection(raw, replica, self.primary, self.timeout)
        finally:
            with contextlib.suppress(*STORE_ERRORS):
                await replica.pool.release(raw)

    async def close(self) -> None:
        """The primary's pool is closed by the primary store, the replicas' by `Replicas`."""


def reading_store(primary: Store, replicas: Replicas, current_dataset: Callable[[], int | None]) -> Store:
    """The store for lookups and searches: the primary itself when there are no replicas (the hot
    path pays nothing for the feature it does not use)."""
    return ReadStore(primary, replicas, current_dataset) if replicas else primary


class _ReplicaConnection:
    """A replica's connection; a query the replica fails runs again on the primary (reads only,
    so running one twice is harmless), and the replica is skipped until it answers a poll."""

    __slots__ = ("_conn", "_primary", "_replica")

    def __init__(self, raw: Any, replica: Replica, primary: Store, timeout: float):
        self._conn = BoundedConnection(raw, timeout)
        self._replica = replica
        self._primary = primary

    async def _on_primary(self, method: str, error: BaseException, query: str, *args: Any) -> Any:
        self._replica.failed(error)
        async with self._primary.connection() as conn:
            return await getattr(conn, method)(query, *args)

    async def fetch(self, query: str, *args: Any, timeout: float | None = None) -> list[Any]:
        try:
            return await self._conn.fetch(query, *args, timeout=timeout)
        except STORE_ERRORS as error:
            found: list[Any] = await self._on_primary("fetch", error, query, *args)
            return found

    async def fetchrow(self, query: str, *args: Any, timeout: float | None = None) -> Any:
        try:
            return await self._conn.fetchrow(query, *args, timeout=timeout)
        except STORE_ERRORS as error:
            return await self._on_primary("fetchrow", error, query, *args)

    async def fetchval(self, query: str, *args: Any, timeout: float | None = None) -> Any:
        try:
            return await self._conn.fetchval(query, *args, timeout=timeout)
        except STORE_ERRORS as error:
            return await self._on_primary("fetchval", error, query, *args)

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        raise TypeError("the read store writes nothing: use the primary")
