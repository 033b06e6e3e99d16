"""Dataset versions from creation to publication: created locked by their import, published in one
transaction with older versions dropped; a failed import's version discarded, and one left behind
by an import that was killed outright reclaimed by the next import (or `dpt datasets`). `dpt
publish` checks the version's quality counts first; `dpt drop` never removes the published one."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import NamedTuple

import asyncpg

from service.quality.publish import findings_over_limits
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


class PublishRefused(Exception):
    """A version that cannot be published as asked; the message is bilingual."""

    def __init__(self, message: str, held_back: dict[str, int] | None = None):
        super().__init__(message)
        self.held_back = held_back or {}


class Published(NamedTuple):
    version: str
    dataset_id: int
    forced: dict[str, int]  # the findings over the limits that --force published anyway


async def publish_version(
    conn: asyncpg.Connection, version: str, *, force: bool, max_share: float
) -> Published:
    """Publish a loaded ('ready') or kept ('retired') version; PublishRefused when it does not exist,
    is not loaded, or has findings over the limits (service/quality/publish.py) without `force`."""
    record = await QUERIES["dataset-for-publish"].row(conn, version=version)
    if record is None:
        raise PublishRefused(f"versi {version} tidak ada / no version {version}")
    if record["status"] == "published":
        return Published(version, record["id"], {})
    if record["status"] not in ("ready", "retired"):
        raise PublishRefused(
            f"versi {version} belum selesai dimuat ({record['status']}) / version {version} is not loaded"
        )
    counts = json.loads(record["quality"]) if record["quality"] else None
    over = (
        findings_over_limits(
            counts, voters=record["rows_loaded"] or 0, tps=record["tps_loaded"], max_share=max_share
        )
        if counts is not None
        else {"no_quality_report": 1}
    )
    if over and not force:
        listed = ", ".join(f"{kind} {count:,}" for kind, count in over.items())
        raise PublishRefused(
            f"temuan mutu di atas batas / quality findings above the limits: {listed}"
            f" (periksa laporan, lalu / check the report, then: dpt publish {version} --force)",
            over,
        )
    await publish_dataset(conn, record["id"])
    return Published(version, record["id"], over)


async def drop_version(conn: asyncpg.Connection, version: str) -> None:
    """Remove a version and its voters; PublishRefused for the published one, one being imported,
    or none of that name."""
    record = await QUERIES["dataset-by-version"].row(conn, version=version)
    if record is None:
        raise PublishRefused(f"versi {version} tidak ada / no version {version}")
    if record["status"] == "published":
        raise PublishRefused(
            f"versi {version} sedang diterbitkan; terbitkan versi lain dulu / version {version} is the "
            "published one; publish another first"
        )
    if record["status"] == "loading" or not await discard_dataset(
        conn, record["id"], ("ready", "retired", "failed")
    ):
        raise PublishRefused(f"versi {version} sedang diimpor / version {version} is being imported")
