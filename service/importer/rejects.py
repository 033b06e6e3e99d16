"""The rejects file: one line per refused row naming the file, its line, the column at fault and a
stable reason; never the text of a cell, which may be a NIK, a name or a spreadsheet formula.

Columns: `file,line,column,reason,detail`. `column` is the contract's name of the column (empty
when the whole line is at fault); `detail` is text the service writes itself from a number it
knows (a limit, the line a duplicate first appeared on), never taken from the file.
"""

from __future__ import annotations

import csv
from collections import Counter
from typing import IO, Final

REJECTS_HEADER: Final = ("file", "line", "column", "reason", "detail")
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
# `detail` by reason: filled only with a number (typed so), so no cell text can get there.
_DETAILS: Final = {
    "nik_duplicate": "first at line {}",
    "tps_duplicate": "first at line {}",
    "name_too_long": "at most {} characters",
    "field_too_long": "at most {} characters",
    "line_too_long": "at most {} characters",
    "wrong_column_count": "at least {} columns needed",
}


class RowRejected(Exception):
    """A line refused for `reason`, at fault in `column` ('' for the whole line); `number` is the
    limit or first line that the reason's detail names."""

    def __init__(self, reason: str, column: str = "", number: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.column = column
        self.number = number


def spreadsheet_safe(text: str) -> str:
    """`text` as a spreadsheet shows it rather than runs it: a leading `'` before a formula start."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def safe_row(cells: tuple[object, ...]) -> list[str]:
    """A row for any CSV the importer writes, every cell made spreadsheet-safe."""
    return [spreadsheet_safe(str(cell)) for cell in cells]


def write_header(stream: IO[str]) -> None:
    csv.writer(stream).writerow(safe_row(REJECTS_HEADER))


class Rejects:
    """Counts one file's rejections by reason and writes them to the rejects file."""

    def __init__(self, stream: IO[str], file_name: str, columns: tuple[str, ...]):
        self.counts: Counter[str] = Counter()
        self._writer = csv.writer(stream)
        self._file_name = file_name
        self._columns = frozenset(columns)

    def add(self, line: int, reason: str, column: str = "", number: int | None = None) -> None:
        if column and column not in self._columns:
            raise ValueError(f"{column!r} is not a column of {self._file_name}")  # a bug, not data
        template = _DETAILS.get(reason)
        detail = template.format(number) if template and number is not None else ""
        self.counts[reason] += 1
        self._writer.writerow(safe_row((self._file_name, line, column, reason, detail)))

    def rejected(self, line: int, error: RowRejected) -> None:
        self.add(line, error.reason, error.column, error.number)
