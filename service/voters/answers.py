"""A voter as every answer shows them: TPS with its map link (a web map and a `geo:` URI for the
phone's own map app), its time zone and accessibility, the four region levels, the name masked for
the public."""

from __future__ import annotations

import asyncpg

from service.names.masking import mask_name
from service.schemas import RegionRef, Tps, Voter, VoterRegion
from service.voters.election import time_zone


def map_url(lat: float | None, lon: float | None) -> str | None:
    if lat is None or lon is None:
        return None
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"


def geo_uri(lat: float | None, lon: float | None) -> str | None:
    """RFC 5870 `geo:` URI: Android and iOS open it in the phone's own map app."""
    if lat is None or lon is None:
        return None
    return f"geo:{lat:.6f},{lon:.6f}"


def voter_from_record(record: asyncpg.Record, *, masked: bool) -> Voter:
    """A row of the `voters-by-nik-hashes` query as the wire's VOTER."""
    return Voter(
        id=format(record["id"], "016x"),
        name=mask_name(record["name"]) if masked else record["name"],
        gender=record["gender"],
        tps=Tps(
            number=record["tps_number"],
            label=f"TPS {record['tps_number']:03d}",
            address=record["tps_address"],
            lat=record["lat"],
            lon=record["lon"],
            kind=record["tps_kind"],
            map_url=map_url(record["lat"], record["lon"]),
            geo_uri=geo_uri(record["lat"], record["lon"]),
            time_zone=time_zone(record["kelurahan_code"]),
            # Queries that do not read them (name search) leave them out.
            step_free=record.get("step_free"),
            ground_floor=record.get("ground_floor"),
            access_note=record.get("access_note"),
        ),
        region=VoterRegion(
            provinsi=RegionRef(code=record["provinsi_code"], name=record["provinsi_name"]),
            kabkota=RegionRef(code=record["kabkota_code"], name=record["kabkota_name"]),
            kecamatan=RegionRef(code=record["kecamatan_code"], name=record["kecamatan_name"]),
            kelurahan=RegionRef(code=record["kelurahan_code"], name=record["kelurahan_name"]),
        ),
    )
