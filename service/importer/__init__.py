"""`dpt import`: validate a DPT (dpt.csv + tps.csv), load it with COPY and publish it atomically.

The voter file is streamed: worker processes validate and hash chunks of it while one COPY feeds
their output to PostgreSQL, so memory does not grow with the file. Every physical line after the
header is one record, loaded or rejected: bad ones are counted by reason and written (file, line,
column and reason, never a cell's text) to a rejects file (rejects.py). Lookups keep answering
from the previous version until the new one is published by a single UPDATE; the previous version
is kept for `dpt rollback`. A failed import leaves no dataset behind (publishing.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import time
from collections import Counter
from pathlib import Path

import asyncpg
import msgspec

from service.importer.arguments import check_files, open_rejects
from service.importer.columns import TPS_COLUMNS, VOTER_COLUMNS
from service.importer.loading import Connect, Progress, VoterJob, copy_tps, load_voters, read_tps
from service.importer.publishing import (
    create_dataset,
    discard_dataset,
    publish_dataset,
    reclaim_orphans,
    release_dataset,
)
from service.importer.reading import ImportFailed, UnusableArgument, read_header
from service.importer.rejects import Rejects
from service.importer.validation import ParseContext, kelurahan_code, parse_birth_date
from service.nik.parse import NikHasher
from service.quality.publish import findings_over_limits
from service.store.queries import QUERIES
from service.voters.election import ElectionFile, ElectionKind, election_details, time_zone

__all__ = [
    "TPS_COLUMNS",
    "VOTER_COLUMNS",
    "ImportFailed",
    "ImportSummary",
    "UnusableArgument",
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
    quality: dict[str, int] = msgspec.field(default_factory=dict)  # count per finding kind
    report_dir: str = ""
    held_back: dict[str, int] = msgspec.field(default_factory=dict)  # kinds over the publish limits

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
    election_kind: ElectionKind | None = None,
    election_file: ElectionFile | None = None,
    report_dir: Path | None = None,
    tps_max_voters: int = 600,
    max_finding_share: float | None = None,
) -> ImportSummary:
    """Load both files into a new dataset version and (by default) publish it.

    Unusable arguments and files that cannot be imported at all fail before any dataset row
    exists; once it exists, any failure (an interrupt or a cancellation too) removes it again.

    The data-quality report is written to `report_dir` (default: `<dpt>.quality/` beside the
    voters file). With `max_finding_share`, a version with a finding kind above that share is
    loaded but not published (`held_back` says which); `dpt publish VERSION --force` can then.
    The election's details (service/voters/election.py) follow `election_kind` (default: Pemilu
    when the election's name says so, else Pilkada) and `election_file`.
    """
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    now = dt.datetime.now(tz=dt.UTC)
    version = version or _default_version(now)
    rejects_path = rejects_path or voters_path.with_name(f"{voters_path.stem}.rejects.csv")
    check_files(voters_path, tps_path, rejects_path)
    report_dir = report_dir or voters_path.with_name(f"{voters_path.stem}.quality")
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UnusableArgument(
            f"--report: folder tidak bisa dibuat / cannot create the folder {report_dir} ({error.strerror})"
        ) from None
    with voters_path.open("rb") as stream:
        layout = read_header(stream, voters_path.name, VOTER_COLUMNS)
    await reclaim_orphans(conn, say)
    existing = await QUERIES["dataset-by-version"].row(conn, version=version)
    if existing and existing["status"] == "loading":
        raise ImportFailed(f"versi {version} sedang diimpor / version {version} is being imported")
    if existing:
        raise ImportFailed(f"versi {version} sudah ada / version {version} already exists")
    known_kelurahan = frozenset((await QUERIES["kelurahan-codes"].value(conn) or "").split(","))
    with open_rejects(rejects_path) as rejects_stream:
        tps_rejects = Rejects(rejects_stream, tps_path.name, TPS_COLUMNS)
        tps = read_tps(tps_path, known_kelurahan, tps_rejects)
        dataset_id = await create_dataset(conn, version=version, election=election, polling_date=polling_date)
        kind = election_kind or ("pemilu" if "pemilu" in election.lower() else "pilkada")
        details = election_details(
            kind, polling_date, [time_zone(record[0]) for record in tps.validator.records], election_file
        )
        voter_rejects = Rejects(rejects_stream, voters_path.name, VOTER_COLUMNS)
        try:
            await copy_tps(conn, dataset_id, tps)
            await QUERIES["dataset-details"].run(conn, dataset_id=dataset_id, details=json.dumps(details))
            say(f"tps.csv: {tps.read:,} rows read, {len(tps.validator.records):,} loaded")
            today = today or now.date()
            context = ParseContext(
                str(dataset_id),
                hasher.key,
                known_kelurahan,
                frozenset((await QUERIES["kecamatan-prefixes"].value(conn) or "").split(",")),
                frozenset(tps.validator.seen),
                today,
                today.isoformat(),
                layout.columns,
            )
            job = VoterJob(
                dataset_id, voters_path, context, voter_rejects, say, workers or os.cpu_count() or 1,
                Counter(), Counter(), connect, [],
            )  # fmt: skip
            counts = await load_voters(conn, job)
            await QUERIES["finish-dataset"].run(
                conn,
                dataset_id=dataset_id,
                status="ready",
                rows_read=counts.read,
                rows_loaded=counts.loaded,
                rows_rejected=counts.read - counts.loaded,
            )
            # Imported here: the report uses the importer's spreadsheet-safe cells (a cycle at import time).
            from service.quality.report import write_report  # noqa: PLC0415

            say("quality report: checking duplicates, ages and TPS sizes")
            checking = time.perf_counter()
            report = await write_report(
                conn,
                version=version,
                folder=report_dir,
                tps_max_voters=tps_max_voters,
            )
            say(f"quality report: written in {time.perf_counter() - checking:,.1f} s")
            held_back = (
                {}
                if max_finding_share is None
                else findings_over_limits(
                    report.counts,
                    voters=counts.loaded,
                    tps=len(tps.validator.records),
                    max_share=max_finding_share,
                )
            )
            if publish and not held_back:
                await publish_dataset(conn, dataset_id)
                say(f"published dataset {version}")
        except BaseException:
            await _clean_up(conn, dataset_id, connect, say)
            raise
    await release_dataset(conn, dataset_id)
    return ImportSummary(
        version=version,
        dataset_id=dataset_id,
        rows_read=counts.read,
        rows_loaded=counts.loaded,
        rejected=dict(voter_rejects.counts.most_common()),
        tps_read=tps.read,
        tps_loaded=len(tps.validator.records),
        tps_rejected=dict(tps_rejects.counts.most_common()),
        seconds=time.perf_counter() - started,
        rejects_path=str(rejects_path),
        published=publish and not held_back,
        quality=report.counts,
        report_dir=str(report.folder),
        held_back=held_back,
    )


async def _clean_up(
    conn: asyncpg.Connection, dataset_id: int, connect: Connect | None, say: Progress
) -> None:
    """Remove a failed import's dataset: on its own connection, or on a new one if that one broke
    with the import (a cancelled COPY, a lost server). Should both fail, the dataset stays
    'loading' and unlocked, and the next import removes it (publishing.reclaim_orphans)."""
    try:
        await discard_dataset(conn, dataset_id)
        await release_dataset(conn, dataset_id)
    except Exception as error:  # the import's own error is the one to raise
        problem = error
    else:
        return
    if connect is not None:
        try:
            other = await connect()
            try:
                await discard_dataset(other, dataset_id)
            finally:
                await other.close()
        except Exception as error:  # as above
            problem = error
        else:
            return
    say(f"dataset {dataset_id} left for the next dpt import to remove ({type(problem).__name__})")
