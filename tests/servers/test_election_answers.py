"""The election's details flow from `dpt import` to every channel: the API's `dataset`, the
resident page and SMS, in both languages, with local hours, DPTb deadlines and DPK; accessibility
notes from tps.csv; the SMS reply still one GSM-7 SMS."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.importer import ImportSummary, import_dataset
from service.nik.parse import NikHasher
from service.settings import Settings
from service.sms.replies import fits_one_sms
from service.voters.election import ElectionError, read_election_file, time_zone
from tests.servers.test_web import submit
from tests.support.factories import DatasetFiles, absent_niks, bearer, make_token, write_small_dataset

Client = AsyncTestClient[Litestar]
PEMILU_DAY = dt.date(2024, 2, 14)


def _with_access_columns(tps_path: Path) -> None:
    """tps.csv with the optional accessibility columns, filled for the first TPS only."""
    with tps_path.open(encoding="utf-8", newline="") as stream:
        header, *rows = list(csv.reader(stream))
    with tps_path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([*header, "akses_tanpa_tangga", "lantai_dasar", "catatan_akses"])
        for index, row in enumerate(rows):
            writer.writerow(
                [*row, *(("ya", "tidak", "Ramp di pintu samping") if index == 0 else ("", "", ""))]
            )


@pytest.fixture
async def pemilu(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> tuple[DatasetFiles, ImportSummary]:
    files = write_small_dataset(tmp_path / "pemilu")
    _with_access_columns(files.tps)
    election_file = tmp_path / "election.toml"
    election_file.write_text('polling_start = "08:00"\ndptb_deadline = 2024-01-10\n', encoding="utf-8")
    summary = await import_dataset(
        conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, election="Pemilu 2024",
        polling_date=PEMILU_DAY, version="pemilu", election_file=read_election_file(election_file),
    )  # fmt: skip
    return files, summary


@pytest.fixture
async def client(settings: Settings, pemilu: tuple[DatasetFiles, ImportSummary]) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=create_app(settings)) as test_client:
        yield test_client


async def test_the_api_dataset_carries_the_election_details(
    client: Client, pemilu: tuple[DatasetFiles, ImportSummary]
) -> None:
    files, _ = pemilu
    person = files.people[0]  # KELURAHAN[0], TPS 1: the TPS with accessibility notes
    answer = (await client.post("/api/v1/nik", json={"nik": person.nik})).json()
    dataset = answer["dataset"]
    assert dataset["election"] == "Pemilu 2024" and dataset["kind"] == "pemilu"
    assert dataset["polling_hours"] == {"start": "08:00", "end": "13:00"}  # from the election file
    assert dataset["dpk_hours"] == {"start": "12:00", "end": "13:00"}
    assert dataset["dptb_deadline"] == "2024-01-10"  # the file's, not H-30
    assert dataset["dptb_urgent_deadline"] == "2024-02-07"  # H-7
    assert dataset["time_zones"] == ["WIB"] and "PKPU 25/2023" in dataset["regulation"]
    tps = answer["voter"]["tps"]
    assert tps["time_zone"] == "WIB" and tps["geo_uri"].startswith("geo:-5.11")
    assert (tps["step_free"], tps["ground_floor"], tps["access_note"]) == (
        True,
        False,
        "Ramp di pintu samping",
    )
    other = files.people[1]  # another TPS: nothing known
    tps = (await client.post("/api/v1/nik", json={"nik": other.nik})).json()["voter"]["tps"]
    assert (tps["step_free"], tps["ground_floor"], tps["access_note"]) == (None, None, None)


async def test_the_page_says_when_where_and_what_to_do_in_both_languages(
    client: Client, pemilu: tuple[DatasetFiles, ImportSummary]
) -> None:
    files, _ = pemilu
    _, page, _ = await submit(client, "/cek", {"nik": files.people[0].nik})
    assert "14 Februari 2024, pukul 08.00 sampai 13.00 WIB" in page
    assert (
        'href="geo:-5.11' in page and "Bisa dicapai tanpa tangga" in page and "Tidak di lantai dasar" in page
    )
    assert "Ramp di pintu samping" in page and "didampingi orang pilihannya sendiri" in page
    _, page, _ = await submit(client, "/cek", {"nik": absent_niks(1)[0]})
    assert "Periksa lagi 16 angka NIK" in page and "Panitia Pemungutan Suara (PPS)" in page
    assert "paling lambat 10 Januari 2024" in page and "paling lambat 7 Februari 2024" in page
    assert "(14 Februari 2024)" in page and "pukul 12.00 sampai 13.00 WIB" in page and "(DPK)" in page
    assert "PKPU 25/2023" in page
    await client.get("/bahasa/en")
    _, page, _ = await submit(client, "/cek", {"nik": absent_niks(2)[1]})
    assert "no later than 10 January 2024" in page and "from 12:00 to 13:00 WIB" in page
    assert "while ballots last (DPK)" in page


async def test_sms_replies_carry_hours_and_deadlines_and_stay_one_sms(
    client: Client, conn: asyncpg.Connection, pemilu: tuple[DatasetFiles, ImportSummary]
) -> None:
    files, _ = pemilu
    token = await make_token(conn, "sms", None, name="gateway")
    replies = {}
    for language, keyword in (("id", "DPT"), ("en", "CHECK")):
        for outcome, nik in (("yes", files.people[0].nik), ("no", absent_niks(3)[2])):
            answer = await client.post(
                "/sms/inbound", json={"from": f"+62811{language}{outcome}", "text": f"{keyword} {nik}"},
                headers=bearer(token),
            )  # fmt: skip
            replies[language, outcome] = answer.json()["reply"]
    assert "14-02-2024 08.00-13.00 WIB. Bawa KTP-el." in replies["id", "yes"]
    assert "14-02-2024 08:00-13:00 WIB. Bring your KTP-el." in replies["en", "yes"]
    assert "DPTb s.d. 10-01" in replies["id", "no"] and "14-02 pk 12.00-13.00 WIB" in replies["id", "no"]
    assert "DPTb by 10-01" in replies["en", "no"] and "12:00-13:00 WIB" in replies["en", "no"]
    for reply in replies.values():
        assert fits_one_sms(reply), reply


async def test_pilkada_defaults_when_nothing_more_is_said(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> None:
    files = write_small_dataset(tmp_path / "pilkada")
    await import_dataset(
        conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, election="Pilkada Serentak 2024",
        polling_date=dt.date(2024, 11, 27), version="pilkada",
    )  # fmt: skip
    dataset = await conn.fetchval("select details from dataset where version = 'pilkada'")
    assert '"kind": "pilkada"' in dataset and '"dptb_deadline": null' in dataset
    assert '"dptb_urgent_deadline": "2024-11-20"' in dataset and '"start": "07:00"' in dataset


def test_time_zones_follow_the_province() -> None:
    assert [time_zone(code) for code in ("18.72", "51.71", "64", "73.71.01", "81.71", "94", "62.71")] == [
        "WIB", "WITA", "WITA", "WITA", "WIT", "WIT", "WIB",
    ]  # fmt: skip


def test_an_unusable_election_file_is_refused_in_both_languages(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "referendum"\n', encoding="utf-8")
    with pytest.raises(ElectionError, match="unusable election file"):
        read_election_file(bad)
