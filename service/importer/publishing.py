"""Publishing a dataset version: lookups switch to it in one transaction; older versions are dropped."""

from __future__ import annotations

import asyncpg

from service.store.queries import QUERIES

KEEP_RETIRED = 1  # versions kept for rollback besides the published one


async def publish_dataset(conn: asyncpg.Connection, dataset_id: int) -> None:
    """Switch lookups to `dataset_id` in one transaction; drop versions beyond the rollback one."""
    async with conn.transaction():
        await QUERIES["publish-dataset"].run(conn, dataset_id=dataset_id)
        await QUERIES["mark-published"].run(conn, dataset_id=dataset_id)
    for record in await QUERIES["datasets-to-drop"].rows(conn, keep=KEEP_RETIRED):
        await QUERIES["drop-voter-partition"].run(conn, dataset_id=record["id"])
        await QUERIES["delete-dataset"].run(conn, dataset_id=record["id"])
