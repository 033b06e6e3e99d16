"""Dataset versions from creation to publication: created locked by their import, published in one
transaction with older versions dropped; a failed import's version discarded, and one left behind
by an import that was killed outright reclaimed by the next import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import asyncpg

from service.store.queries import QUERIES

KEEP_RETIRED = 1  # versions kept for rollback besides the published one
_UNPUBLISHED = ("loading", "ready")


async def publish_dataset(conn: asyncpg.Connection, dataset_id: int) -> None:
    """Switch lookups to `dataset_id` in one transaction; drop versions beyond the rollback one."""
    async with conn.transaction():
        await QUERIES["publish-dataset"].run(conn, dataset_id=dataset_id)
        await QUERIES["mark-published"].run(conn, dataset_id=dataset_id)
    for record in await QUERIES["datasets-to-drop"].rows(conn, keep=KEEP_RETIRED):
        await QUERIES["drop-voter-partition"].run(conn, dataset_id=record["id"])
        await QUERIES["delete-dataset"].run(conn, dataset_id=record["id"])


async def create_dataset(
    conn: asyncpg.Connection, *, version: str, election: str, polling_date: dt.date | None
) -> int:
    """A new 'loading' version, locked by this connection's session until `release_dataset`."""
    dataset_id: int = await QUERIES["create-dataset"].value(
        conn, version=version, election=election, polling_date=polling_date
    )
    return dataset_id


async def release_dataset(conn: asyncpg.Connection, dataset_id: int) -> None:
    await QUERIES["unlock-dataset"].run(conn, dataset_id=dataset_id)


async def discard_dataset(
    conn: asyncpg.Connection, dataset_id: int, statuses: tuple[str, ...] = _UNPUBLISHED
) -> bool:
    """Remove a version that never went live, voters' partition included; False if its status is
    not one of `statuses` (it was published meanwhile, say), and then nothing is touched."""
    async with conn.transaction():
        if (
            await QUERIES["discard-dataset"].value(conn, dataset_id=dataset_id, statuses=list(statuses))
            is None
        ):
            return False
        await QUERIES["drop-voter-partition"].run(conn, dataset_id=dataset_id)
    return True


async def reclaim_orphans(conn: asyncpg.Connection, say: Callable[[str], None]) -> None:
    """Discard versions still 'loading' whose import is gone (no session holds their lock)."""
    for record in await QUERIES["claim-orphan-datasets"].rows(conn):
        try:
            if await discard_dataset(conn, record["id"], ("loading",)):
                say(f"removed dataset {record['id']}, left unfinished by an interrupted import")
        finally:
            await release_dataset(conn, record["id"])
