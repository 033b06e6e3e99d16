"""The finding kinds of the data-quality report and the one row type the import records them in."""

from __future__ import annotations

from typing import Final, NamedTuple

# The keys of summary.json and the names of the report's CSV files, in the order they are shown.
KINDS: Final = (
    "nik_duplicate_same_name",
    "nik_duplicate_other_name",
    "suspected_duplicate_person",
    "under_age",
    "nik_birth_date_mismatch",
    "nik_gender_mismatch",
    "tps_empty",
    "tps_overfull",
    "tps_missing",
)
# Kinds only the import can see (the NIK is never stored; refused rows are not in the voter
# table): recorded in `dataset_finding` while loading.
IMPORT_KINDS: Final = (
    "nik_duplicate_same_name",
    "nik_duplicate_other_name",
    "nik_birth_date_mismatch",
    "nik_gender_mismatch",
    "tps_missing",
)
TPS_KINDS: Final = ("tps_empty", "tps_overfull")  # counted per TPS; the others per voter row


class Finding(NamedTuple):
    """One import-time finding: a row of `dataset_finding` without its dataset id. Never a NIK:
    a file line, a place, a masked name."""

    line: int
    kind: str
    other_line: int | None
    kelurahan_code: str | None
    tps_number: int | None
    masked_name: str | None
    score: float | None = None
    other_masked_name: str | None = None  # a repeated NIK: the first row's name, masked
