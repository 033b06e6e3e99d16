"""Polling stations: how many TPS each kelurahan gets, how many voters each serves, their `tps.csv` rows."""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from service.synth.neighbourhoods import Neighbourhood
from service.synth.places import MOSQUES, STREETS
from service.synth.regions import METRO, Kelurahan, Region

# 120,000 / 510 rounds to 235, the real TPS count of Kota Metro, so one rule serves every region.
VOTERS_PER_TPS: Final = 510
# Below this a dataset is a smoke test; a prison polling station would only add noise to it.
KHUSUS_MIN_VOTERS: Final = 1_000
KHUSUS_SHARE: Final = 1 / 400  # 300 inmates for the 120,000-voter default
METRO_LAPAS_KELURAHAN: Final = "18.72.03.1001"  # Mulyojati, Metro Barat


@dataclass(frozen=True, slots=True)
class KelurahanPlan:
    kelurahan: Kelurahan
    tps_sizes: tuple[int, ...]  # voters of TPS 1, 2, ... (regular stations)
    khusus_voters: int  # inmates voting at the prison station, numbered after the regular ones
    khusus_name: str


def plan_polling_stations(region: Region, voters: int, rng: random.Random) -> list[KelurahanPlan]:
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

    plans: list[KelurahanPlan] = []
    for kel, count, tps_count in zip(region.kelurahan, regular, stations, strict=True):
        plans.append(
            KelurahanPlan(
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


class TpsAddresser:
    """Addresses for the TPS of one region: yards, schools, mosques, halls, and the prison."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._schools: dict[str, int] = {}
        self._halls: set[str] = set()

    def address(self, kelurahan: Kelurahan, area: Neighbourhood) -> str:
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
            return f"Halaman Masjid {rng.choice(MOSQUES)}, {street}"
        if style < 0.44:
            return f"Gedung Serbaguna RW {area.rw}, {street}"
        if area.numbered:
            return f"{street} No. {rng.randint(1, 150)}, RT {area.rt}/RW {area.rw}"
        return street

    def prison_address(self, prison: str) -> str:
        street = self._rng.choice(STREETS)
        return f"{prison}, Jl. {street} No. {self._rng.randint(1, 60)}"


def tps_row(kel: Kelurahan, number: int, address: str, rng: random.Random, kind: str) -> tuple[str, ...]:
    # Within about 600 m of the kelurahan's centre, so every map pin lands in its own kelurahan.
    lat = kel.lat + rng.uniform(-0.005, 0.005)
    lon = kel.lon + rng.uniform(-0.005, 0.005)
    return (kel.code, str(number), address, f"{lat:.6f}", f"{lon:.6f}", kind)
