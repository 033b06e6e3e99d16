"""The parallel parse of dpt.csv: what a worker process holds and how it turns a chunk into COPY text."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import NamedTuple

from service.importer.columns import VOTER_COLUMNS
from service.importer.reading import records
from service.importer.validation import ParseContext, RowRejected, VoterValidator

# Validation and hashing cost far more than PostgreSQL's COPY, so dpt.csv is cut into chunks at
# record boundaries and parsed in worker processes, each returning COPY-ready text; the main
# process only streams those bytes to PostgreSQL, in order, with a bounded number in flight.


class ChunkResult(NamedTuple):
    copy_text: bytes
    rejects: list[tuple[int, str, str]]
    read: int
    loaded: int
    token_counts: Counter[str]


_worker_validator: VoterValidator | None = None


def start_worker(context: ParseContext) -> None:
    global _worker_validator  # noqa: PLW0603 - one validator per worker process, built once
    _worker_validator = VoterValidator(context)


def parse_chunk(data: bytes, first_line: int, validator: VoterValidator | None = None) -> ChunkResult:
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
    for offset, fields in records(text.split("\n")):
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


# Only a chunk holding one of these pays for escaping its fields into COPY text.
_NEEDS_ESCAPE = re.compile(r"[\\\t\r]")
_DAMAGE = re.compile("[\udc80-\udcff\0]")  # bytes that were not UTF-8, and NUL
