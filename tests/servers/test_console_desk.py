"""An officer's day at the desk, in scope and out of it: a NIK, a name without a birth date, a
household by KK, a printable notice and a TPS's list, each audited before it is answered (allowed
or refused) with a keyed hash of its subject, never the NIK or KK itself."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.support.console import add_operator, kk_of, log_in, submit, write_dataset_with_kk
from tests.support.factories import DatasetFiles

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture
def small_dataset(tmp_path: Path) -> DatasetFiles:
    return write_dataset_with_kk(tmp_path / "kk")


@pytest.fixture
async def officer(client: Client, conn: asyncpg.Connection) -> Client:
    """An officer of kecamatan Metro Pusat (18.72.01), logged in."""
    await add_operator(conn, "pusat", "18.72.01")
    assert (await log_in(client, "pusat")).status_code == 303
    return client


async def audit_rows(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        "select operator, action, route, region, subject_hash, results, outcome from audit_log order by id"
    )


async def test_a_nik_in_scope_shows_the_full_name_tps_address_and_map(
    officer: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[0]  # 18.72.01.1001
    page = await submit(officer, "/helpdesk/nik", {"nik": person.nik})
    assert page.status_code == 200
    assert person.name in page.text and f"TPS {person.tps:03d}" in page.text
    assert "JL. MERDEKA NO. 1" in page.text and "openstreetmap.org" in page.text
    assert person.nik not in page.text
    (row,) = await audit_rows(conn)
    assert (row["operator"], row["action"], row["route"], row["region"], row["results"], row["outcome"]) == (
        "pusat", "nik", "/helpdesk/nik", person.kelurahan, 1, "allowed",
    )  # fmt: skip
    assert len(row["subject_hash"]) == 32 and person.nik.encode() not in row["subject_hash"]


async def test_a_nik_outside_the_scope_shows_nothing_and_is_audited_as_refused(
    officer: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[2]  # 18.72.02.1001
    page = await submit(officer, "/helpdesk/nik", {"nik": person.nik})
    assert page.status_code == 200 and "di luar wilayah Anda" in page.text
    assert person.name not in page.text and "TPS 0" not in page.text
    (row,) = await audit_rows(conn)
    assert (row["action"], row["results"], row["outcome"]) == ("nik", 0, "region_out_of_scope")


async def test_a_nik_not_on_the_dpt_and_a_malformed_one(officer: Client, conn: asyncpg.Connection) -> None:
    absent = await submit(officer, "/helpdesk/nik", {"nik": "1872044903850099"})
    assert absent.status_code == 200 and "tidak ada di DPT" in absent.text
    malformed = await submit(officer, "/helpdesk/nik", {"nik": "18720"})
    assert malformed.status_code == 422 and 'role="alert"' in malformed.text and "16 angka" in malformed.text
    rows = await audit_rows(conn)
    assert [(row["action"], row["results"]) for row in rows] == [("nik", 0)]  # a malformed NIK is no look


async def test_a_name_search_without_birth_date_shows_scores_and_why(
    officer: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[0]
    page = await submit(officer, "/helpdesk/search", {"name": person.name, "region": "18.72.01"})
    assert page.status_code == 200 and person.name in page.text
    assert "Yakin" in page.text or "Belum yakin" in page.text
    assert "Skor" in page.text and "/helpdesk/notice/" in page.text
    outside = await submit(officer, "/helpdesk/search", {"name": person.name, "region": "18.72.02"})
    assert outside.status_code == 403 and "di luar cakupan" in outside.text
    rows = await audit_rows(conn)
    assert [(r["operator"], r["action"], r["route"], r["outcome"]) for r in rows] == [
        ("pusat", "search", "/helpdesk/search", "allowed"),
        ("pusat", "search", "/helpdesk/search", "region_out_of_scope"),
    ]
    assert rows[0]["subject_hash"] == rows[1]["subject_hash"]  # the same name, the same keyed hash
    assert person.name.encode() not in rows[0]["subject_hash"]


async def test_a_family_check_lists_the_household_members_in_scope_only(
    officer: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    kk = kk_of(0)
    household = [p for i, p in enumerate(small_dataset.people) if kk_of(i) == kk]
    inside = [p for p in household if p.kelurahan.startswith("18.72.01.")]
    outside = [p for p in household if not p.kelurahan.startswith("18.72.01.")]
    assert inside and outside
    page = await submit(officer, "/helpdesk/family", {"kk": " ".join([kk[:4], kk[4:8], kk[8:12], kk[12:]])})
    assert page.status_code == 200
    for member in inside:
        assert member.name in page.text
    assert all(member.name not in page.text for member in outside)
    assert kk not in page.text
    (row,) = await audit_rows(conn)
    assert (row["action"], row["results"]) == ("family", len(inside)) and kk.encode() not in row[
        "subject_hash"
    ]
    stored = await conn.fetchval("select count(*) from voter where kk_hash is not null")
    assert stored == len(small_dataset.people)
    bad = await submit(officer, "/helpdesk/family", {"kk": "123"})
    assert bad.status_code == 422 and "16 angka" in bad.text and 'value="123"' not in bad.text


async def test_a_printable_notice_carries_a_qr_of_the_tps_and_no_nik(
    officer: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[0]
    answer = await submit(officer, "/helpdesk/nik", {"nik": person.nik})
    voter_id = answer.text.split("/helpdesk/notice/")[1].split('"')[0]
    notice = await officer.get(f"/helpdesk/notice/{voter_id}")
    assert notice.status_code == 200 and person.name in notice.text
    assert "<svg" in notice.text and 'class="qr"' in notice.text and person.nik not in notice.text
    assert "Bawa KTP-el" in notice.text and ("07:00" in notice.text or "07.00" in notice.text)
    rows = await audit_rows(conn)
    assert (rows[-1]["action"], rows[-1]["route"], rows[-1]["results"]) == ("notice", "/helpdesk/notice", 1)


async def test_guessing_voter_ids_shows_nothing_outside_the_scope(
    officer: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    outsider = small_dataset.people[2]
    voter_id = await conn.fetchval(
        "select to_hex(id) from voter where kelurahan_code = $1 limit 1", outsider.kelurahan
    )
    for guess in (voter_id.rjust(16, "0"), "0000000000000001", "not-hex", "f" * 40):
        page = await officer.get(f"/helpdesk/notice/{guess}")
        assert page.status_code == 404 and outsider.name not in page.text
    outcomes = [row["outcome"] for row in await audit_rows(conn)]
    assert outcomes[0] == "region_out_of_scope" and "voter_not_found" in outcomes


async def test_a_tps_list_masks_niks_as_kpu_does_and_stays_in_scope(
    officer: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    voters = [p for p in small_dataset.people if p.kelurahan == "18.72.01.1001" and p.tps == 1]
    page = await officer.get("/helpdesk/tps", params={"kelurahan": "18.72.01.1001", "tps": "1"})
    assert page.status_code == 200
    for voter in voters:
        assert voter.name in page.text and voter.nik not in page.text
        assert voter.nik[:6] + "**********" in page.text
    outside = await officer.get("/helpdesk/tps", params={"kelurahan": "18.72.02.1001", "tps": "1"})
    assert outside.status_code == 403
    rows = await audit_rows(conn)
    assert [(r["action"], r["results"], r["outcome"]) for r in rows] == [
        ("tps_list", len(voters), "allowed"),
        ("tps_list", 0, "region_out_of_scope"),
    ]


async def test_an_officer_sees_their_own_history_only(
    client: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    await add_operator(conn, "pusat", "18.72.01")
    await add_operator(conn, "utara", "18.72.02")
    assert (await log_in(client, "utara")).status_code == 303
    await submit(client, "/helpdesk/nik", {"nik": small_dataset.people[2].nik})
    client.cookies.clear()
    assert (await log_in(client, "pusat")).status_code == 303
    await submit(client, "/helpdesk/nik", {"nik": small_dataset.people[0].nik})
    history = await client.get("/helpdesk/history")
    assert history.status_code == 200 and history.text.count("/helpdesk/nik</td>") == 1
    assert "utara" not in history.text.split("<table", 1)[1]
