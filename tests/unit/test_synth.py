"""The synthetic DPT generator: determinism, Kota Metro's real structure, valid NIKs and KK numbers."""

from __future__ import annotations

import csv
import datetime as dt
import math
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lokal import wilayah
from lokal.nik import parse_nik

from service.synth import DPT_COLUMNS, TPS_COLUMNS, SynthSummary, write_synthetic_dpt

POLLING_DATE = dt.date(2024, 11, 27)
METRO_CENTRE = (-5.1131, 105.3067)
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Dataset:
    summary: SynthSummary
    voters: list[dict[str, str]]
    tps: list[dict[str, str]]


def _read(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == columns
        return list(reader)


def _generate(out_dir: Path, *, kabkota: str = "18.72", voters: int = 120_000, seed: int = 2024) -> Dataset:
    summary = write_synthetic_dpt(out_dir, kabkota=kabkota, voters=voters, seed=seed)
    return Dataset(summary, _read(summary.dpt_path, DPT_COLUMNS), _read(summary.tps_path, TPS_COLUMNS))


def _villages(kabkota: str) -> set[str]:
    return {
        village.code
        for kecamatan in wilayah.list_wilayah(kabkota)
        for village in wilayah.list_wilayah(kecamatan.code)
    }


def _dotted_kecamatan(digits: str) -> str:
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"


def _age_on_polling_day(born: dt.date) -> int:
    return POLLING_DATE.year - born.year - ((POLLING_DATE.month, POLLING_DATE.day) < (born.month, born.day))


@pytest.fixture(scope="module")
def metro(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """The default dataset, built once: Kota Metro, 120,000 voters, seed 2024."""
    return _generate(tmp_path_factory.mktemp("metro"))


@pytest.fixture(scope="module")
def bandar_lampung(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return _generate(tmp_path_factory.mktemp("bandar-lampung"), kabkota="18.71", voters=5_000, seed=7)


# --- Determinism ----------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first = write_synthetic_dpt(tmp_path / "a", voters=3_000, seed=11)
    second = write_synthetic_dpt(tmp_path / "b", voters=3_000, seed=11)
    assert first.dpt_path.read_bytes() == second.dpt_path.read_bytes()
    assert first.tps_path.read_bytes() == second.tps_path.read_bytes()


def test_different_seed_gives_different_people(tmp_path: Path) -> None:
    first = write_synthetic_dpt(tmp_path / "a", voters=3_000, seed=11)
    second = write_synthetic_dpt(tmp_path / "b", voters=3_000, seed=12)
    assert first.dpt_path.read_bytes() != second.dpt_path.read_bytes()


def test_a_kelurahan_stays_in_place_across_seeds(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", voters=3_000, seed=11)
    second = _generate(tmp_path / "b", voters=3_000, seed=12)

    def centres(data: Dataset) -> dict[str, tuple[float, float]]:
        points: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for row in data.tps:
            points[row["kode_kelurahan"]].append((float(row["lat"]), float(row["lon"])))
        return {code: points[code][0] for code in points}

    for code, (lat, lon) in centres(first).items():
        other_lat, other_lon = centres(second)[code]
        assert abs(lat - other_lat) < 0.011 and abs(lon - other_lon) < 0.011


# --- Kota Metro, the default ----------------------------------------------------------------------


def test_metro_has_235_tps_with_one_khusus_in_the_prison(metro: Dataset) -> None:
    assert len(metro.tps) == 235
    khusus = [row for row in metro.tps if row["jenis"] == "khusus"]
    assert len(khusus) == 1
    assert khusus[0]["alamat"].startswith("Lapas Kelas II A Metro, Jl. ")
    assert khusus[0]["kode_kelurahan"].startswith("18.72.03.")  # Metro Barat
    assert {row["jenis"] for row in metro.tps} == {"reguler", "khusus"}


def test_metro_summary_matches_files(metro: Dataset) -> None:
    summary = metro.summary
    assert (summary.kabkota, summary.kabkota_name) == ("18.72", "Kota Metro")
    assert summary.voters == len(metro.voters) == 120_000
    assert (summary.tps, summary.tps_khusus, summary.kecamatan, summary.kelurahan) == (235, 1, 5, 22)
    assert summary.dpt_path.name == "dpt.csv" and summary.tps_path.name == "tps.csv"
    assert not list(summary.dpt_path.parent.glob(".*partial"))


def test_metro_covers_its_22_real_kelurahan_in_5_kecamatan(metro: Dataset) -> None:
    real = _villages("18.72")
    assert len(real) == 22
    assert {row["kode_kelurahan"] for row in metro.voters} == real
    assert {row["kode_kelurahan"] for row in metro.tps} == real
    assert {code.rsplit(".", 1)[0] for code in real} == {f"18.72.0{n}" for n in range(1, 6)}


def test_metro_kelurahan_sizes_are_uneven_and_tps_near_500(metro: Dataset) -> None:
    per_kelurahan = Counter(row["kode_kelurahan"] for row in metro.voters)
    assert all(3_000 <= count <= 8_000 for count in per_kelurahan.values())
    assert max(per_kelurahan.values()) > 1.4 * min(per_kelurahan.values())
    kinds = {(row["kode_kelurahan"], row["tps"]): row["jenis"] for row in metro.tps}
    per_tps = Counter((row["kode_kelurahan"], row["tps"]) for row in metro.voters)
    regular = [count for key, count in per_tps.items() if kinds[key] == "reguler"]
    assert all(400 <= count <= 600 for count in regular)
    assert 100 <= next(count for key, count in per_tps.items() if kinds[key] == "khusus") <= 600


def test_every_voter_has_a_tps_and_every_tps_has_voters(metro: Dataset) -> None:
    stations = {(row["kode_kelurahan"], int(row["tps"])) for row in metro.tps}
    assert len(stations) == len(metro.tps)
    used = {(row["kode_kelurahan"], int(row["tps"])) for row in metro.voters}
    assert used == stations
    numbers: dict[str, list[int]] = defaultdict(list)
    for code, number in stations:
        numbers[code].append(number)
    for code, taken in numbers.items():
        assert sorted(taken) == list(range(1, len(taken) + 1)), code


def test_tps_rows_look_real(metro: Dataset) -> None:
    for row in metro.tps:
        for field in ("lat", "lon"):
            whole, _, decimals = row[field].partition(".")
            assert len(decimals) == 6 and whole.lstrip("-").isdigit()
        distance = math.dist(
            (float(row["lat"]) * KM_PER_DEGREE, float(row["lon"]) * KM_PER_DEGREE),
            (METRO_CENTRE[0] * KM_PER_DEGREE, METRO_CENTRE[1] * KM_PER_DEGREE),
        )
        assert distance < 4.5, row
        assert row["alamat"] and row["alamat"] != row["alamat"].upper()
    assert len({row["alamat"] for row in metro.tps}) > 200


# --- NIK and KK numbers ---------------------------------------------------------------------------


def test_niks_are_unique_well_formed_and_agree_with_the_row(metro: Dataset) -> None:
    kecamatan_names: dict[str, str | None] = {}
    niks = set()
    for row in metro.voters:
        nik = row["nik"]
        assert len(nik) == 16 and nik.isdigit(), nik
        assert len(set(nik)) > 1 and nik[12:] != "0000"
        niks.add(nik)
        prefix = nik[:6]
        if prefix not in kecamatan_names:
            kecamatan_names[prefix] = wilayah.wilayah_name(_dotted_kecamatan(prefix))
        assert kecamatan_names[prefix], nik
        day, month, year = (int(part) for part in row["tanggal_lahir"].split("-"))
        female = row["jenis_kelamin"] == "P"
        assert int(nik[6:8]) == day + (40 if female else 0)
        assert (int(nik[8:10]), int(nik[10:12])) == (month, year % 100)
    assert len(niks) == len(metro.voters)


def test_lokal_reads_every_nik_as_the_row_says(metro: Dataset) -> None:
    for row in metro.voters:
        info = parse_nik(row["nik"], lookup_wilayah=wilayah.wilayah_name)
        assert info.valid, (row["nik"], info.errors)
        assert info.gender == row["jenis_kelamin"]
        day, month, year = row["tanggal_lahir"].split("-")
        assert info.birth_date == f"{year}-{month}-{day}"


def test_nik_regions_mostly_home_some_elsewhere(metro: Dataset) -> None:
    home = sum(1 for row in metro.voters if row["nik"][:6] == row["kode_kelurahan"].replace(".", "")[:6])
    same_city = sum(1 for row in metro.voters if row["nik"][:4] == "1872")
    total = len(metro.voters)
    assert 0.75 < home / total < 0.85
    assert 0.12 < (same_city - home) / total < 0.18
    assert 0.03 < (total - same_city) / total < 0.07


def test_voters_are_adults_with_a_realistic_age_spread(metro: Dataset) -> None:
    ages = [
        _age_on_polling_day(dt.datetime.strptime(row["tanggal_lahir"], "%d-%m-%Y").date())
        for row in metro.voters
    ]
    assert min(ages) >= 17 and max(ages) <= 96
    young = sum(1 for age in ages if age < 40)
    old = sum(1 for age in ages if age >= 70)
    assert young > 0.4 * len(ages) and old < 0.1 * len(ages)
    assert 0.45 < sum(1 for row in metro.voters if row["jenis_kelamin"] == "P") / len(ages) < 0.55


def test_households_share_kk_address_and_tps(metro: Dataset) -> None:
    households: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in metro.voters:
        households[row["nkk"]].append(row)
    sizes = Counter(len(members) for members in households.values())
    assert set(sizes) <= set(range(1, 7)) and sizes[2] > sizes[1]
    for nkk, members in households.items():
        assert len(nkk) == 16 and nkk.isdigit() and nkk[12:] != "0000"
        assert wilayah.wilayah_name(_dotted_kecamatan(nkk[:6])), nkk
        shared = {(m["alamat"], m["rt"], m["rw"], m["kode_kelurahan"], m["tps"]) for m in members}
        assert len(shared) == 1, nkk
    for row in metro.voters:
        assert len(row["rt"]) == 3 and row["rt"].isdigit() and len(row["rw"]) == 3 and row["rw"].isdigit()


# --- Names and other columns ----------------------------------------------------------------------


def test_names_are_uppercase_varied_and_gender_appropriate(metro: Dataset) -> None:
    names = Counter(row["nama"] for row in metro.voters)
    assert len(names) > 0.6 * len(metro.voters)
    assert max(names.values()) < 200
    for row in metro.voters:
        name = row["nama"]
        assert name == name.upper() and name.strip() == name and "  " not in name
        if row["jenis_kelamin"] == "L":
            assert not name.startswith(("SITI ", "NI ", "HJ. ", "SRI ")), name
        else:
            assert not name.startswith(("I WAYAN", "I MADE", "H. ", "MUHAMMAD ", "DRS. ")), name
    joined = "\n".join(names)
    for expected in (
        "MUHAMMAD ",
        "M. ",
        "SITI ",
        "I WAYAN ",
        "NI MADE ",
        " SIREGAR",
        " BR ",
        "H. ",
        ", S.PD.",
    ):
        assert expected in joined, expected
    assert any(len(name.split()) == 1 for name in names)
    assert any("OE" in name or "DJ" in name or "TJ" in name for name in names)


def test_birthplaces_disabilities_and_remarks(metro: Dataset) -> None:
    places = Counter(row["tempat_lahir"] for row in metro.voters)
    assert places.most_common(1)[0][0] == "METRO"
    assert {"LAMPUNG TENGAH", "KLATEN", "TAPANULI UTARA"} <= set(places)
    disabled = [row["disabilitas"] for row in metro.voters if row["disabilitas"]]
    assert 0.005 < len(disabled) / len(metro.voters) < 0.05
    assert set(disabled) <= {"1", "2", "3", "4", "5", "6"}
    assert sum(1 for row in metro.voters if row["keterangan"]) < 0.1 * len(metro.voters)


# --- Other regions, sizes and input ---------------------------------------------------------------


def test_another_kabkota(bandar_lampung: Dataset) -> None:
    villages = _villages("18.71")
    assert bandar_lampung.summary.kabkota_name == "Kota Bandar Lampung"
    assert bandar_lampung.summary.voters == len(bandar_lampung.voters) == 5_000
    assert {row["kode_kelurahan"] for row in bandar_lampung.voters} <= villages
    assert {row["kode_kelurahan"] for row in bandar_lampung.tps} <= villages
    # at least one TPS per kelurahan with voters, however few voters it has
    assert len(bandar_lampung.tps) >= bandar_lampung.summary.kelurahan
    assert sum(1 for row in bandar_lampung.tps if row["jenis"] == "khusus") == 1
    assert sum(1 for row in bandar_lampung.voters if row["nik"].startswith("1871")) > 0.9 * 5_000
    places = Counter(row["tempat_lahir"] for row in bandar_lampung.voters)
    assert places.most_common(1)[0][0] == "BANDAR LAMPUNG"
    for row in bandar_lampung.tps:
        assert -11 <= float(row["lat"]) <= 6 and 95 <= float(row["lon"]) <= 141


def test_tps_count_scales_with_voters(tmp_path: Path) -> None:
    summary = write_synthetic_dpt(tmp_path, voters=30_600, seed=3)
    assert summary.tps == 60  # 30,600 / 510
    assert summary.tps_khusus == 1


def test_undotted_code_is_accepted(tmp_path: Path) -> None:
    summary = write_synthetic_dpt(tmp_path, kabkota="1872", voters=50)
    assert summary.kabkota == "18.72"


@pytest.mark.parametrize("code", ["99.99", "18", "18.72.01", "18.72.01.1001", "abc", ""])
def test_unknown_kabkota_is_refused(tmp_path: Path, code: str) -> None:
    with pytest.raises(ValueError, match="tidak dikenal / unknown kab/kota code"):
        write_synthetic_dpt(tmp_path / "out", kabkota=code, voters=10)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("voters", [0, -5])
def test_voters_below_one_is_refused(tmp_path: Path, voters: int) -> None:
    with pytest.raises(ValueError, match="voters must be at least 1"):
        write_synthetic_dpt(tmp_path / "out", voters=voters)
    assert not (tmp_path / "out").exists()


def test_progress_reports_running_totals_and_the_end(tmp_path: Path) -> None:
    seen: list[int] = []
    summary = write_synthetic_dpt(tmp_path, voters=45_000, progress=seen.append)
    assert len(seen) == 3 and seen[-1] == summary.voters == 45_000
    # every ~20,000 rows; a report may overshoot by one household or the prison's batch of inmates
    assert 20_000 <= seen[0] < 20_400 and 40_000 <= seen[1] < 40_400


@settings(max_examples=15, deadline=None)
@given(voters=st.integers(min_value=1, max_value=2_500), seed=st.integers(min_value=0, max_value=2**32))
def test_small_datasets_keep_their_invariants(voters: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        data = _generate(Path(directory), voters=voters, seed=seed)
    assert len(data.voters) == data.summary.voters == voters
    assert len({row["nik"] for row in data.voters}) == voters
    stations = {(row["kode_kelurahan"], row["tps"]) for row in data.tps}
    assert {(row["kode_kelurahan"], row["tps"]) for row in data.voters} == stations
    assert data.summary.tps_khusus == (1 if voters >= 1_000 else 0)
    assert data.summary.tps >= max(1, round(voters / 510))
