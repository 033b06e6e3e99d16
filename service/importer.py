"""`dpt import`: validate a DPT (dpt.csv + tps.csv), load it with COPY and publish it atomically.

The voter file is streamed: one COPY reads records as the CSV is parsed, so memory does not grow
with the file. Bad rows are counted by reason and written (row number and reason only, never the
row's data) to a rejects file. Lookups keep answering from the previous version until the new
one is published by a single UPDATE; the previous version is kept for `dpt rollback`.
"""

from __future__ import annotations

import csv
import datetime as dt
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from random import Random
from typing import IO, Any

import asyncpg
import msgspec

from service.errors import InvalidNik
from service.nik import NikHasher, parse_nik
from service.store.queries import QUERIES

VOTER_COLUMNS = (
    "nik", "nkk", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat",
    "rt", "rw", "kode_kelurahan", "tps", "disabilitas", "keterangan",
)  # fmt: skip
TPS_COLUMNS = ("kode_kelurahan", "tps", "alamat", "lat", "lon", "jenis")
VOTER_TABLE_COLUMNS = (
    "dataset_id", "id", "source_row", "nik_hash", "nkk_hash", "name", "birth_place", "birth_date",
    "gender", "address", "rt", "rw", "kelurahan_code", "tps_number", "disability", "note",
)  # fmt: skip
TPS_TABLE_COLUMNS = ("dataset_id", "kelurahan_code", "number", "address", "lat", "lon", "kind")
MAX_NAME_LENGTH = 200
KEEP_RETIRED = 1  # versions kept for rollback besides the published one
PROGRESS_EVERY = 100_000
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


def parse_birth_date(raw: str) -> dt.date:
    """`DD-MM-YYYY` (the DPT's own form) or ISO `YYYY-MM-DD`."""
    parts = raw.strip().replace("/", "-").split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ValueError(raw)
    if len(parts[0]) == 4:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))


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


class _VoterValidator:
    """Turns one dpt.csv row into a voter record, or raises RowRejected with a stable reason."""

    def __init__(
        self, dataset_id: int, hasher: NikHasher, known_kelurahan: frozenset[str], tps: set[tuple[str, int]],
        today: dt.date,
    ):  # fmt: skip
        self.dataset_id = dataset_id
        self.known_kelurahan = known_kelurahan
        self.hasher = hasher
        self.tps = tps
        self.today = today
        # Voter ids are random so that they reveal nothing, not even the row order.
        self.ids = Random(secrets.randbits(128))

    def record(self, row: int, fields: list[str]) -> tuple[Any, ...]:
        (nik, nkk, name, birth_place, birth_date, gender, address, rt, rw,
         raw_kelurahan, raw_tps, disability, note) = fields  # fmt: skip
        try:
            digits = parse_nik(nik, today=self.today).digits
        except InvalidNik as error:
            raise RowRejected(error.code) from None
        nkk = nkk.strip()
        if nkk and not (len(nkk) == 16 and nkk.isdigit()):
            raise RowRejected("nkk_invalid")
        name = " ".join(name.split())
        if not name:
            raise RowRejected("name_missing")
        if len(name) > MAX_NAME_LENGTH:
            raise RowRejected("name_too_long")
        try:
            born = parse_birth_date(birth_date)
        except ValueError:
            raise RowRejected("birth_date_invalid", birth_date[:20]) from None
        if born > self.today:
            raise RowRejected("birth_date_invalid", birth_date[:20])
        sex = _GENDERS.get(gender.strip().upper())
        if sex is None:
            raise RowRejected("gender_invalid", gender[:20])
        code = kelurahan_code(raw_kelurahan)
        if code not in self.known_kelurahan:
            raise RowRejected("kelurahan_unknown", code[:20])
        number = _tps_number(raw_tps)
        if (code, number) not in self.tps:
            raise RowRejected("tps_unknown", f"{code[:20]} {number}")
        return (
            self.dataset_id, self.ids.getrandbits(63), row, self.hasher(digits),
            self.hasher(nkk) if nkk else None, name, birth_place.strip() or None, born, sex,
            address.strip() or None, rt.strip() or None, rw.strip() or None, code, number,
            disability.strip() or None, note.strip() or None,
        )  # fmt: skip


Progress = Callable[[str], None]


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
) -> ImportSummary:
    """Load both files into a new dataset version and (by default) publish it."""
    started = time.perf_counter()
    say = progress or (lambda _line: None)
    now = dt.datetime.now(tz=dt.UTC)
    today = today or now.date()
    version = version or _default_version(now)
    rejects_path = rejects_path or voters_path.with_name(f"{voters_path.stem}.rejects.csv")
    if not voters_path.is_file() or not tps_path.is_file():
        missing = voters_path if not voters_path.is_file() else tps_path
        raise ImportFailed(f"berkas tidak ditemukan / file not found: {missing}")
    if await conn.fetchrow(*QUERIES["dataset-by-version"](version=version)):
        raise ImportFailed(f"versi {version} sudah ada / version {version} already exists")
    known_kelurahan = frozenset(
        record["code"] for record in await conn.fetch("select code from region where level = 4")
    )
    dataset_id: int = await conn.fetchval(
        *QUERIES["insert-dataset"](version=version, election=election, polling_date=polling_date)
    )
    with rejects_path.open("w", encoding="utf-8", newline="") as rejects_stream:
        csv.writer(rejects_stream).writerow(("file", "row", "reason", "detail"))
        tps_rejects = _Rejects(rejects_stream, tps_path.name)
        tps_read, tps_validator = await _load_tps(conn, dataset_id, tps_path, known_kelurahan, tps_rejects)
        say(f"tps.csv: {tps_read:,} rows read, {len(tps_validator.seen):,} loaded")

        voter_rejects = _Rejects(rejects_stream, voters_path.name)
        validator = _VoterValidator(dataset_id, hasher, known_kelurahan, tps_validator.seen, today)
        counter = {"read": 0, "loaded": 0}

        async def records() -> AsyncIterator[tuple[Any, ...]]:
            for row, fields in _rows(voters_path, VOTER_COLUMNS):
                counter["read"] += 1
                if counter["read"] % PROGRESS_EVERY == 0:
                    rate = counter["read"] / (time.perf_counter() - started)
                    say(f"dpt.csv: {counter['read']:,} rows read ({rate:,.0f} rows/s)")
                if fields is None:
                    voter_rejects.add(row, "wrong_column_count")
                    continue
                try:
                    record = validator.record(row, fields)
                except RowRejected as rejected:
                    voter_rejects.add(row, rejected.reason, rejected.detail)
                    continue
                counter["loaded"] += 1
                yield record

        partition = await conn.fetchval(*QUERIES["create-voter-partition"](dataset_id=dataset_id))
        try:
            await conn.copy_records_to_table(partition, records=records(), columns=VOTER_TABLE_COLUMNS)
            for duplicate in await conn.fetch(*QUERIES["dedupe-voter-partition"](dataset_id=dataset_id)):
                voter_rejects.add(duplicate["source_row"], "nik_duplicate", f"first at row {duplicate['first_row']}")
                counter["loaded"] -= 1
            say(f"dpt.csv: {counter['read']:,} rows read, {counter['loaded']:,} valid; indexing")
            if counter["loaded"] == 0:
                raise ImportFailed("tidak ada baris pemilih yang sah / no valid voter rows")
            await conn.execute(*QUERIES["attach-voter-partition"](dataset_id=dataset_id))
        except BaseException:
            await conn.execute(*QUERIES["drop-voter-partition"](dataset_id=dataset_id))
            await conn.execute(*QUERIES["delete-dataset"](dataset_id=dataset_id))
            raise
    await conn.execute(
        *QUERIES["finish-dataset"](
            dataset_id=dataset_id,
            status="ready",
            rows_read=counter["read"],
            rows_loaded=counter["loaded"],
            rows_rejected=counter["read"] - counter["loaded"],
        )
    )
    if publish:
        await publish_dataset(conn, dataset_id)
        say(f"published dataset {version}")
    return ImportSummary(
        version=version,
        dataset_id=dataset_id,
        rows_read=counter["read"],
        rows_loaded=counter["loaded"],
        rejected=dict(voter_rejects.counts.most_common()),
        tps_read=tps_read,
        tps_loaded=len(tps_validator.seen),
        tps_rejected=dict(tps_rejects.counts.most_common()),
        seconds=time.perf_counter() - started,
        rejects_path=str(rejects_path),
        published=publish,
    )


async def _load_tps(
    conn: asyncpg.Connection, dataset_id: int, path: Path, known: frozenset[str], rejects: _Rejects
) -> tuple[int, _TpsValidator]:
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
    return read, validator


async def publish_dataset(conn: asyncpg.Connection, dataset_id: int) -> None:
    """Switch lookups to `dataset_id` in one transaction; drop versions beyond the rollback one."""
    async with conn.transaction():
        await conn.execute(*QUERIES["publish-dataset"](dataset_id=dataset_id))
        await conn.execute(*QUERIES["mark-published"](dataset_id=dataset_id))
    for record in await conn.fetch(*QUERIES["datasets-to-drop"](keep=KEEP_RETIRED)):
        await conn.execute(*QUERIES["drop-voter-partition"](dataset_id=record["id"]))
        await conn.execute(*QUERIES["delete-dataset"](dataset_id=record["id"]))
