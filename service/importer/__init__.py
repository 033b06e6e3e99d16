"""`dpt import`: validate a DPT (dpt.csv + tps.csv), load it with COPY and publish it atomically.

The voter file is streamed: worker processes validate and hash chunks of it while one COPY feeds
their output to PostgreSQL, so memory does not grow with the file. Bad rows are counted by reason
and written (file line number and reason only, never the row's data) to a rejects file. Lookups
keep answering from the previous version until the new one is published by a single UPDATE; the
previous version is kept for `dpt rollback`.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import secrets
import time
from collections import Counter
from pathlib import Path

import asyncpg
import msgspec

from service.importer.columns import TPS_COLUMNS, VOTER_COLUMNS
from service.importer.loading import Connect, Progress, VoterJob, load_tps, load_voters
from service.importer.publishing import publish_dataset
from service.importer.reading import ImportFailed, Rejects, read_header
from service.importer.validation import ParseContext, kelurahan_code, parse_birth_date
from service.nik.parse import NikHasher
from service.store.queries import QUERIES

__all__ = [
    "TPS_COLUMNS",
    "VOTER_COLUMNS",
    "ImportFailed",
    "ImportSummary",
    "import_dataset",
    "kelurahan_code",
    "parse_birth_date",
    "publish_dataset",
]


class ImportSummary(msgspec.Struct, kw_only=True):
    version: str
    dataset_id: int
    rows_read: int
    rows_loaded: int
    rejected: dict[str, int]
    tps_read: int
    tps_loaded: int
    tps_rejected: dict[str, int]
    seconds: float
    rejects_path: str
    published: bool

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected.values())


def _default_version(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S") + f"-{secrets.token_hex(2)}"


async def import_dataset(
    conn: asyncpg.Connection,
    *,
    voters_path: Path,
    tps_path: Path,
    hasher: NikHasher,
    election: str = "Pemilu",
    polling_date: dt.date | None = None,
    version: str | None = None,
    rejects_path: Path | None = None,
    publish: bool = True,
    progress: Progress | None = None,
    today: dt.date | None = None,
    workers: int | None = None,
    connect: Connect | None = None,
) -> ImportSummary:
    """Load both files into a new dataset version and (by default) publish it."""
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    now = dt.datetime.now(tz=dt.UTC)
    version = version or _default_version(now)
    rejects_path = rejects_path or voters_path.with_name(f"{voters_path.stem}.rejects.csv")
    for path in (voters_path, tps_path):
        if not path.is_file():
            raise ImportFailed(f"berkas tidak ditemukan / file not found: {path}")
    with voters_path.open("rb") as stream:
        columns = read_header(stream, voters_path.name)
    if await QUERIES["dataset-by-version"].row(conn, version=version):
        raise ImportFailed(f"versi {version} sudah ada / version {version} already exists")
    known_kelurahan = frozenset((await QUERIES["kelurahan-codes"].value(conn) or "").split(","))
    dataset_id: int = await QUERIES["insert-dataset"].value(
        conn, version=version, election=election, polling_date=polling_date
    )
    with rejects_path.open("w", encoding="utf-8", newline="") as rejects_stream:
        csv.writer(rejects_stream).writerow(("file", "row", "reason", "detail"))
        tps_rejects = Rejects(rejects_stream, tps_path.name)
        tps_read, tps_seen = await load_tps(conn, dataset_id, tps_path, known_kelurahan, tps_rejects)
        say(f"tps.csv: {tps_read:,} rows read, {len(tps_seen):,} loaded")
        voter_rejects = Rejects(rejects_stream, voters_path.name)
        today = today or now.date()
        context = ParseContext(
            str(dataset_id),
            hasher.key,
            known_kelurahan,
            frozenset((await QUERIES["kecamatan-prefixes"].value(conn) or "").split(",")),
            frozenset(tps_seen),
            today,
            today.isoformat(),
            columns,
        )
        job = VoterJob(
            dataset_id,
            voters_path,
            context,
            voter_rejects,
            say,
            workers or os.cpu_count() or 1,
            Counter(),
            connect,
        )
        counts = await load_voters(conn, job)
    await QUERIES["finish-dataset"].run(
        conn,
        dataset_id=dataset_id,
        status="ready",
        rows_read=counts.read,
        rows_loaded=counts.loaded,
        rows_rejected=counts.read - counts.loaded,
    )
    if publish:
        await publish_dataset(conn, dataset_id)
        say(f"published dataset {version}")
    return ImportSummary(
        version=version,
        dataset_id=dataset_id,
        rows_read=counts.read,
        rows_loaded=counts.loaded,
        rejected=dict(voter_rejects.counts.most_common()),
        tps_read=tps_read,
        tps_loaded=len(tps_seen),
        tps_rejected=dict(tps_rejects.counts.most_common()),
        seconds=time.perf_counter() - started,
        rejects_path=str(rejects_path),
        published=publish,
    )
