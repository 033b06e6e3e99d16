"""Loading into PostgreSQL: tps.csv read and copied, and dpt.csv's parallel COPY into a partition
and its indexes."""

from __future__ import annotations

import asyncio
import collections
import multiprocessing
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple, NoReturn

import asyncpg

from service.importer.columns import TPS_COLUMNS, TPS_OPTIONAL_COLUMNS
from service.importer.parsing import ChunkResult, parse_chunk, start_worker
from service.importer.reading import ImportFailed, chunks, decode, physical_lines, picker, read_header
from service.importer.rejects import Rejects, RowRejected
from service.importer.validation import ParseContext, TpsValidator
from service.names.scoring import TokenWeights
from service.quality.findings import Finding
from service.quality.persons import nik_duplicate_finding
from service.store.queries import QUERIES

VOTER_TABLE_COLUMNS = (
    "dataset_id",
    "id",
    "source_row",
    "nik_hash",
    "name",
    "birth_place",
    "birth_date",
    "gender",
    "address",
    "rt",
    "rw",
    "kelurahan_code",
    "tps_number",
    "disability",
    "note",
    "name_key",
    "name_keys",
    "kk_hash",
    "nik_masked",
)
TPS_TABLE_COLUMNS = (
    "dataset_id", "kelurahan_code", "number", "address", "lat", "lon", "kind",
    "step_free", "ground_floor", "access_note", "source_line",
)  # fmt: skip
FINDING_COLUMNS = (
    "dataset_id", "line", "kind", "other_line", "kelurahan_code", "tps_number", "masked_name", "score",
    "other_masked_name",
)  # fmt: skip
PROGRESS_EVERY = 100_000
Progress = Callable[[str], None]
Connect = Callable[[], Awaitable[asyncpg.Connection]]  # opens another connection to the same database


class _Counts(NamedTuple):
    read: int
    loaded: int


class VoterJob(NamedTuple):
    """Everything loading dpt.csv needs besides the connection."""

    dataset_id: int
    voters_path: Path
    context: ParseContext
    rejects: Rejects
    say: Progress
    workers: int
    token_counts: Counter[str]
    spelling_counts: Counter[str]
    connect: Connect | None
    findings: list[Finding]  # import-time findings of the data-quality report


async def _copy_voters(conn: asyncpg.Connection, partition: str, job: VoterJob) -> _Counts:
    totals = {"read": 0, "loaded": 0}
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    with (
        job.voters_path.open("rb") as stream,
        ProcessPoolExecutor(
            job.workers, worker_context("service.importer.parsing"), start_worker, (job.context,)
        ) as pool,
    ):
        stream.readline()  # the header, already read

        async def copy_source() -> AsyncIterator[bytes]:
            pending: collections.deque[asyncio.Future[ChunkResult]] = collections.deque()
            file_chunks = chunks(stream, first_line=2)
            exhausted = False
            next_report = PROGRESS_EVERY
            while pending or not exhausted:
                while not exhausted and len(pending) < job.workers * 2:
                    chunk = next(file_chunks, None)
                    if chunk is None:
                        exhausted = True
                    else:
                        pending.append(loop.run_in_executor(pool, parse_chunk, *chunk))
                if not pending:
                    break
                result = await pending.popleft()
                for row, reason, column, number in result.rejects:
                    job.rejects.add(row, reason, column, number)
                totals["read"] += result.read
                totals["loaded"] += result.loaded
                job.token_counts.update(result.token_counts)
                job.spelling_counts.update(result.spelling_counts)
                job.findings.extend(result.findings)
                if totals["read"] >= next_report:
                    rate = totals["read"] / (time.perf_counter() - started)
                    job.say(f"dpt.csv: {totals['read']:,} rows read ({rate:,.0f} rows/s)")
                    next_report += PROGRESS_EVERY
                yield result.copy_text

        await conn.copy_to_table(
            partition, source=copy_source(), columns=VOTER_TABLE_COLUMNS, format="text", freeze=True
        )
    return _Counts(totals["read"], totals["loaded"])


def worker_context(preload: str) -> multiprocessing.context.BaseContext:
    """Worker processes (the parsing ones, the quality report's matchers) start from a fork
    server (spawned where there is none), never by forking the importing process: `dpt serve`
    runs imports beside threads (granian's, asyncpg's), and a fork of a threaded process can
    inherit a lock held by a thread that does not exist in the child. Python 3.12 warns about it
    and on 3.13 such an import hung. The server imports module `preload` once; each worker is a
    cheap fork of it."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([preload])
    return context


async def load_voters(conn: asyncpg.Connection, job: VoterJob) -> _Counts:
    """COPY into a fresh partition, index it, drop duplicate NIKs and attach it. On failure the
    caller discards the dataset, partition included."""
    # Created and filled in one transaction, so COPY can write the rows already frozen
    # (no later pass rewrites every page to mark it visible).
    async with conn.transaction():
        partition = await QUERIES["create-voter-partition"].value(conn, dataset_id=job.dataset_id)
        counts = await _copy_voters(conn, partition, job)
    if counts.loaded == 0:
        _fail("tidak ada baris pemilih yang sah / no valid voter rows")
    job.say(f"dpt.csv: {counts.read:,} rows read, {counts.loaded:,} valid; indexing")
    indexing = time.perf_counter()
    loaded = counts.loaded
    # Most files have no repeated NIK: the unique index is tried first, duplicates removed
    # only if it fails.
    if not await _build_indexes(conn, job):
        weights = TokenWeights(job.token_counts, counts.loaded)
        for duplicate in await QUERIES["dedupe-voter-partition"].rows(conn, dataset_id=job.dataset_id):
            job.rejects.add(duplicate["source_row"], "nik_duplicate", "nik", duplicate["first_row"])
            job.findings.append(nik_duplicate_finding(duplicate, weights))
            loaded -= 1
        await QUERIES["index-voter-partition"].value(conn, dataset_id=job.dataset_id)
        job.say(f"dpt.csv: {counts.loaded - loaded:,} rows with a NIK already seen set aside")
    job.say(f"dpt.csv: indexed in {time.perf_counter() - indexing:,.1f} s")
    await conn.copy_records_to_table(
        "name_token_count",
        records=[(job.dataset_id, token, count) for token, count in job.token_counts.items()],
        columns=("dataset_id", "token", "voters"),
    )
    await conn.copy_records_to_table(
        "name_spelling_count",
        records=[(job.dataset_id, spelling, count) for spelling, count in job.spelling_counts.items()],
        columns=("dataset_id", "spelling", "voters"),
    )
    await conn.copy_records_to_table(
        "dataset_finding",
        records=[(job.dataset_id, *finding) for finding in job.findings],
        columns=FINDING_COLUMNS,
    )
    await QUERIES["attach-voter-partition"].run(conn, dataset_id=job.dataset_id)
    return _Counts(counts.read, loaded)


SEARCH_INDEXES = ("keys", "born", "kelurahan")
# With a second connection: the NIK index and then these on this one, the rest on the other.
# Measured at 1M voters: NIK 0.55 s, born 0.9 s | keys (GIN) 1.35 s, kelurahan 0.4 s.
_AFTER_NIK = ("born",)
_SECOND_LANE = ("keys", "kelurahan")


async def _build_indexes(conn: asyncpg.Connection, job: VoterJob) -> bool:
    """Build the partition's indexes; False if the unique NIK index failed on a repeated NIK.

    When the importer can open a second connection, the indexes are built in two lanes of about
    equal length, one core each (PostgreSQL builds different indexes of one table at once).
    """

    async def build(connection: asyncpg.Connection, search_indexes: tuple[str, ...]) -> None:
        for index in search_indexes:
            await QUERIES["index-voter-search"].run(connection, dataset_id=job.dataset_id, index_name=index)

    async def nik_then(search_indexes: tuple[str, ...]) -> bool:
        unique: bool = await QUERIES["index-voter-partition"].value(conn, dataset_id=job.dataset_id)
        await build(conn, search_indexes)
        return unique

    if job.connect is None:
        return await nik_then(SEARCH_INDEXES)
    extra = await job.connect()
    try:
        unique, _ = await asyncio.gather(nik_then(_AFTER_NIK), build(extra, _SECOND_LANE))
    finally:
        await extra.close()
    return unique


def _fail(message: str) -> NoReturn:
    raise ImportFailed(message)


class TpsFile(NamedTuple):
    read: int
    validator: TpsValidator


def read_tps(path: Path, known: frozenset[str], rejects: Rejects) -> TpsFile:
    """Validate tps.csv line by line (before any dataset exists); ImportFailed if no TPS is valid."""
    read = 0
    with path.open("rb") as stream:
        layout = read_header(stream, path.name, TPS_COLUMNS, TPS_OPTIONAL_COLUMNS)
        validator = TpsValidator(known, layout.names[len(TPS_COLUMNS) :])
        for data, first_line in chunks(stream, first_line=2):
            text, damaged = decode(data)
            lines, stray_returns = physical_lines(text)
            pick = picker(layout, damaged, stray_returns)
            for number, line in enumerate(lines, start=first_line):
                try:
                    validator.add(number, pick(line))
                except RowRejected as rejected:
                    rejects.rejected(number, rejected)
            read += len(lines)
    if not validator.records:
        _fail(f"{path.name}: tidak ada baris TPS yang sah / no valid TPS rows")
    return TpsFile(read, validator)


async def copy_tps(conn: asyncpg.Connection, dataset_id: int, tps: TpsFile) -> None:
    # TPS are few (820,161 for all of Indonesia), so one list and one COPY is fine.
    records = [(dataset_id, *record) for record in tps.validator.records]
    await conn.copy_records_to_table("tps", records=records, columns=TPS_TABLE_COLUMNS)
