"""NIK parsing and validation: what a typed NIK must look like before anyone looks it up.

A NIK is PP KK CC DDMMYY SSSS: the kecamatan that first issued it, the birth date (women add 40
to the day) and a serial. Structure cannot prove a NIK exists; it can reject numbers that cannot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Literal

import msgspec

from service.errors import InvalidNik

Gender = Literal["L", "P"]

# Separators people type inside a NIK: spaces (any Unicode space), dots, dashes and slashes.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015/_]+")
_DIGITS = re.compile(r"[0-9]+")


class Nik(msgspec.Struct, frozen=True):
    digits: str
    kecamatan_code: str
    birth_date: dt.date
    gender: Gender
    serial: str


def normalise_nik(text: str) -> str:
    """Fold full-width digits to ASCII and drop separators: `1872 0154-0753.0001` -> 16 digits."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


_KECAMATAN: frozenset[str] = frozenset()


def kecamatan_prefixes() -> frozenset[str]:
    """The six-digit codes of every Kemendagri kecamatan (about 7,300), built on first use."""
    global _KECAMATAN  # noqa: PLW0603 - a lazily built constant
    if not _KECAMATAN:
        from lokal import wilayah  # noqa: PLC0415 - 0.2 s to import; the importer never needs it

        codes: set[str] = set()
        for provinsi in wilayah.list_wilayah():
            for kabkota in wilayah.list_wilayah(provinsi.code):
                codes.update(k.code.replace(".", "") for k in wilayah.list_wilayah(kabkota.code))
        _KECAMATAN = frozenset(codes)
    return _KECAMATAN


_ASCENDING = "0123456789" * 3
_DESCENDING = "9876543210" * 3


def _is_fake_pattern(digits: str) -> bool:
    """Repeated digits (2222222222222222), runs (1234567890123456) and short repeated blocks.

    Written with slices and substring tests because the importer calls it for every row.
    """
    first = digits[0]  # a period p needs digits[p] == digits[0]: compared before any slicing
    return (
        digits in _ASCENDING
        or digits in _DESCENDING
        or (digits[8] == first and digits[8:] == digits[:8])  # periods 1, 2, 4 and 8
        or (digits[3] == first and digits[3:] == digits[:-3])
        or (digits[5] == first and digits[5:] == digits[:-5])
        or (digits[6] == first and digits[6:] == digits[:-6])
    )


# DDMMYY (+40 for women) -> (birth date, gender), or None when not a date; about 73,000 possible
# keys, and an import asks the same few thousand again and again, so the answers are kept.
_BIRTH_PARTS: dict[tuple[str, int], tuple[dt.date, Gender] | None] = {}


def _birth_part(six: str, century_pivot: int) -> tuple[dt.date, Gender] | None:
    key = (six, century_pivot)
    if key in _BIRTH_PARTS:
        return _BIRTH_PARTS[key]
    day, month_year = divmod(int(six), 10_000)
    month, year2 = divmod(month_year, 100)
    gender: Gender = "P" if day > 40 else "L"
    if gender == "P":
        day -= 40
    year = 2000 + year2 if year2 <= century_pivot else 1900 + year2
    try:
        part: tuple[dt.date, Gender] | None = (dt.date(year, month, day), gender)
    except ValueError:
        part = None
    _BIRTH_PARTS[key] = part
    return part


def _error(code: str, message: str, message_en: str) -> InvalidNik:
    return InvalidNik(message, message_en, code=code, field="nik")


# Why 16 digits cannot be a NIK: problem -> (stable code, message, English message).
_PROBLEMS = {
    "pattern": (
        "nik_pattern",
        "NIK ini berpola angka berulang atau berurutan dan tidak mungkin sah.",
        "This NIK is a repeated or sequential pattern and cannot be real.",
    ),
    "region": (
        "nik_region",
        "Enam angka pertama NIK bukan kode kecamatan yang dikenal Kemendagri.",
        "The first six digits of the NIK are not a known Kemendagri kecamatan code.",
    ),
    "birth_date": (
        "nik_birth_date",
        "Tanggal lahir di NIK (angka ke-7 sampai ke-12) bukan tanggal yang sah.",
        "The birth date inside the NIK (digits 7 to 12) is not a real date.",
    ),
    "birth_future": (
        "nik_birth_date",
        "Tanggal lahir di NIK berada di masa depan.",
        "The birth date inside the NIK is in the future.",
    ),
    "serial": (
        "nik_serial",
        "Nomor urut NIK (empat angka terakhir) tidak boleh 0000.",
        "The serial number of a NIK (last four digits) cannot be 0000.",
    ),
}


def nik_problem(digits: str, today: dt.date, kecamatan: frozenset[str]) -> str | None:
    """Why 16 ASCII digits cannot be a NIK (its stable code: `nik_problem_code`), or None.

    `kecamatan` holds the six-digit kecamatan codes (`kecamatan_prefixes()`, or the importer's
    copy from the region table). The importer calls this for every row, so it builds nothing.
    """
    if _is_fake_pattern(digits):
        return "pattern"
    if digits[:6] not in kecamatan:
        return "region"
    birth = _birth_part(digits[6:12], today.year % 100)
    if birth is None:
        return "birth_date"
    if birth[0] > today:
        return "birth_future"
    if digits.endswith("0000"):
        return "serial"
    return None


def nik_problem_code(problem: str) -> str:
    return _PROBLEMS[problem][0]


def is_plain_nik(text: str) -> bool:
    """Sixteen ASCII digits and nothing else: what files and most callers send."""
    return len(text) == 16 and text.isdigit() and text.isascii()


def parse_nik(text: str, *, today: dt.date | None = None, kecamatan: frozenset[str] | None = None) -> Nik:
    """Validate a typed NIK and return its parts, or raise InvalidNik with a stable code."""
    # Only input other than 16 plain digits pays for normalisation.
    if is_plain_nik(text):
        digits = text
    else:
        digits = normalise_nik(text)
        if not digits:
            raise _error("nik_length", "NIK wajib diisi (16 angka).", "NIK is required (16 digits).")
        if not _DIGITS.fullmatch(digits) or not digits.isascii():
            raise _error("nik_not_digits", "NIK hanya boleh berisi angka.", "A NIK contains digits only.")
        if len(digits) != 16:
            raise _error(
                "nik_length",
                f"NIK harus 16 angka, yang diketik {len(digits)} angka.",
                f"A NIK has 16 digits; {len(digits)} were given.",
            )
    reference = today or dt.datetime.now(tz=dt.UTC).date()
    problem = nik_problem(digits, reference, kecamatan or kecamatan_prefixes())
    birth = _birth_part(digits[6:12], reference.year % 100)
    if problem is not None or birth is None:
        raise _error(*_PROBLEMS[problem or "birth_date"])
    return Nik(digits, f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}", *birth, digits[12:])


class NikHasher:
    """The keyed hash (HMAC-SHA256) that is the only form in which a NIK is ever stored.

    The key's inner and outer SHA-256 states are computed once (RFC 2104), so each hash costs
    two state copies instead of a fresh HMAC set-up: half the time of `hmac.digest`.
    """

    __slots__ = ("_inner", "_outer", "key")

    def __init__(self, key: str) -> None:
        self.key = key
        block = key.encode()
        if len(block) > 64:
            block = hashlib.sha256(block).digest()
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in block))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in block))

    def __call__(self, digits: str) -> bytes:
        inner = self._inner.copy()
        inner.update(digits.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()
