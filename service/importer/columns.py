"""The DPT data files (docs/contract.md, section 4): the columns `dpt synth` writes and `dpt import`
reads, and the longest text each free-text column may hold."""

from __future__ import annotations

from typing import Final

VOTER_COLUMNS: Final = (
    "nik", "nkk", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat",
    "rt", "rw", "kode_kelurahan", "tps", "disabilitas", "keterangan",
)  # fmt: skip
TPS_COLUMNS: Final = ("kode_kelurahan", "tps", "alamat", "lat", "lon", "jenis")
# Optional tps.csv columns (accessibility, shown in answers): `ya`/`tidak` (also yes/no, 1/0,
# true/false, y/t/n; empty when unknown), and a free note. Files without them import as before.
TPS_OPTIONAL_COLUMNS: Final = ("akses_tanpa_tangga", "lantai_dasar", "catatan_akses")

# Characters after trimming (and, for the name, after collapsing spaces). Well above anything a
# real DPT holds (the longest synthetic values are a quarter of these), low enough that one row
# cannot bloat the table or the answers. The other columns have rules of their own (16 digits, a
# date, a code in the region table, a number). A longer field is rejected: `field_too_long`
# (`name_too_long` for the name), with the column named.
VOTER_MAX_LENGTHS: Final = {
    "nama": 200,
    "tempat_lahir": 100,
    "alamat": 300,
    "rt": 10,
    "rw": 10,
    "disabilitas": 100,
    "keterangan": 500,
}
TPS_MAX_LENGTHS: Final = {"alamat": 300, "catatan_akses": 200}
# A physical line longer than this is `line_too_long` whatever it holds: the columns' limits add
# up to about 1,300 characters, and reading never gathers more than MAX_LINE_BYTES of one line.
MAX_LINE_CHARS: Final = 16_000
MAX_LINE_BYTES: Final = 4 * MAX_LINE_CHARS + 1024  # any line cut to this is still over MAX_LINE_CHARS
