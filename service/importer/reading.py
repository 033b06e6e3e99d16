"""Reading the DPT files: the header, dpt.csv's chunks, and each physical line's fields.

A record is exactly one physical line (docs/contract.md, section 4: every line is loaded or
rejected). A quoted field may hold commas and doubled quotes but no line break: a quote that does
not close on its own line makes that line `csv_invalid`, and the next line is read afresh. So
every newline ends a record, chunks may be cut at any of them, and a parallel read judges each
line exactly as a serial one does.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from typing import IO, NamedTuple

from service.importer.columns import MAX_LINE_BYTES, MAX_LINE_CHARS
from service.importer.rejects import RowRejected


class ImportFailed(Exception):
    """The files cannot be imported at all (missing column, nothing valid); nothing published."""


class UnusableArgument(ImportFailed):
    """An argument names no usable file (missing, a folder, unwritable); nothing was started."""


class Layout(NamedTuple):
    """Where the wanted columns are in one file: their contract names and positions."""

    names: tuple[str, ...]
    columns: tuple[int, ...]
    width: int  # fields a line needs at least
    in_order: bool  # the wanted columns are the file's first ones, in order


def read_header(
    stream: IO[bytes], file_name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Layout:
    """The layout of the header line, which `stream` is left just after: the required columns,
    then those of `optional` the header has, in `optional` order."""
    raw = stream.readline(MAX_LINE_BYTES)
    if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
        raise ImportFailed(f"{file_name}: baris judul terlalu panjang / header line too long")
    first = raw.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    names = [name.strip().lower() for name in split_record(first) or []]
    missing = [name for name in required if name not in names]
    if missing:
        raise ImportFailed(
            f"{file_name}: kolom tidak ada / missing column(s): {', '.join(missing)}"
            f" (expected header: {','.join(required)})"
        )
    wanted = required + tuple(name for name in optional if name in names)
    columns = tuple(names.index(name) for name in wanted)
    return Layout(wanted, columns, max(columns) + 1, columns == tuple(range(len(wanted))))


def split_record(line: str) -> list[str] | None:
    """The fields of one physical line (without its `\\n`), [] if blank, None if not one record.

    A line without a quote is split on commas directly, ten times faster than csv.reader.
    """
    text = line[:-1] if line.endswith("\r") else line
    if '"' not in text and "\r" not in text:
        return text.split(",") if text else []
    return _quoted_record(text)


def _quoted_record(text: str) -> list[str] | None:
    """split_record of a line, its line end removed, that holds a quote or a carriage return."""
    if "\r" in text:  # a line break inside the record
        return None
    try:
        # With the newline the line had, an unclosed quote swallows it into the last field.
        fields = next(csv.reader((text + "\n",)), [])
    except csv.Error:  # a field over csv's size limit
        return None
    return None if fields and fields[-1].endswith("\n") else fields


def decode(data: bytes) -> tuple[str, bool]:
    """The text of whole lines, and whether any of it is damaged (not UTF-8, or a NUL, which
    PostgreSQL text cannot hold); damaged bytes become lone surrogates."""
    try:
        text, damaged = data.decode("utf-8"), False
    except UnicodeDecodeError:
        text, damaged = data.decode("utf-8", errors="surrogateescape"), True
    return text, damaged or "\0" in text


def physical_lines(text: str) -> tuple[list[str], bool]:
    """The lines of `text` (whole lines), and whether a carriage return stands inside one."""
    lines = text.split("\n")
    if not lines[-1]:  # what follows the last line end
        lines.pop()
    return lines, "\r" in text and text.count("\r") != text.count("\r\n")


_DAMAGE = re.compile("[\udc80-\udcff\0]")


def picker(layout: Layout, damaged: bool, stray_returns: bool) -> Callable[[str], list[str]]:
    """For one chunk: a function giving the wanted fields of a physical line, in `layout.names`
    order, or raising RowRejected. (A closure: it runs for every line of a national DPT.)"""
    names, columns, width, in_order = layout

    def pick(line: str) -> list[str]:
        if len(line) > MAX_LINE_CHARS:
            raise RowRejected("line_too_long", number=MAX_LINE_CHARS)
        text = line[:-1] if line.endswith("\r") else line
        if '"' in text or (stray_returns and "\r" in text):
            fields = _quoted_record(text)
            if fields is None:
                raise RowRejected("csv_invalid")
        else:  # split_record's shortcut, without a call
            fields = text.split(",") if text else []
        if len(fields) < width:
            raise RowRejected("wrong_column_count" if fields else "blank_line", number=width)
        picked = fields[:width] if in_order else [fields[i] for i in columns]
        if damaged:
            for name, field in zip(names, picked, strict=True):
                if _DAMAGE.search(field):
                    raise RowRejected("encoding_invalid", name)
        return picked

    return pick


CHUNK_BYTES = 1 << 19


def chunks(stream: IO[bytes], first_line: int, size: int = CHUNK_BYTES) -> Iterator[tuple[bytes, int]]:
    """(bytes of whole lines, file line of the first) of about `size` each, to the end.

    A line longer than MAX_LINE_BYTES is cut to that length (it is rejected as too long anyway)
    and the rest of it skipped, so one endless line costs neither memory nor quadratic copying.
    """
    carry = b""
    line = first_line
    skipping = False  # inside the rest of a line already cut short
    while True:
        block = stream.read(size)
        if not block:
            if carry:
                yield carry, line
            return
        if skipping:
            end = block.find(b"\n")
            if end < 0:
                continue
            block, skipping = block[end:], False
        data = carry + block
        cut = data.rfind(b"\n") + 1
        chunk, carry = data[:cut], data[cut:]
        if len(carry) > MAX_LINE_BYTES:
            carry, skipping = carry[:MAX_LINE_BYTES], True
        if chunk:
            yield chunk, line
            line += chunk.count(b"\n")
