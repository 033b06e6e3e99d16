"""What a name search asks: the typed name, region and birth date checked, with stable codes."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import msgspec

from service.errors import InvalidInput
from service.names.normalise import folded_tokens, is_only_titles

MAX_NAME_LENGTH = 100


class SearchQuery(msgspec.Struct, frozen=True):
    name: str
    region: str
    birth_date: dt.date | None


def _not_in_names(ch: str) -> bool:
    """A control character (the whitespace ones aside: they are collapsed) or a lone surrogate."""
    category = unicodedata.category(ch)
    return category == "Cs" or (category == "Cc" and not ch.isspace())


def _invalid(code: str, field: str, message: str, message_en: str) -> InvalidInput:
    return InvalidInput(message, message_en, code=code, field=field)


def parse_search(name: str, region: str, birth_date: str | None, *, today: dt.date) -> SearchQuery:
    """Check what was typed; region existence is checked against the store by `NameSearch.region`."""
    if len(name) > MAX_NAME_LENGTH:
        raise _invalid(
            "name_too_long",
            "name",
            f"Nama terlalu panjang (maksimal {MAX_NAME_LENGTH} karakter).",
            f"The name is too long (at most {MAX_NAME_LENGTH} characters).",
        )
    if any(_not_in_names(ch) for ch in name):
        # Control characters (NUL among them) and lone surrogates are in no name, and PostgreSQL
        # cannot store them: refused here, never an error deeper down.
        raise _invalid(
            "name_invalid_characters",
            "name",
            "Nama berisi karakter yang tidak sah.",
            "The name holds characters that are in no name.",
        )
    name = " ".join(name.split())
    if not name:
        raise _invalid("name_missing", "name", "Nama wajib diisi.", "A name is required.")
    if any(ch.isdigit() for ch in name):
        # Names hold no digits; refusing them also keeps a NIK typed into the wrong field out of
        # the search path and the audit log.
        raise _invalid(
            "name_has_digits",
            "name",
            "Nama tidak boleh berisi angka. Untuk mencari dengan NIK, gunakan pencarian NIK.",
            "A name cannot contain digits. To search by NIK, use the NIK lookup.",
        )
    if is_only_titles(name) or not folded_tokens(name):
        raise _invalid(
            "name_only_titles",
            "name",
            "Nama hanya berisi gelar; ketik namanya.",
            "The name holds only titles; type the name itself.",
        )
    born = None
    if birth_date is not None:
        try:
            # fromisoformat alone would also take 20240101 and 2024-W01-1.
            born = dt.date.fromisoformat(birth_date) if _DATE.fullmatch(birth_date) else None
        except ValueError:
            born = None
        if born is None:
            raise _invalid(
                "birth_date_invalid",
                "birth_date",
                "Tanggal lahir harus berformat TTTT-BB-HH.",
                "The birth date must be YYYY-MM-DD.",
            )
        if born > today:
            raise _invalid(
                "birth_date_future",
                "birth_date",
                "Tanggal lahir tidak boleh di masa depan.",
                "The birth date cannot be in the future.",
            )
    code = region
    if _DIGITS_ONLY.fullmatch(code):
        code = ".".join(part for part in (code[0:2], code[2:4], code[4:6], code[6:10]) if part)
    if not _REGION.fullmatch(code):
        raise _invalid(
            "region_invalid",
            "region",
            "Kode wilayah tidak sah (contoh: 18.72 atau 18.72.01.1001).",
            "The region code is not valid (for example 18.72 or 18.72.01.1001).",
        )
    if code.count(".") == 0:
        raise _invalid(
            "region_too_broad",
            "region",
            "Pilih kabupaten/kota, kecamatan atau kelurahan, bukan provinsi.",
            "Choose a kab/kota, kecamatan or kelurahan, not a whole province.",
        )
    return SearchQuery(name=name, region=code, birth_date=born)


# What a search's region may be: a kab/kota, kecamatan or kelurahan, dotted or as bare digits (a
# province alone is refused as too broad: region_too_broad, not region_invalid).
REGION_PATTERN = r"^(?:[0-9]{2}\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?|[0-9]{4}|[0-9]{6}|[0-9]{10})$"
_REGION = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")
_DIGITS_ONLY = re.compile(r"[0-9]{4}|[0-9]{6}|[0-9]{10}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
