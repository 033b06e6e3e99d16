"""The admin's pages: everyone's audit trail filtered by officer, kind and date, its CSV export,
officers' accounts (create, disable) and API tokens (create, shown once, list, revoke)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.support.console import PASSWORD, add_operator, log_in, submit, write_dataset_with_kk
from tests.support.factories import DatasetFiles

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture
def small_dataset(tmp_path: Path) -> DatasetFiles:
    return write_dataset_with_kk(tmp_path / "kk")


async def test_the_audit_trail_filters_and_exports_everyone_s_looks(
    client: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    await add_operator(conn, "pusat", "18.72.01")
    await add_operator(conn, "kota", "18.72", role="admin")
    assert (await log_in(client, "pusat")).status_code == 303
    await submit(client, "/helpdesk/nik", {"nik": small_dataset.people[0].nik})
    await submit(client, "/helpdesk/search", {"name": "SITI AMINAH", "region": "18.72.01"})
    client.cookies.clear()
    assert (await log_in(client, "kota")).status_code == 303
    everyone = await client.get("/helpdesk/admin/audit")
    assert everyone.status_code == 200 and everyone.text.count("<td>pusat</td>") == 2
    only_nik = await client.get("/helpdesk/admin/audit", params={"officer": "pusat", "kind": "nik"})
    assert only_nik.text.count("<td>pusat</td>") == 1 and "/helpdesk/search" not in only_nik.text
    tomorrow = (dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    later = await client.get("/helpdesk/admin/audit", params={"since": tomorrow})
    assert "<td>pusat</td>" not in later.text
    export = await client.get("/helpdesk/admin/audit.csv", params={"officer": "pusat"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert sorted(row["action"] for row in rows) == ["nik", "search"]
    assert all(row["operator"] == "pusat" and len(row["subject"]) == 12 for row in rows)
    assert small_dataset.people[0].nik not in export.text and "SITI AMINAH" not in export.text


async def test_an_admin_creates_and_disables_officers(client: Client, conn: asyncpg.Connection) -> None:
    await add_operator(conn, "kota", "18.72", role="admin")
    assert (await log_in(client, "kota")).status_code == 303
    created = await submit(
        client, "/helpdesk/admin/operators",
        {"username": "baru", "scope": "18.72.01.1001", "role": "helpdesk", "password": PASSWORD},
    )  # fmt: skip
    assert created.status_code == 303
    stored = await conn.fetchrow("select role, scope, password_hash from operator where username = 'baru'")
    assert (stored["role"], stored["scope"]) == ("helpdesk", "18.72.01.1001")
    assert stored["password_hash"].startswith("$argon2id$")
    again = await submit(
        client, "/helpdesk/admin/operators",
        {"username": "baru", "scope": "18.72.01", "role": "helpdesk", "password": PASSWORD},
    )  # fmt: skip
    assert again.status_code == 422 and "sudah ada" in again.text
    unknown = await submit(
        client, "/helpdesk/admin/operators",
        {"username": "lain", "scope": "18.72.99", "role": "helpdesk", "password": PASSWORD},
    )  # fmt: skip
    assert unknown.status_code == 422 and "Wilayah tidak dikenal" in unknown.text
    short = await submit(
        client,
        "/helpdesk/admin/operators",
        {"username": "c", "scope": "18.72", "role": "admin", "password": "x"},
    )
    assert short.status_code == 422
    disabled = await submit(client, "/helpdesk/admin/operators/disable", {"username": "baru"})
    assert disabled.status_code == 303
    assert await conn.fetchval("select disabled_at is not null from operator where username = 'baru'")
    listing = await client.get("/helpdesk/admin/operators")
    assert "baru" in listing.text and "nonaktif" in listing.text


async def test_an_admin_creates_lists_and_revokes_api_tokens(
    client: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    await add_operator(conn, "kota", "18.72", role="admin")
    assert (await log_in(client, "kota")).status_code == 303
    created = await submit(
        client, "/helpdesk/admin/tokens", {"name": "Kel. Metro", "role": "helpdesk", "scope": "18.72.01"}
    )
    assert created.status_code == 201
    token = created.text.split('<code class="mono token">')[1].split("<")[0]
    assert token.startswith("dpt_helpdesk_")
    listing = await client.get("/helpdesk/admin/tokens")
    assert "Kel. Metro" in listing.text and token not in listing.text  # shown once
    person = small_dataset.people[0]
    search = {"name": person.name, "region": person.kelurahan}
    allowed = await client.post("/api/v1/search", json=search, headers={"Authorization": f"Bearer {token}"})
    assert allowed.status_code == 200
    token_id = await conn.fetchval("select id from api_token where name = 'Kel. Metro'")
    revoked = await submit(client, "/helpdesk/admin/tokens/revoke", {"token_id": str(token_id)})
    assert revoked.status_code == 303
    for _ in range(100):  # every worker forgets it within one poll (0.05 s in the tests)
        refused = await client.post(
            "/api/v1/search", json=search, headers={"Authorization": f"Bearer {token}"}
        )
        if refused.status_code == 401:
            break
        await asyncio.sleep(0.05)
    assert refused.status_code == 401


async def test_an_admin_of_one_region_hands_out_no_wider_access(
    client: Client, conn: asyncpg.Connection
) -> None:
    await add_operator(conn, "kec", "18.72.01", role="admin")
    assert (await log_in(client, "kec")).status_code == 303
    officer = await submit(
        client, "/helpdesk/admin/operators",
        {"username": "luar", "scope": "18.72.02", "role": "helpdesk", "password": PASSWORD},
    )  # fmt: skip
    assert officer.status_code == 422 and "di dalam wilayah Anda" in officer.text
    everywhere = await submit(client, "/helpdesk/admin/tokens", {"name": "semua", "role": "helpdesk"})
    wider = await submit(
        client, "/helpdesk/admin/tokens", {"name": "kota", "role": "helpdesk", "scope": "18.72"}
    )
    assert everywhere.status_code == 403 and wider.status_code == 403
    assert await conn.fetchval("select count(*) from api_token") == 0
    assert await conn.fetchval("select count(*) from operator where username = 'luar'") == 0
