"""The DPT data files (docs/contract.md, section 4): the columns `dpt synth` writes and `dpt import` reads."""

from __future__ import annotations

from typing import Final

VOTER_COLUMNS: Final = (
    "nik", "nkk", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "alamat",
    "rt", "rw", "kode_kelurahan", "tps", "disabilitas", "keterangan",
)  # fmt: skip
TPS_COLUMNS: Final = ("kode_kelurahan", "tps", "alamat", "lat", "lon", "jenis")
