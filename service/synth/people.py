"""People: voters made from a family and a home, with NIK and KK numbers, birth dates and birthplaces."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import cache
from typing import Final

from lokal import wilayah

from service.synth.choices import Weighted
from service.synth.election import DEMO_POLLING_DATE, MIN_AGE
from service.synth.families import MAX_AGE, Family, family_members, new_family
from service.synth.names import NAME_MAKERS, with_titles
from service.synth.neighbourhoods import Neighbourhood
from service.synth.places import ELSEWHERE_KABKOTA, LAMPUNG_PLACES, ORIGINS
from service.synth.regions import Kelurahan, Region

_INMATE_AGE: Final = Weighted((age, 1.0 if age < 40 else 0.5) for age in range(18, 66))
_HOUSEHOLD_SIZE: Final = Weighted(((1, 0.2), (2, 0.4), (3, 0.2), (4, 0.12), (5, 0.05), (6, 0.03)))

# (earliest ordinal, number of days) of the birth dates that make someone exactly `age` on polling day.
_BIRTH_WINDOWS: Final = {
    age: (
        DEMO_POLLING_DATE.replace(year=DEMO_POLLING_DATE.year - age - 1).toordinal() + 1,
        DEMO_POLLING_DATE.replace(year=DEMO_POLLING_DATE.year - age).toordinal()
        - DEMO_POLLING_DATE.replace(year=DEMO_POLLING_DATE.year - age - 1).toordinal(),
    )
    for age in range(MIN_AGE, MAX_AGE + 1)
}
# Civil registries gave 1 July or 31 December to people whose birthday nobody wrote down.
_UNKNOWN_BIRTHDAYS: Final = ((7, 1), (12, 31))

# KPU disability codes: 1 fisik, 2 intelektual, 3 mental, 4 sensorik wicara, 5 rungu, 6 netra.
_DISABILITY: Final = Weighted((("1", 0.4), ("2", 0.08), ("3", 0.1), ("4", 0.1), ("5", 0.14), ("6", 0.18)))
# Free-text remarks a KPPS might leave; the importer must accept anything here.
_REMARKS: Final = Weighted(
    (("", 0.955), ("PINDAH MASUK", 0.02), ("PERBAIKAN DATA", 0.015), ("BELUM REKAM KTP-EL", 0.01))
)


class _SerialIssuer:
    """The last four digits of a NIK or KK number: 0001 upward within each 12-digit stem."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def issue(self, stem: str) -> str | None:
        serial = self._last.get(stem, 0) + 1
        if serial > 9999:
            return None
        self._last[stem] = serial
        return f"{stem}{serial:04d}"


def _date_digits(day: int, month: int, year: int) -> str:
    return f"{day:02d}{month:02d}{year % 100:02d}"


@dataclass(frozen=True, slots=True)
class _Home:
    """What the members of one KK share on their DPT rows."""

    kecamatan: str  # six digits, where the KK was issued
    nkk: str
    alamat: str
    rt: str
    rw: str
    kelurahan_code: str
    tps: str


class People:
    """Makes voters: households with a KK number, NIKs, names, birthplaces."""

    def __init__(self, region: Region, rng: random.Random) -> None:
        self._rng = rng
        self._nik = _SerialIssuer()
        self._nkk = _SerialIssuer()
        prefixes = [code.replace(".", "") for code in region.kecamatan_codes]
        self._others = {
            prefix: tuple(other for other in prefixes if other != prefix) or (prefix,) for prefix in prefixes
        }
        self._elsewhere = _elsewhere_prefixes(region.code)
        self._local_place = region.short_name.upper()
        self._nearby = (
            tuple(p for p in LAMPUNG_PLACES if p != self._local_place)
            if region.code.startswith("18.")
            else ()
        )
        self._first_kk_day = dt.date(2005, 1, 1).toordinal()
        self._kk_days = dt.date(2024, 6, 30).toordinal() - self._first_kk_day

    def household_size(self) -> int:
        return _HOUSEHOLD_SIZE.pick(self._rng)

    def household(self, kel: Kelurahan, area: Neighbourhood, tps: str, size: int) -> list[tuple[str, ...]]:
        rng = self._rng
        kecamatan = kel.kecamatan_code.replace(".", "")
        street = rng.choice(area.streets)
        home = _Home(
            kecamatan=kecamatan,
            nkk=self._kk_number(kecamatan),
            alamat=f"{street} No. {rng.randint(1, 180)}".upper() if area.numbered else street.upper(),
            rt=area.rt,
            rw=area.rw,
            kelurahan_code=kel.code,
            tps=tps,
        )
        family = new_family(rng)
        return [
            self._voter(family, home, role, female, age) for role, female, age in family_members(rng, size)
        ]

    def inmate(self, kel: Kelurahan, tps: str, prison: str) -> tuple[str, ...]:
        rng = self._rng
        kecamatan = kel.kecamatan_code.replace(".", "")
        # Inmates keep the KK of the family they came from, often from outside the city.
        origin = rng.choice(self._elsewhere) if rng.random() < 0.4 else kecamatan
        # RT/RW 000: the prison is no neighbourhood; KPU lists lokasi khusus voters this way.
        home = _Home(kecamatan, self._kk_number(origin), prison, "000", "000", kel.code, tps)
        return self._voter(new_family(rng), home, "head", rng.random() < 0.07, _INMATE_AGE.pick(rng))

    def _kk_number(self, region6: str) -> str:
        rng = self._rng
        while True:
            issued = dt.date.fromordinal(self._first_kk_day + int(rng.random() * self._kk_days))
            number = self._nkk.issue(region6 + _date_digits(issued.day, issued.month, issued.year))
            if number is not None:
                return number

    def _voter(self, family: Family, home: _Home, role: str, female: bool, age: int) -> tuple[str, ...]:
        rng = self._rng
        start, days = _BIRTH_WINDOWS[age]
        born = dt.date.fromordinal(start + int(rng.random() * days))
        if 50 <= age <= 90 and rng.random() < 0.04:
            month, day = _UNKNOWN_BIRTHDAYS[rng.random() < 0.5]
            born = dt.date(born.year, month, day)
        nik, born = self._issue_nik(home.kecamatan, born, female)
        name = NAME_MAKERS[family.group](rng, female, born.year, family, role)
        name = with_titles(rng, name, female, age, family.muslim)
        disability = ""
        if rng.random() < (0.045 if age >= 70 else 0.012):
            disability = _DISABILITY.pick(rng)
        return (
            nik,
            home.nkk,
            name,
            self._birthplace(family, born.year),
            f"{born.day:02d}-{born.month:02d}-{born.year}",
            "P" if female else "L",
            home.alamat,
            home.rt,
            home.rw,
            home.kelurahan_code,
            home.tps,
            disability,
            _REMARKS.pick(rng),
        )

    def _issue_nik(self, home: str, born: dt.date, female: bool) -> tuple[str, dt.date]:
        while True:
            day = born.day + 40 if female else born.day  # the NIK marks women by adding 40
            nik = self._nik.issue(self._nik_region(home) + _date_digits(day, born.month, born.year))
            if nik is not None:
                return nik, born
            born -= dt.timedelta(days=1)  # only when 9,999 people share region, birth date and sex

    def _nik_region(self, home: str) -> str:
        draw = self._rng.random()
        if draw < 0.8:
            return home
        if draw < 0.95:  # first registered in another kecamatan of the same city, then moved
            return self._rng.choice(self._others[home])
        return self._rng.choice(self._elsewhere)

    def _birthplace(self, family: Family, birth_year: int) -> str:
        rng = self._rng
        local_share = 0.88 if birth_year >= 1990 else 0.68 if birth_year >= 1970 else 0.35
        if rng.random() < local_share:
            if self._nearby and rng.random() < 0.25:
                return rng.choice(self._nearby)
            return self._local_place
        return rng.choice(ORIGINS[family.group])


@cache
def _elsewhere_prefixes(own_kabkota: str) -> tuple[str, ...]:
    """Kecamatan codes of other Lampung and Javanese kab/kota, for voters whose NIK came with them."""
    prefixes = [
        kec.code.replace(".", "")
        for code in ELSEWHERE_KABKOTA
        if code != own_kabkota
        for kec in wilayah.list_wilayah(code)
    ]
    return tuple(prefixes) or tuple(kec.code.replace(".", "") for kec in wilayah.list_wilayah(own_kabkota))
