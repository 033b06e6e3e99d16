"""The data-quality report of one dataset version: `summary.json` (one count per finding kind) and
one CSV per kind, each finding by its file line with masked names, never a NIK.

Everything is read through cursors and written as it comes, so memory stays flat however large
the DPT: the duplicate-person search reads one row per block (the voters of one birth date in one
kab/kota) and hands a few hundred blocks at a time to one process per core, which compare names.
"""

from __future__ import annotations

import asyncio
import collections
import csv
import datetime as dt
import json
import os
import re
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import IO, Any, NamedTuple

import asyncpg

from service.importer.loading import worker_context
from service.importer.rejects import spreadsheet_safe
from service.names.masking import mask_name
from service.names.scoring import TokenWeights
from service.quality.findings import KINDS
from service.quality.persons import SAME_PERSON_SCORE, Block, SuspectedPair, pairs_in_blocks, start_matcher
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
# Blocks per task of a matcher process: about 50 voters each in a kab/kota of a million.
_BLOCKS_PER_TASK = 200


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


async def _stream(
    conn: asyncpg.Connection, query: Query, prefetch: int = _PREFETCH, **values: Any
) -> AsyncIterator[asyncpg.Record]:
    async with conn.transaction(readonly=True):
        async for record in conn.cursor(query.sql, *query.arguments(values), prefetch=prefetch):
            yield record


async def _duplicate_persons(
    conn: asyncpg.Connection, dataset_id: int, voters: int, out: _Writers, workers: int
) -> None:
    """Blocks go to `workers` matcher processes `_BLOCKS_PER_TASK` at a time; their pairs are
    written in the order of the blocks, and no more than two tasks per process are held at once,
    so memory stays flat."""
    counts = {
        row["token"]: row["voters"]
        for row in await QUERIES["dataset-token-counts"].rows(conn, dataset_id=dataset_id)
    }
    weights = TokenWeights(counts, max(voters, 1))
    loop = asyncio.get_running_loop()
    context = worker_context("service.quality.persons")
    with ProcessPoolExecutor(workers, context, start_matcher, (weights,)) as pool:
        pending: collections.deque[asyncio.Future[list[SuspectedPair]]] = collections.deque()
        blocks: list[Block] = []
        query = QUERIES["quality-birth-blocks"]
        async for record in _stream(conn, query, prefetch=_BLOCKS_PER_TASK, dataset_id=dataset_id):
            blocks.append(Block(*record))
            if len(blocks) == _BLOCKS_PER_TASK:
                pending.append(loop.run_in_executor(pool, pairs_in_blocks, blocks))
                blocks = []
                while len(pending) > 2 * workers:
                    _write_pairs(await pending.popleft(), out)
        pending.append(loop.run_in_executor(pool, pairs_in_blocks, blocks))
        while pending:
            _write_pairs(await pending.popleft(), out)


def _write_pairs(pairs: list[SuspectedPair], out: _Writers) -> None:
    for pair in pairs:
        first, second = sorted((pair.first, pair.second))
        out.write(
            "suspected_duplicate_person", first.line, second.line, mask_name(first.name),
            mask_name(second.name), pair.score, first.kelurahan_code, first.tps_number,
            second.kelurahan_code, second.tps_number,
        )  # fmt: skip


async def write_report(
    conn: asyncpg.Connection,
    *,
    version: str | None,
    folder: Path,
    tps_max_voters: int,
    workers: int | None = None,
) -> QualityReport:
    """Write the report of `version` (default: the published one, else the newest) into `folder`
    and store its counts with the dataset, comparing names in `workers` processes (default: one
    per core). LookupError when there is no such version."""
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
        await _duplicate_persons(
            conn, dataset_id, dataset["rows_loaded"] or 0, out, workers or os.cpu_count() or 1
        )
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
