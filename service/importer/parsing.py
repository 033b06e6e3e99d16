"""The parallel parse of dpt.csv: what a worker process holds and how it turns a chunk into COPY text."""

from __future__ import annotations

import itertools
import re
import signal
from collections import Counter
from typing import NamedTuple

from service.importer.columns import VOTER_COLUMNS
from service.importer.reading import Layout, decode, physical_lines, picker
from service.importer.rejects import RowRejected
from service.importer.validation import ParseContext, VoterValidator
from service.quality.findings import Finding

# Validation and hashing cost far more than PostgreSQL's COPY, so dpt.csv is cut into chunks at
# line ends and parsed in worker processes, each returning COPY-ready text; the main process only
# streams those bytes to PostgreSQL, in order, with a bounded number in flight.


class ChunkResult(NamedTuple):
    copy_text: bytes
    rejects: list[tuple[int, str, str, int | None]]  # (line, reason, column, detail number)
    read: int
    loaded: int
    token_counts: Counter[str]
    spelling_counts: Counter[str]
    findings: list[Finding]  # for the data-quality report (service/quality/)


_worker_validator: VoterValidator | None = None


def start_worker(context: ParseContext) -> None:
    global _worker_validator  # noqa: PLW0603 - one validator per worker process, built once
    # Ctrl-C reaches the whole process group: only the main process acts on it (it stops the pool
    # and cleans up), so a worker neither dies mid-chunk nor prints a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_validator = VoterValidator(context)


def parse_chunk(data: bytes, first_line: int, validator: VoterValidator | None = None) -> ChunkResult:
    """Validate the lines of one chunk, each one record (or rejected), numbered by its file line."""
    validator = validator or _worker_validator
    if validator is None:
        raise RuntimeError("parse_chunk needs a validator (worker not started)")
    columns = validator.context.columns
    layout = Layout(VOTER_COLUMNS, columns, max(columns) + 1, columns == tuple(range(len(VOTER_COLUMNS))))
    text, damaged = decode(data)
    escape = _NEEDS_ESCAPE.search(text) is not None
    lines, stray_returns = physical_lines(text)
    pick = picker(layout, damaged, stray_returns)
    record = validator.record
    copy_lines: list[str] = []
    rejects: list[tuple[int, str, str, int | None]] = []
    for row, line in enumerate(lines, start=first_line):
        try:
            copy_lines.append(record(row, pick(line), escape=escape))
        except RowRejected as rejected:
            rejects.append((row, rejected.reason, rejected.column, rejected.number))
    counts = Counter(itertools.chain.from_iterable(validator.word_sets))
    validator.word_sets.clear()
    spellings = Counter(itertools.chain.from_iterable(validator.spelling_sets))
    validator.spelling_sets.clear()
    findings, validator.findings = validator.findings, []
    copy_text = "\n".join(copy_lines) + "\n" if copy_lines else ""
    return ChunkResult(copy_text.encode(), rejects, len(lines), len(copy_lines), counts, spellings, findings)


# Only a chunk holding one of these pays for escaping its fields into COPY text. (A field never
# holds a line break: a record is one line, and a line with a stray carriage return is refused.)
_NEEDS_ESCAPE = re.compile(r"[\\\t]")
