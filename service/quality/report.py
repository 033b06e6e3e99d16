"""The data-quality report of one dataset version: `summary.json` (one count per finding kind) and
one CSV per kind, each finding by its file line with masked names, never a NIK.

Everything is read through cursors and written as it comes, so memory stays flat however large
the DPT: the duplicate-person search holds one block (one birth date in one kab/kota) at a time.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

import asyncpg

from service.importer.rejects import spreadsheet_safe
from service.names.masking import mask_name
from service.names.scoring import TokenWeights
from service.quality.findings import KINDS
from service.quality.persons import SAME_PERSON_SCORE, Person, pairs_in_block
from service.store.queries import QUERIES, Query
from service.voters.election import MIN_AGE

_DUPLICATE_NIK = ("line", "first_line", "masked_name", "first_masked_name", "score", "kelurahan", "tps")
_ROW = ("line", "masked_name", "kelurahan", "tps")
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "nik_duplicate_same_name": _DUPLICATE_NIK,
    "nik_duplicate_other_name": _DUPLICATE_NIK,
    "suspected_duplicate_person": (
        "line", "other_line", "masked_name", "other_masked_name", "score", "kelurahan", "tps",
        "other_kelurahan", "other_tps",
    ),
    "under_age": ("line", "masked_name", "age_on_polling_day", "kelurahan", "tps"),
    "nik_birth_date_mismatch": _ROW,
    "nik_gender_mismatch": _ROW,
    "tps_empty": ("tps_line", "kelurahan", "tps", "voters"),
    "tps_overfull": ("tps_line", "kelurahan", "tps", "voters", "max_voters"),
    "tps_missing": _ROW,
}  # fmt: skip
# Under-17s who are or were married may vote (UU 7/2017 Pasal 1 angka 34). The DPT files carry no
# marital-status column (docs/contract.md, section 4), so only `keterangan` can say so: a note
# naming a marriage (kawin, menikah, nikah, cerai) that does not say "belum" (not yet).
_MARRIED = re.compile(r"\b(kawin|menikah|nikah|cerai)\b", re.IGNORECASE)
_NOT_YET = re.compile(r"\bbelum\s+(kawin|menikah|nikah)\b", re.IGNORECASE)
_PREFETCH = 10_000


class QualityReport(NamedTuple):
    version: str
    dataset_id: int
    counts: dict[str, int]
    folder: Path


def married_by_note(note: str | None) -> bool:
    return bool(note) and _MARRIED.search(note or "") is not None and _NOT_YET.search(note or "") is None


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier (28 February for a 29 February that year lacks)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return dt.date(day.year - years, 2, 28)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class _Writers:
    """One CSV per kind, opened up front (an empty kind still gets its header), counted as written."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.streams: dict[str, IO[str]] = {}
        self.writers: dict[str, Any] = {}
        self.counts = dict.fromkeys(KINDS, 0)
        for kind in KINDS:
            stream = (folder / f"{kind}.csv").open("w", encoding="utf-8", newline="")
            self.streams[kind] = stream
            self.writers[kind] = csv.writer(stream)
            self.writers[kind].writerow(CSV_COLUMNS[kind])

    def write(self, kind: str, *cells: object) -> None:
        self.writers[kind].writerow(
            [
                spreadsheet_safe(cell) if isinstance(cell, str) else ("" if cell is None else cell)
                for cell in cells
            ]
        )
        self.counts[kind] += 1

    def close(self) -> None:
        for stream in self.streams.values():
            stream.close()


async def _stream(conn: asyncpg.Connection, query: Query, **values: Any) -> AsyncIterator[asyncpg.Record]:
    async with conn.transaction(readonly=True):
        async for record in conn.cursor(query.sql, *query.arguments(values), prefetch=_PREFETCH):
            yield record


def _blocks(records: list[asyncpg.Record]) -> Iterator[list[Person]]:
    """Runs of one birth date and kab/kota in records already ordered that way."""
    block: list[Person] = []
    current: tuple[dt.date, str] | None = None
    for record in records:
        key = (record["birth_date"], record["kelurahan_code"][:5])
        if key != current:
            if len(block) > 1:
                yield block
            block, current = [], key
        block.append(
            Person(
                record["source_row"],
                record["name"],
                record["name_key"],
                record["kelurahan_code"],
                record["tps_number"],
            )
        )
    if len(block) > 1:
        yield block


async def _duplicate_persons(conn: asyncpg.Connection, dataset_id: int, voters: int, out: _Writers) -> None:
    counts = {
        row["token"]: row["voters"]
        for row in await QUERIES["dataset-token-counts"].rows(conn, dataset_id=dataset_id)
    }
    weights = TokenWeights(counts, max(voters, 1))
    batch: list[asyncpg.Record] = []
    async for record in _stream(conn, QUERIES["quality-voters-by-birth"], dataset_id=dataset_id):
        # A batch ends only where a block does, so no block is split across two.
        if len(batch) >= _PREFETCH and (record["birth_date"], record["kelurahan_code"][:5]) != (
            batch[-1]["birth_date"],
            batch[-1]["kelurahan_code"][:5],
        ):
            _write_pairs(batch, weights, out)
            batch = []
        batch.append(record)
    _write_pairs(batch, weights, out)


def _write_pairs(batch: list[asyncpg.Record], weights: TokenWeights, out: _Writers) -> None:
    for block in _blocks(batch):
        for pair in pairs_in_block(block, weights):
            first, second = sorted((pair.first, pair.second))
            out.write(
                "suspected_duplicate_person", first.line, second.line, mask_name(first.name),
                mask_name(second.name), pair.score, first.kelurahan_code, first.tps_number,
                second.kelurahan_code, second.tps_number,
            )  # fmt: skip


async def write_report(
    conn: asyncpg.Connection, *, version: str | None, folder: Path, tps_max_voters: int
) -> QualityReport:
    """Write the report of `version` (default: the published one, else the newest) into `folder`
    and store its counts with the dataset. LookupError when there is no such version."""
    dataset = await QUERIES["dataset-for-quality"].row(conn, version=version)
    if dataset is None:
        raise LookupError(version or "")
    dataset_id = dataset["id"]
    polling_day = dataset["polling_date"] or dt.date.today()
    out = _Writers(folder)
    try:
        async for row in _stream(conn, QUERIES["quality-import-findings"], dataset_id=dataset_id):
            kind = row["kind"]
            if kind.startswith("nik_duplicate"):
                out.write(
                    kind,
                    row["line"],
                    row["other_line"],
                    row["masked_name"],
                    row["other_masked_name"],
                    row["score"],
                    row["kelurahan_code"],
                    row["tps_number"],
                )
            else:
                out.write(kind, row["line"], row["masked_name"], row["kelurahan_code"], row["tps_number"])
        await _duplicate_persons(conn, dataset_id, dataset["rows_loaded"] or 0, out)
        born_after = years_before(polling_day, MIN_AGE)
        async for row in _stream(
            conn, QUERIES["quality-under-age"], dataset_id=dataset_id, born_after=born_after
        ):
            if not married_by_note(row["note"]):
                out.write(
                    "under_age",
                    row["source_row"],
                    mask_name(row["name"]),
                    age_on(row["birth_date"], polling_day),
                    row["kelurahan_code"],
                    row["tps_number"],
                )
        for row in await QUERIES["quality-tps-counts"].rows(
            conn, dataset_id=dataset_id, max_voters=tps_max_voters
        ):
            if row["voters"] == 0:
                out.write("tps_empty", row["source_line"], row["kelurahan_code"], row["number"], 0)
            else:
                out.write(
                    "tps_overfull",
                    row["source_line"],
                    row["kelurahan_code"],
                    row["number"],
                    row["voters"],
                    tps_max_voters,
                )
    finally:
        out.close()
    counts = out.counts
    (folder / "summary.json").write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
    await QUERIES["set-dataset-quality"].run(conn, dataset_id=dataset_id, quality=json.dumps(counts))
    return QualityReport(dataset["version"], dataset_id, counts, folder)


__all__ = ["SAME_PERSON_SCORE", "QualityReport", "married_by_note", "write_report"]
