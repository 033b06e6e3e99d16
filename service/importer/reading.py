"""Reading the DPT files: header columns, rows, dpt.csv's records and chunks, and the rejects file."""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from service.importer.columns import VOTER_COLUMNS


class ImportFailed(Exception):
    """The files cannot be imported at all (missing file or column, nothing valid); nothing published."""


class Rejects:
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


def rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, list[str] | None]]:
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


def read_header(stream: IO[bytes], file_name: str) -> tuple[int, ...]:
    """Positions of VOTER_COLUMNS in dpt.csv's header line, which `stream` is left just after."""
    first = stream.readline().decode("utf-8-sig", errors="replace")
    header = next(csv.reader([first]), None)
    return tuple(_header_index(header, VOTER_COLUMNS, file_name))


def records(lines: list[str]) -> Iterator[tuple[int, list[str] | None]]:
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


CHUNK_BYTES = 1 << 19


def chunks(stream: IO[bytes], first_line: int) -> Iterator[tuple[bytes, int]]:
    """(bytes of whole records, file line of the first) of about CHUNK_BYTES each, to the end."""
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
