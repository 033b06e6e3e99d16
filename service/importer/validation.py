"""Row validation: each tps.csv or dpt.csv row accepted as a record or rejected with a stable reason."""

from __future__ import annotations

import datetime as dt
import secrets
from random import Random
from typing import Any, NamedTuple

from service.errors import InvalidNik
from service.importer.columns import TPS_MAX_LENGTHS, VOTER_MAX_LENGTHS
from service.importer.rejects import RowRejected
from service.names.masking import mask_name
from service.names.normalise import NameStore
from service.nik.parse import NikHasher, is_plain_nik, nik_problem, nik_problem_code, parse_nik
from service.quality.findings import Finding

MAX_NAME_LENGTH = VOTER_MAX_LENGTHS["nama"]
_GENDERS = {"L": "L", "P": "P", "LAKI-LAKI": "L", "PEREMPUAN": "P"}
_TPS_KINDS = {"reguler", "khusus"}
# The stored free-text columns after the name, in the order VoterValidator.record holds them.
_TEXT_COLUMNS = ("tempat_lahir", "alamat", "rt", "rw", "disabilitas", "keterangan")
_BIRTH_PLACE, _ADDRESS, _RT, _RW, _DISABILITY, _NOTE = (VOTER_MAX_LENGTHS[name] for name in _TEXT_COLUMNS)
_TPS_ADDRESS = TPS_MAX_LENGTHS["alamat"]


def kk_hasher(nik_key: str) -> NikHasher:
    """The keyed hash of a KK number (16 digits): HMAC-SHA256 under a key derived from
    DPT_NIK_KEY, so the same digits never hash alike as a KK and as a NIK."""
    return NikHasher("dpt-kk:" + nik_key)


def masked_nik(digits: str) -> str:
    """A NIK as KPU prints it on published lists: the issuing kecamatan and ten asterisks."""
    return digits[:6] + "*" * 10


_TPS_NOTE = TPS_MAX_LENGTHS["catatan_akses"]


def kelurahan_code(raw: str) -> str:
    """`18.72.01.1001` or the ten digits `1872011001` -> the dotted code."""
    text = raw.strip()
    if len(text) == 10 and text.isdigit():
        return f"{text[0:2]}.{text[2:4]}.{text[4:6]}.{text[6:10]}"
    return text


def parse_birth_date(raw: str) -> str:
    """`DD-MM-YYYY` (the DPT's own form) or ISO `YYYY-MM-DD` -> ISO text; ValueError if not a date."""
    if len(raw) == 10 and raw[2] == "-" and raw[5] == "-" and raw.isascii():
        day, month, year = raw[:2], raw[3:5], raw[6:]
        if day.isdigit() and month.isdigit() and year.isdigit():
            dt.date(int(year), int(month), int(day))  # raises ValueError for 31-02-1990
            return f"{year}-{month}-{day}"
    parts = raw.strip().replace("/", "-").split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ValueError(raw)
    year, month, day = (
        (parts[0], parts[1], parts[2]) if len(parts[0]) == 4 else (parts[2], parts[1], parts[0])
    )
    return dt.date(int(year), int(month), int(day)).isoformat()


_YES = frozenset({"ya", "y", "yes", "1", "true", "benar"})
_NO = frozenset({"tidak", "t", "no", "n", "0", "false", "salah"})


def _yes_no(raw: str, column: str) -> bool | None:
    text = raw.strip().lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise RowRejected("tps_access_invalid", column)


class TpsValidator:
    """Turns tps.csv rows into TPS records (without their dataset id), or raises RowRejected.

    `optional` names the optional accessibility columns the file has (TPS_OPTIONAL_COLUMNS, in
    that order), which follow the required fields of each row."""

    def __init__(self, known_kelurahan: frozenset[str], optional: tuple[str, ...] = ()):
        self.known_kelurahan = known_kelurahan
        self.optional = optional
        self.seen: dict[tuple[str, int], int] = {}  # (kelurahan, number) -> the line it is on
        self.records: list[tuple[Any, ...]] = []

    def _access(self, fields: list[str]) -> tuple[bool | None, bool | None, str | None]:
        given = dict(zip(self.optional, fields, strict=True))
        note = given.get("catatan_akses", "").strip()
        if len(note) > _TPS_NOTE:
            raise RowRejected("field_too_long", "catatan_akses", _TPS_NOTE)
        return (
            _yes_no(given.get("akses_tanpa_tangga", ""), "akses_tanpa_tangga"),
            _yes_no(given.get("lantai_dasar", ""), "lantai_dasar"),
            note or None,
        )

    def add(self, line: int, fields: list[str]) -> None:
        raw_code, raw_number, address, raw_lat, raw_lon, raw_kind = fields[:6]
        code = kelurahan_code(raw_code)
        if code not in self.known_kelurahan:
            raise RowRejected("kelurahan_unknown", "kode_kelurahan")
        number = _tps_number(raw_number)
        first = self.seen.get((code, number))
        if first is not None:
            raise RowRejected("tps_duplicate", "tps", first)
        kind = raw_kind.strip().lower() or "reguler"
        if kind not in _TPS_KINDS:
            raise RowRejected("tps_kind_invalid", "jenis")
        lat, lon = _coordinate(raw_lat, -11.5, 6.5, "lat"), _coordinate(raw_lon, 94.5, 141.5, "lon")
        address = address.strip()
        if not address:
            raise RowRejected("tps_address_missing", "alamat")
        if len(address) > _TPS_ADDRESS:
            raise RowRejected("field_too_long", "alamat", _TPS_ADDRESS)
        access = self._access(fields[6:])
        self.seen[code, number] = line
        self.records.append((code, number, address, lat, lon, kind, *access, line))


def _tps_number(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or not 0 < int(text) < 10_000:
        raise RowRejected("tps_invalid", "tps")
    return int(text)


def _coordinate(raw: str, low: float, high: float, column: str) -> float | None:
    text = raw.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowRejected("coordinate_invalid", column) from None
    if not low <= value <= high:  # also NaN and infinities
        raise RowRejected("coordinate_invalid", column)
    return value


def _too_long(texts: tuple[str, ...]) -> RowRejected:
    """The rejection of the first of the free-text columns (in _TEXT_COLUMNS order) over its limit."""
    for text, column in zip(texts, _TEXT_COLUMNS, strict=True):
        limit = VOTER_MAX_LENGTHS[column]
        if len(text) > limit:
            return RowRejected("field_too_long", column, limit)
    raise AssertionError("no column is too long")


_WOMEN_ADD = 40  # a woman's NIK carries her birth day plus 40


class ParseContext(NamedTuple):
    """What every parsing process needs, sent once when it starts."""

    dataset_id_text: str
    nik_key: str
    known_kelurahan: frozenset[str]
    kecamatan: frozenset[str]  # six-digit codes, for a NIK's region
    tps: frozenset[tuple[str, int]]
    today: dt.date
    today_iso: str
    columns: tuple[int, ...]  # positions of VOTER_COLUMNS in the file's header


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_PLACE_CACHE_LIMIT = 50_000  # keeps a worker's memory flat even for a national file
_OLDEST_BIRTH_DATE = "1900-01-01"  # ISO text compares like the date it spells


class VoterValidator:
    """Turns one dpt.csv row into a voter record, or raises RowRejected with a stable reason."""

    def __init__(self, context: ParseContext):
        self.context = context
        self.hasher = NikHasher(context.nik_key)
        self.kk_hasher = kk_hasher(context.nik_key)
        # Voter ids are random so that they reveal nothing, not even the row order.
        self.ids = Random(secrets.randbits(128))
        # A DPT repeats the same few thousand birth dates and (kelurahan, TPS) pairs: validate
        # each distinct value once.
        self.birth_dates: dict[str, str] = {}
        self.places: dict[tuple[str, str], tuple[str, str, NameStore]] = {}
        # How many voters carry each folded word: rare words weigh more in name search.
        # (Each voter's distinct words are collected per chunk and counted at its end, in C.)
        self.word_sets: list[frozenset[str]] = []
        # And each word as written: a typed word that voters carry as typed is a name, not a slip.
        self.spelling_sets: list[frozenset[str]] = []
        self.name_stores: dict[str, NameStore] = {}  # per kab/kota: its keys carry its code
        # What the data-quality report needs from rows as only the import sees them (the NIK is
        # never stored): collected per chunk, like word_sets (service/quality/).
        self.findings: list[Finding] = []

    def _typed_nik(self, nik: str) -> str:
        """A NIK written with separators or full-width digits: its 16 digits, or rejected."""
        try:
            return parse_nik(nik, today=self.context.today, kecamatan=self.context.kecamatan).digits
        except InvalidNik as error:
            raise RowRejected(error.code, "nik") from None

    def _birth_date(self, raw: str) -> str:
        try:
            born = parse_birth_date(raw)
        except ValueError:
            raise RowRejected("birth_date_invalid", "tanggal_lahir") from None
        if not _OLDEST_BIRTH_DATE <= born <= self.context.today_iso:
            raise RowRejected("birth_date_invalid", "tanggal_lahir")
        if len(self.birth_dates) >= _PLACE_CACHE_LIMIT:
            self.birth_dates.clear()
        self.birth_dates[raw] = born
        return born

    def _place(self, raw_kelurahan: str, raw_tps: str) -> tuple[str, str, NameStore]:
        """(kelurahan code, TPS number, the search fields of its kab/kota) of a row's place."""
        code = kelurahan_code(raw_kelurahan)
        if code not in self.context.known_kelurahan:
            raise RowRejected("kelurahan_unknown", "kode_kelurahan")
        number = _tps_number(raw_tps)
        if (code, number) not in self.context.tps:
            raise RowRejected("tps_unknown", "tps")
        if len(self.places) >= _PLACE_CACHE_LIMIT:
            self.places.clear()
        kabkota = code[:5]
        names = self.name_stores.get(kabkota) or self.name_stores.setdefault(
            kabkota, NameStore(kabkota.replace(".", ""))
        )
        place = self.places[raw_kelurahan, raw_tps] = (code, str(number), names)
        return place

    def _place_of(self, row: int, raw_kelurahan: str, raw_tps: str, name: str) -> tuple[str, str, NameStore]:
        """_place, and a voter pointing at a TPS that tps.csv lacks noted for the report."""
        try:
            return self._place(raw_kelurahan, raw_tps)
        except RowRejected as rejected:
            if rejected.reason == "tps_unknown":
                self._found(row, "tps_missing", kelurahan_code(raw_kelurahan), raw_tps, name)
            raise

    def _check_nik_facts(
        self, row: int, digits: str, born: str, sex: str, where: tuple[str, str, str]
    ) -> None:
        """The NIK's own birth date (women: day + 40) and so its gender, against the columns."""
        nik_day = int(digits[6:8])
        if (nik_day > _WOMEN_ADD) != (sex == "P"):
            self._found(row, "nik_gender_mismatch", *where)
        if (nik_day % _WOMEN_ADD, digits[8:10], digits[10:12]) != (int(born[8:10]), born[5:7], born[2:4]):
            self._found(row, "nik_birth_date_mismatch", *where)

    def _found(self, row: int, kind: str, code: str, number: str, name: str) -> None:
        self.findings.append(Finding(row, kind, None, code, int(number), mask_name(name)))

    def record(self, row: int, fields: list[str], *, escape: bool = True) -> str:
        """The row as one line of COPY text (without its line end); `escape=False` when the chunk
        has nothing to escape."""
        (nik, nkk, name, birth_place, birth_date, gender, address, rt, rw,
         raw_kelurahan, raw_tps, disability, note) = fields  # fmt: skip
        context = self.context
        if is_plain_nik(nik):
            problem = nik_problem(nik, context.today, context.kecamatan)
            if problem is not None:
                raise RowRejected(nik_problem_code(problem), "nik")
            digits = nik
        else:
            digits = self._typed_nik(nik)
        # The KK number is stored only as its keyed hash (the help desk's family check).
        nkk = nkk.strip()
        if nkk and not (len(nkk) == 16 and nkk.isdigit()):
            raise RowRejected("nkk_invalid", "nkk")
        name = " ".join(name.split())
        if not name:
            raise RowRejected("name_missing", "nama")
        if len(name) > MAX_NAME_LENGTH:
            raise RowRejected("name_too_long", "nama", MAX_NAME_LENGTH)
        born = self.birth_dates.get(birth_date)
        if born is None:
            born = self._birth_date(birth_date)
        sex = _GENDERS.get(gender.strip().upper())
        if sex is None:
            raise RowRejected("gender_invalid", "jenis_kelamin")
        place = self.places.get((raw_kelurahan, raw_tps))
        if place is None:
            place = self._place_of(row, raw_kelurahan, raw_tps, name)
        code, number, names = place
        self._check_nik_facts(row, digits, born, sex, (code, number, name))
        birth_place, address, rt, rw = birth_place.strip(), address.strip(), rt.strip(), rw.strip()
        disability, note = disability.strip(), note.strip()
        if (
            len(birth_place) > _BIRTH_PLACE or len(address) > _ADDRESS or len(rt) > _RT
            or len(rw) > _RW or len(disability) > _DISABILITY or len(note) > _NOTE
        ):  # fmt: skip
            raise _too_long((birth_place, address, rt, rw, disability, note))
        if escape:  # only for chunks that contain a backslash or a tab at all
            name, birth_place, address, rt, rw, disability, note = (
                text.translate(_COPY_ESCAPES)
                for text in (name, birth_place, address, rt, rw, disability, note)
            )
        # Search keys are letters only (service/names/normalise.py): nothing in them to escape.
        name_key, keys, words, spellings = names(name)
        self.word_sets.append(words)
        self.spelling_sets.append(spellings)
        # One line of COPY's text format: bytea as \\x-hex (the backslash doubled), \N for NULL.
        return "\t".join((
            context.dataset_id_text, str(self.ids.getrandbits(63)), str(row),
            "\\\\x" + self.hasher(digits).hex(),
            name, birth_place or "\\N", born, sex, address or "\\N", rt or "\\N", rw or "\\N",
            code, number, disability or "\\N", note or "\\N", name_key, keys,
            "\\\\x" + self.kk_hasher(nkk).hex() if nkk else "\\N", masked_nik(digits),
        ))  # fmt: skip
