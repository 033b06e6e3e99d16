"""The batch check's file: a pasted or uploaded CSV of NIKs read line by line (a header or none,
any other columns kept, `,` or `;`), and the answer written back as a spreadsheet-safe CSV.

A malformed line is reported with its reason, never fatal; a file too big, too long or not text
at all is refused whole before anything is looked up. No HTTP here."""

from __future__ import annotations

import csv
import io

import msgspec

from service.errors import DomainError, InvalidNik
from service.nik.parse import normalise_nik, parse_nik

MAX_LINES = 5000
MAX_BYTES = 1 << 20  # 5,000 lines of 200 characters
_HEADER_NAMES = {"nik", "no_nik", "no nik", "nomor nik", "nomor_nik", "nik_ktp", "nik ktp"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Files that are certainly not text: zip (xlsx, docx), PDF, images, OLE (xls).
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0")
STATUS_TEXT = {
    "registered": ("terdaftar", "registered"),
    "not_registered": ("tidak terdaftar", "not registered"),
    "registered_elsewhere": ("terdaftar di luar wilayah Anda", "registered outside your region"),
    "malformed": ("baris tidak sah", "malformed line"),
}


class BatchLine(msgspec.Struct, frozen=True):
    number: int  # the line of the file, from 1
    cells: list[str]
    digits: str | None = None  # the NIK's 16 digits, when the line has a valid one
    problem: str | None = None  # else why not: a NIK error code, nik_missing, csv_invalid, blank_line


class BatchRow(msgspec.Struct, frozen=True):
    line: BatchLine
    status: str  # a key of STATUS_TEXT
    reason: str | None = None
    tps: str = ""
    kelurahan: str = ""


class Batch(msgspec.Struct, frozen=True):
    header: list[str] | None
    nik_column: int
    lines: list[BatchLine]


class BatchRefused(DomainError):
    """The whole file is refused (nothing was looked up)."""

    status = 422


def refused(status: int, code: str, message: str, message_en: str) -> BatchRefused:
    error = BatchRefused(message, message_en, code=code, field="batch")
    error.status = status
    return error


def decode_batch(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise refused(
            413, "batch_too_large",
            f"Berkas terlalu besar: paling banyak {MAX_BYTES // 1024} KB.",
            f"The file is too large: at most {MAX_BYTES // 1024} KB.",
        )  # fmt: skip
    if data.startswith(_BINARY_MAGIC) or b"\0" in data:
        raise not_csv()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_csv() from None
    return text


def not_csv() -> BatchRefused:
    return refused(
        415, "batch_not_csv",
        "Berkas ini bukan CSV (teks UTF-8). Simpan dari spreadsheet sebagai CSV lalu unggah lagi.",
        "This file is not a CSV (UTF-8 text). Save it from the spreadsheet as CSV and upload it again.",
    )  # fmt: skip


def read_batch(text: str) -> Batch:
    """The lines of a batch, with the column that holds the NIK."""
    physical = text.removeprefix("\ufeff").splitlines()
    while physical and not physical[-1].strip():
        physical.pop()
    if not physical:
        raise refused(422, "batch_empty", "Tidak ada NIK yang diperiksa.", "There are no NIKs to check.")
    delimiter = ";" if ";" in physical[0] and "," not in physical[0] else ","
    first = _cells(physical[0], delimiter) or []
    names = [cell.strip().casefold() for cell in first]
    header_column = next((index for index, name in enumerate(names) if name in _HEADER_NAMES), None)
    header = first if header_column is not None else None
    body = physical[1:] if header is not None else physical
    if len(body) > MAX_LINES:
        raise refused(
            413, "batch_too_many_lines",
            f"Paling banyak {MAX_LINES} baris sekali periksa; berkas ini {len(body)} baris.",
            f"At most {MAX_LINES} lines at a time; this file has {len(body)}.",
        )  # fmt: skip
    column = header_column if header_column is not None else _guess_column(first)
    offset = 2 if header is not None else 1
    return Batch(
        header, column, [_line(number + offset, raw, delimiter, column) for number, raw in enumerate(body)]
    )


def _cells(raw: str, delimiter: str) -> list[str] | None:
    try:
        rows = list(csv.reader([raw], delimiter=delimiter, strict=True))
    except csv.Error:
        return None
    return rows[0] if rows else []


def _guess_column(cells: list[str]) -> int:
    for index, cell in enumerate(cells):
        digits = normalise_nik(cell)
        if len(digits) == 16 and digits.isdigit():
            return index
    return 0


def _line(number: int, raw: str, delimiter: str, column: int) -> BatchLine:
    if not raw.strip():
        return BatchLine(number, [], problem="blank_line")
    cells = _cells(raw, delimiter)
    if cells is None:
        return BatchLine(number, [raw], problem="csv_invalid")
    typed = cells[column].strip() if column < len(cells) else ""
    if not typed:
        return BatchLine(number, cells, problem="nik_missing")
    try:
        return BatchLine(number, cells, digits=parse_nik(typed[:64]).digits)
    except InvalidNik as error:
        return BatchLine(number, cells, problem=error.code)


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run: a formula's first character is quoted away."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def batch_csv(batch: Batch, rows: list[BatchRow], language: str) -> str:
    """The answer as CSV: the file's own columns, then status, TPS, kelurahan and reason."""
    width = max([len(batch.header or [])] + [len(row.line.cells) for row in rows] + [1])
    header = list(batch.header or []) + [
        f"kolom_{index + 1}" for index in range(len(batch.header or []), width)
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [safe_cell(cell) for cell in header]
        + ["baris", "status", "keterangan_status", "tps", "kelurahan", "alasan"]
    )
    for row in rows:
        cells = row.line.cells + [""] * (width - len(row.line.cells))
        label = STATUS_TEXT[row.status][0 if language == "id" else 1]
        writer.writerow(
            [safe_cell(cell) for cell in cells]
            + [str(row.line.number), row.status, label, row.tps, safe_cell(row.kelurahan), row.reason or ""]
        )
    return out.getvalue()
