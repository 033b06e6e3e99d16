"""`dpt import`: validate a DPT (dpt.csv + tps.csv), load it with COPY and publish it atomically.

The voter file is streamed: worker processes validate and hash chunks of it while one COPY feeds
their output to PostgreSQL, so memory does not grow with the file. Bad rows are counted by reason
and written (file line number and reason only, never the row's data) to a rejects file. Lookups
keep answering from the previous version until the new one is published by a single UPDATE; the
previous version is kept for `dpt rollback`.
"""

from __future__ import annotations

import asyncio
import collections
import csv
import datetime as dt
import itertools
import multiprocessing
import os
import re
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from random import Random
from typing import IO, Any, NamedTuple, NoReturn

import asyncpg
import msgspec

from service.errors import InvalidNik
from service.importer.columns import TPS_COLUMNS, VOTER_COLUMNS
from service.names.normalise import NameStore
from service.nik.parse import NikHasher, is_plain_nik, nik_problem, nik_problem_code, parse_nik
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
)
TPS_TABLE_COLUMNS = ("dataset_id", "kelurahan_code", "number", "address", "lat", "lon", "kind")
MAX_NAME_LENGTH = 200
KEEP_RETIRED = 1  # versions kept for rollback besides the published one
PROGRESS_EVERY = 100_000
Progress = Callable[[str], None]
Connect = Callable[[], Awaitable[asyncpg.Connection]]  # opens another connection to the same database
_GENDERS = {"L": "L", "P": "P", "LAKI-LAKI": "L", "PEREMPUAN": "P"}
_TPS_KINDS = {"reguler", "khusus"}


class ImportFailed(Exception):
    """The files cannot be imported at all (missing file or column, nothing valid); nothing published."""


class RowRejected(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


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


def kelurahan_code(raw: str) -> str:
    """`18.72.01.1001` or the ten digits `1872011001` -> the dotted code."""
    text = raw.strip()
    if len(text) == 10 and text.isdigit():
        return f"{text[0:2]}.{text[2:4]}.{text[4:6]}.{text[6:10]}"
    return text


def parse_birth_date(raw: str) -> str:
    """`DD-MM-YYYY` (the DPT's own form) or ISO `YYYY-MM-DD` -> ISO text; ValueError if not a date."""
    if len(raw) == 10 and raw[2] == "-" and raw[5] == "-" and raw.isascii():
        day, month, year = raw[:2], raw[3:5], raw[6:]
        if day.isdigit() and month.isdigit() and year.isdigit():
            dt.date(int(year), int(month), int(day))  # raises ValueError for 31-02-1990
            return f"{year}-{month}-{day}"
    parts = raw.strip().replace("/", "-").split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ValueError(raw)
    year, month, day = (
        (parts[0], parts[1], parts[2]) if len(parts[0]) == 4 else (parts[2], parts[1], parts[0])
    )
    return dt.date(int(year), int(month), int(day)).isoformat()


class _Rejects:
    """Counts rejections by reason and writes `row,reason,detail` lines to the rejects file."""

    def __init__(self, stream: IO[str], file_name: str):
        self.counts: Counter[str] = Counter()
        self._writer = csv.writer(stream)
        self._file_name = file_name

    def add(self, row: int, reason: str, detail: str = "") -> None:
        self.counts[reason] += 1
        self._writer.writerow((self._file_name, row, reason, detail))


def _header_index(header: list[str] | None, required: tuple[str, ...], file_name: str) -> list[int]:
    names = [name.strip().lower() for name in header or []]
    missing = [name for name in required if name not in names]
    if missing:
        raise ImportFailed(
            f"{file_name}: kolom tidak ada / missing column(s): {', '.join(missing)}"
            f" (expected header: {','.join(required)})"
        )
    return [names.index(name) for name in required]


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, list[str] | None]]:
    """(row number, fields in `required` order) per data row; None for a row of the wrong width.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    if not path.is_file():
        raise ImportFailed(f"berkas tidak ditemukan / file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream)
        index = _header_index(next(reader, None), required, path.name)
        width = max(index) + 1
        for number, fields in enumerate(reader, start=2):
            if not fields:
                continue
            if len(fields) < width:
                yield number, None
                continue
            yield number, [fields[i] for i in index]


class _TpsValidator:
    def __init__(self, known_kelurahan: frozenset[str]):
        self.known_kelurahan = known_kelurahan
        self.seen: set[tuple[str, int]] = set()

    def record(self, dataset_id: int, fields: list[str]) -> tuple[Any, ...]:
        raw_code, raw_number, address, raw_lat, raw_lon, raw_kind = fields
        code = kelurahan_code(raw_code)
        if code not in self.known_kelurahan:
            raise RowRejected("kelurahan_unknown", code[:20])
        number = _tps_number(raw_number)
        if (code, number) in self.seen:
            raise RowRejected("tps_duplicate", f"{code} {number}")
        kind = raw_kind.strip().lower() or "reguler"
        if kind not in _TPS_KINDS:
            raise RowRejected("tps_kind_invalid", kind[:20])
        lat, lon = _coordinate(raw_lat, -11.5, 6.5), _coordinate(raw_lon, 94.5, 141.5)
        if not address.strip():
            raise RowRejected("tps_address_missing")
        self.seen.add((code, number))
        return (dataset_id, code, number, address.strip(), lat, lon, kind)


def _tps_number(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or not 0 < int(text) < 10_000:
        raise RowRejected("tps_invalid", text[:20])
    return int(text)


def _coordinate(raw: str, low: float, high: float) -> float | None:
    text = raw.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowRejected("coordinate_invalid", text[:20]) from None
    if not low <= value <= high:
        raise RowRejected("coordinate_invalid", text[:20])
    return value


_PLACE_CACHE_LIMIT = 50_000  # keeps a worker's memory flat even for a national file
_OLDEST_BIRTH_DATE = "1900-01-01"  # ISO text compares like the date it spells


class _VoterValidator:
    """Turns one dpt.csv row into a voter record, or raises RowRejected with a stable reason."""

    def __init__(self, context: ParseContext):
        self.context = context
        self.hasher = NikHasher(context.nik_key)
        # Voter ids are random so that they reveal nothing, not even the row order.
        self.ids = Random(secrets.randbits(128))
        # A DPT repeats the same few thousand birth dates and (kelurahan, TPS) pairs: validate
        # each distinct value once.
        self.birth_dates: dict[str, str] = {}
        self.places: dict[tuple[str, str], tuple[str, str, NameStore]] = {}
        # How many voters carry each folded word: rare words weigh more in name search.
        # (Each voter's distinct words are collected per chunk and counted at its end, in C.)
        self.word_sets: list[frozenset[str]] = []
        self.name_stores: dict[str, NameStore] = {}  # per kab/kota: its keys carry its code

    def _typed_nik(self, nik: str) -> str:
        """A NIK written with separators or full-width digits: its 16 digits, or rejected."""
        try:
            return parse_nik(nik, today=self.context.today, kecamatan=self.context.kecamatan).digits
        except InvalidNik as error:
            raise RowRejected(error.code) from None

    def _birth_date(self, raw: str) -> str:
        try:
            born = parse_birth_date(raw)
        except ValueError:
            raise RowRejected("birth_date_invalid", raw[:20]) from None
        if not _OLDEST_BIRTH_DATE <= born <= self.context.today_iso:
            raise RowRejected("birth_date_invalid", raw[:20])
        if len(self.birth_dates) >= _PLACE_CACHE_LIMIT:
            self.birth_dates.clear()
        self.birth_dates[raw] = born
        return born

    def _place(self, raw_kelurahan: str, raw_tps: str) -> tuple[str, str, NameStore]:
        """(kelurahan code, TPS number, the search fields of its kab/kota) of a row's place."""
        code = kelurahan_code(raw_kelurahan)
        if code not in self.context.known_kelurahan:
            raise RowRejected("kelurahan_unknown", code[:20])
        number = _tps_number(raw_tps)
        if (code, number) not in self.context.tps:
            raise RowRejected("tps_unknown", f"{code[:20]} {number}")
        if len(self.places) >= _PLACE_CACHE_LIMIT:
            self.places.clear()
        kabkota = code[:5]
        names = self.name_stores.get(kabkota) or self.name_stores.setdefault(
            kabkota, NameStore(kabkota.replace(".", ""))
        )
        place = self.places[raw_kelurahan, raw_tps] = (code, str(number), names)
        return place

    def record(self, row: int, fields: list[str], *, escape: bool = True) -> str:
        """The row as one line of COPY text (without its line end); `escape=False` when the chunk
        has nothing to escape."""
        (nik, nkk, name, birth_place, birth_date, gender, address, rt, rw,
         raw_kelurahan, raw_tps, disability, note) = fields  # fmt: skip
        context = self.context
        if is_plain_nik(nik):
            problem = nik_problem(nik, context.today, context.kecamatan)
            if problem is not None:
                raise RowRejected(nik_problem_code(problem))
            digits = nik
        else:
            digits = self._typed_nik(nik)
        # The KK number is checked but not stored: no lookup needs it (data minimisation).
        nkk = nkk.strip()
        if nkk and not (len(nkk) == 16 and nkk.isdigit()):
            raise RowRejected("nkk_invalid")
        name = " ".join(name.split())
        if not name:
            raise RowRejected("name_missing")
        if len(name) > MAX_NAME_LENGTH:
            raise RowRejected("name_too_long")
        born = self.birth_dates.get(birth_date)
        if born is None:
            born = self._birth_date(birth_date)
        sex = _GENDERS.get(gender.strip().upper())
        if sex is None:
            raise RowRejected("gender_invalid", gender[:20])
        place = self.places.get((raw_kelurahan, raw_tps))
        if place is None:
            place = self._place(raw_kelurahan, raw_tps)
        code, number, names = place
        birth_place, address, rt, rw = birth_place.strip(), address.strip(), rt.strip(), rw.strip()
        disability, note = disability.strip(), note.strip()
        if escape:  # only for chunks that contain a backslash, tab or carriage return at all
            name, birth_place, address, rt, rw, disability, note = (
                text.translate(_COPY_ESCAPES)
                for text in (name, birth_place, address, rt, rw, disability, note)
            )
        # Search keys are letters only (service/names/normalise.py): nothing in them to escape.
        name_key, keys, words = names(name)
        self.word_sets.append(words)
        # One line of COPY's text format: bytea as \\x-hex (the backslash doubled), \N for NULL.
        return "\t".join((
            context.dataset_id_text, str(self.ids.getrandbits(63)), str(row),
            "\\\\x" + self.hasher(digits).hex(),
            name, birth_place or "\\N", born, sex, address or "\\N", rt or "\\N", rw or "\\N",
            code, number, disability or "\\N", note or "\\N", name_key, keys,
        ))  # fmt: skip


_NEEDS_ESCAPE = re.compile(r"[\\\t\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


# -- parallel parsing of dpt.csv -----------------------------------------------------------
# Validation and hashing cost far more than PostgreSQL's COPY, so dpt.csv is cut into chunks at
# record boundaries and parsed in worker processes, each returning COPY-ready text; the main
# process only streams those bytes to PostgreSQL, in order, with a bounded number in flight.
CHUNK_BYTES = 1 << 19


class ParseContext(NamedTuple):
    """What every parsing process needs, sent once when it starts."""

    dataset_id_text: str
    nik_key: str
    known_kelurahan: frozenset[str]
    kecamatan: frozenset[str]  # six-digit codes, for a NIK's region
    tps: frozenset[tuple[str, int]]
    today: dt.date
    today_iso: str
    columns: tuple[int, ...]  # positions of VOTER_COLUMNS in the file's header


class ChunkResult(NamedTuple):
    copy_text: bytes
    rejects: list[tuple[int, str, str]]
    read: int
    loaded: int
    token_counts: Counter[str]


_worker_validator: _VoterValidator | None = None


def _start_worker(context: ParseContext) -> None:
    global _worker_validator  # noqa: PLW0603 - one validator per worker process, built once
    _worker_validator = _VoterValidator(context)


def parse_chunk(data: bytes, first_line: int, validator: _VoterValidator | None = None) -> ChunkResult:
    """Validate the records of one chunk; rows are numbered by the file line they start on."""
    validator = validator or _worker_validator
    if validator is None:
        raise RuntimeError("parse_chunk needs a validator (worker not started)")
    columns = validator.context.columns
    width = max(columns) + 1
    in_order = columns == tuple(range(len(VOTER_COLUMNS)))
    try:
        text, damaged = data.decode("utf-8"), False
    except UnicodeDecodeError:
        text, damaged = data.decode("utf-8", errors="surrogateescape"), True
    damaged = damaged or "\0" in text  # PostgreSQL text cannot hold a NUL character
    escape = _NEEDS_ESCAPE.search(text) is not None
    lines: list[str] = []
    rejects: list[tuple[int, str, str]] = []
    read = loaded = 0
    for offset, fields in _records(text.split("\n")):
        row = first_line + offset
        if fields is not None and not fields:  # a blank line
            continue
        read += 1
        if fields is None:
            rejects.append((row, "csv_invalid", ""))
            continue
        if len(fields) < width:
            rejects.append((row, "wrong_column_count", ""))
            continue
        picked = fields[:width] if in_order else [fields[i] for i in columns]
        if damaged and any(_DAMAGE.search(field) for field in picked):
            rejects.append((row, "encoding_invalid", "not UTF-8 text"))
            continue
        try:
            lines.append(validator.record(row, picked, escape=escape))
        except RowRejected as rejected:
            rejects.append((row, rejected.reason, rejected.detail))
            continue
        loaded += 1
    counts = Counter(itertools.chain.from_iterable(validator.word_sets))
    validator.word_sets.clear()
    copy_text = "\n".join(lines) + "\n" if lines else ""
    return ChunkResult(copy_text.encode(), rejects, read, loaded, counts)


_DAMAGE = re.compile("[\udc80-\udcff\0]")  # bytes that were not UTF-8, and NUL


def _records(lines: list[str]) -> Iterator[tuple[int, list[str] | None]]:
    """(line offset, fields) of each CSV record in `lines`; fields None if it cannot be read.

    A line without a quote is split on commas directly, ten times faster than csv.reader; a line
    with one goes to csv.reader, which pulls further lines while a quoted field spans them (the
    line break inside is dropped).
    """
    numbered = enumerate(lines)
    for offset, line in numbered:
        if '"' not in line:
            text = line.removesuffix("\r")
            yield offset, text.split(",") if text else []
            continue
        reader = csv.reader(itertools.chain((line,), (more for _, more in numbered)))
        try:
            yield offset, next(reader, [])
        except csv.Error:  # a field over csv's size limit, a stray carriage return
            yield offset, None


def _record_boundary(data: bytes) -> int:
    """Index just after the last newline that ends a CSV record (not one inside quotes), or 0."""
    position = data.rfind(b"\n")
    while position >= 0:
        # Quotes inside quoted fields are doubled, so an even count means we are between records.
        if data.count(b'"', 0, position) % 2 == 0:
            return position + 1
        position = data.rfind(b"\n", 0, position)
    return 0


def _chunks(stream: IO[bytes], first_line: int) -> Iterator[tuple[bytes, int]]:
    carry = b""
    line = first_line
    while True:
        block = stream.read(CHUNK_BYTES)
        data = carry + block
        if not block:
            if data.strip():
                yield data, line
            return
        cut = _record_boundary(data)
        if cut == 0:
            carry = data
            continue
        chunk, carry = data[:cut], data[cut:]
        yield chunk, line
        line += chunk.count(b"\n")


def _read_header(stream: IO[bytes], file_name: str) -> tuple[int, ...]:
    first = stream.readline().decode("utf-8-sig", errors="replace")
    header = next(csv.reader([first]), None)
    return tuple(_header_index(header, VOTER_COLUMNS, file_name))


class _Counts(NamedTuple):
    read: int
    loaded: int


class _VoterJob(NamedTuple):
    """Everything loading dpt.csv needs besides the connection."""

    dataset_id: int
    voters_path: Path
    context: ParseContext
    rejects: _Rejects
    say: Progress
    workers: int
    token_counts: Counter[str]
    connect: Connect | None


async def _copy_voters(conn: asyncpg.Connection, partition: str, job: _VoterJob) -> _Counts:
    totals = {"read": 0, "loaded": 0}
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with (
        job.voters_path.open("rb") as stream,
        ProcessPoolExecutor(
            job.workers, multiprocessing.get_context(method), _start_worker, (job.context,)
        ) as pool,
    ):
        stream.readline()  # the header, already read

        async def copy_source() -> AsyncIterator[bytes]:
            pending: collections.deque[asyncio.Future[ChunkResult]] = collections.deque()
            chunks = _chunks(stream, first_line=2)
            exhausted = False
            next_report = PROGRESS_EVERY
            while pending or not exhausted:
                while not exhausted and len(pending) < job.workers * 2:
                    chunk = next(chunks, None)
                    if chunk is None:
                        exhausted = True
                    else:
                        pending.append(loop.run_in_executor(pool, parse_chunk, *chunk))
                if not pending:
                    break
                result = await pending.popleft()
                for row, reason, detail in result.rejects:
                    job.rejects.add(row, reason, detail)
                totals["read"] += result.read
                totals["loaded"] += result.loaded
                job.token_counts.update(result.token_counts)
                if totals["read"] >= next_report:
                    rate = totals["read"] / (time.perf_counter() - started)
                    job.say(f"dpt.csv: {totals['read']:,} rows read ({rate:,.0f} rows/s)")
                    next_report += PROGRESS_EVERY
                yield result.copy_text

        await conn.copy_to_table(
            partition, source=copy_source(), columns=VOTER_TABLE_COLUMNS, format="text", freeze=True
        )
    return _Counts(totals["read"], totals["loaded"])


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
        columns = _read_header(stream, voters_path.name)
    if await QUERIES["dataset-by-version"].row(conn, version=version):
        raise ImportFailed(f"versi {version} sudah ada / version {version} already exists")
    known_kelurahan = frozenset((await QUERIES["kelurahan-codes"].value(conn) or "").split(","))
    dataset_id: int = await QUERIES["insert-dataset"].value(
        conn, version=version, election=election, polling_date=polling_date
    )
    with rejects_path.open("w", encoding="utf-8", newline="") as rejects_stream:
        csv.writer(rejects_stream).writerow(("file", "row", "reason", "detail"))
        tps_rejects = _Rejects(rejects_stream, tps_path.name)
        tps_read, tps_seen = await _load_tps(conn, dataset_id, tps_path, known_kelurahan, tps_rejects)
        say(f"tps.csv: {tps_read:,} rows read, {len(tps_seen):,} loaded")
        voter_rejects = _Rejects(rejects_stream, voters_path.name)
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
        job = _VoterJob(
            dataset_id,
            voters_path,
            context,
            voter_rejects,
            say,
            workers or os.cpu_count() or 1,
            Counter(),
            connect,
        )
        counts = await _load_voters(conn, job)
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


async def _load_voters(conn: asyncpg.Connection, job: _VoterJob) -> _Counts:
    """COPY into a fresh partition, index it, drop duplicate NIKs and attach; undo it all on failure."""
    try:
        # Created and filled in one transaction, so COPY can write the rows already frozen
        # (no later pass rewrites every page to mark it visible).
        async with conn.transaction():
            partition = await QUERIES["create-voter-partition"].value(conn, dataset_id=job.dataset_id)
            counts = await _copy_voters(conn, partition, job)
        if counts.loaded == 0:
            _fail("tidak ada baris pemilih yang sah / no valid voter rows")
        job.say(f"dpt.csv: {counts.read:,} rows read, {counts.loaded:,} valid; indexing")
        loaded = counts.loaded
        # Most files have no repeated NIK: the unique index is tried first, duplicates removed
        # only if it fails.
        if not await _build_indexes(conn, job):
            for duplicate in await QUERIES["dedupe-voter-partition"].rows(conn, dataset_id=job.dataset_id):
                job.rejects.add(
                    duplicate["source_row"], "nik_duplicate", f"first at row {duplicate['first_row']}"
                )
                loaded -= 1
            await QUERIES["index-voter-partition"].value(conn, dataset_id=job.dataset_id)
        await conn.copy_records_to_table(
            "name_token_count",
            records=[(job.dataset_id, token, count) for token, count in job.token_counts.items()],
            columns=("dataset_id", "token", "voters"),
        )
        await QUERIES["attach-voter-partition"].run(conn, dataset_id=job.dataset_id)
    except BaseException:
        await QUERIES["drop-voter-partition"].run(conn, dataset_id=job.dataset_id)
        await QUERIES["delete-dataset"].run(conn, dataset_id=job.dataset_id)
        raise
    return _Counts(counts.read, loaded)


SEARCH_INDEXES = ("keys", "born", "kelurahan")
# With a second connection: the NIK index and then these on this one, the rest on the other.
# Measured at 1M voters: NIK 0.55 s, born 0.9 s | keys (GIN) 1.35 s, kelurahan 0.4 s.
_AFTER_NIK = ("born",)
_SECOND_LANE = ("keys", "kelurahan")


async def _build_indexes(conn: asyncpg.Connection, job: _VoterJob) -> bool:
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


async def _load_tps(
    conn: asyncpg.Connection, dataset_id: int, path: Path, known: frozenset[str], rejects: _Rejects
) -> tuple[int, set[tuple[str, int]]]:
    validator = _TpsValidator(known)
    records: list[tuple[Any, ...]] = []
    read = 0
    for row, fields in _rows(path, TPS_COLUMNS):
        read += 1
        if fields is None:
            rejects.add(row, "wrong_column_count")
            continue
        try:
            records.append(validator.record(dataset_id, fields))
        except RowRejected as rejected:
            rejects.add(row, rejected.reason, rejected.detail)
    # TPS are few (820,161 for all of Indonesia), so one list and one COPY is fine.
    await conn.copy_records_to_table("tps", records=records, columns=TPS_TABLE_COLUMNS)
    return read, validator.seen


async def publish_dataset(conn: asyncpg.Connection, dataset_id: int) -> None:
    """Switch lookups to `dataset_id` in one transaction; drop versions beyond the rollback one."""
    async with conn.transaction():
        await QUERIES["publish-dataset"].run(conn, dataset_id=dataset_id)
        await QUERIES["mark-published"].run(conn, dataset_id=dataset_id)
    for record in await QUERIES["datasets-to-drop"].rows(conn, keep=KEEP_RETIRED):
        await QUERIES["drop-voter-partition"].run(conn, dataset_id=record["id"])
        await QUERIES["delete-dataset"].run(conn, dataset_id=record["id"])
