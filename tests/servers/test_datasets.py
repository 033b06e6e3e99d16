"""Managing dataset versions: `dpt datasets`, `publish`, `rollback` and `drop` while lookups go on,
publishing past quality limits only with --force, abandoned loads removed, and the admin API."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.importer import import_dataset
from service.nik.parse import NikHasher
from service.settings import Settings
from tests.servers.test_cli import DPT, dpt, files
from tests.support.factories import (
    Person,
    bearer,
    make_nik,
    make_token,
    voter_row,
    write_small_dataset,
    write_voters,
)
from tests.support.serving import TEST_NIK_KEY, dpt_serve, eventually


async def dpt_async(database_url: str, *args: str) -> tuple[int, str, str]:
    """`dpt` run without blocking the event loop (the lookups go on meanwhile)."""
    process = await asyncio.create_subprocess_exec(
        DPT, *args, env={**os.environ, "DPT_DATABASE_URL": database_url, "DPT_NIK_KEY": TEST_NIK_KEY},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_publish_rollback_and_drop_while_lookups_go_on(
    conn: asyncpg.Connection, database_url: str, settings: Settings, tmp_path: Path, hasher: NikHasher
) -> None:
    one = write_small_dataset(tmp_path / "one")
    two = write_small_dataset(tmp_path / "two")
    for version, data, publish in (("v1", one, True), ("v2", two, False)):
        await import_dataset(
            conn, voters_path=data.voters, tps_path=data.tps, hasher=hasher, election="Pilkada Test 2024",
            polling_date=dt.date(2024, 11, 27), version=version, publish=publish,
        )  # fmt: skip
    seen: Counter[tuple[int, bool, str]] = Counter()
    latest: list[str] = []
    stop = asyncio.Event()

    async def lookups(client: httpx.AsyncClient) -> None:
        index = 0
        while not stop.is_set():
            person = one.people[index % len(one.people)]
            response = await client.post("/api/v1/nik", json={"nik": person.nik})
            body = response.json()
            version = body.get("dataset", {}).get("version", "")
            seen[response.status_code, bool(body.get("registered")), version] += 1
            latest.append(version)
            index += 1

    # A real server (its own process): the lookups run while the commands do.
    with dpt_serve(settings, DPT_RATE_LIMIT_EXEMPT="127.0.0.0/8") as (url, _):
        client = httpx.AsyncClient(base_url=url, timeout=30)
        task = asyncio.create_task(lookups(client))
        try:
            code, out, _ = await dpt_async(database_url, "datasets")
            assert code == 0 and "v1" in out and "published" in out and "ready" in out
            assert "quality: no findings" in out
            code, out, err = await dpt_async(database_url, "publish", "v2")
            assert code == 0 and "published dataset v2" in out, err
            await eventually(lambda: latest[-1:] == ["v2"], "lookups answer from v2")
            code, _, err = await dpt_async(database_url, "drop", "v2")
            assert code == 1 and "published one" in err
            code, out, err = await dpt_async(database_url, "rollback")
            assert code == 0 and "published dataset v1" in out, err
            await eventually(lambda: latest[-1:] == ["v1"], "lookups answer from v1 again")
            code, out, err = await dpt_async(database_url, "drop", "v2")
            assert code == 0 and "dropped dataset v2" in out, err
            count = len(latest)
            await eventually(lambda: len(latest) > count + 20, "lookups go on after the drop")
            code, _, err = await dpt_async(database_url, "drop", "v2")
            assert code == 1 and "no version v2" in err
        finally:
            stop.set()
            await task
            await client.aclose()
    # Every lookup answered, registered, from one whole version.
    assert {status for status, _, _ in seen} == {200}
    assert all(registered for _, registered, _ in seen)
    assert {version for _, _, version in seen} == {"v1", "v2"}
    assert await conn.fetchval("select count(*) from dataset where version = 'v2'") == 0
    assert await conn.fetchval("select to_regclass('voter_' || $1::text)", "2") is None


def _young_crowd(folder: Path) -> None:
    """120 voters of whom 3 are under 17 on polling day: 2.5%, over the 1% limit."""
    data = write_small_dataset(folder)
    rows = [voter_row(person) for person in data.people[:117]]
    for serial, born in (
        (7001, dt.date(2010, 1, 1)),
        (7002, dt.date(2011, 2, 2)),
        (7003, dt.date(2012, 3, 3)),
    ):
        rows.append(
            voter_row(
                Person(make_nik("18.72.01", born, "L", serial), "ANAK KECIL", born, "L", "18.72.01.1001", 1)
            )
        )
    write_voters(data.voters, rows)


async def test_findings_above_the_limits_need_force_to_publish(database_url: str, tmp_path: Path) -> None:
    _young_crowd(tmp_path)
    report = tmp_path / "report"
    imported = dpt(
        "import", *files(tmp_path), "--version", "young", "--polling-date", "2024-11-27",
        "--report", str(report), database_url=database_url,
    )  # fmt: skip
    assert imported.returncode == 1, imported.stderr
    assert "under_age" in imported.stdout and "NOT PUBLISHED" in imported.stdout
    assert "dpt publish young --force" in imported.stdout
    assert (report / "summary.json").is_file() and (report / "under_age.csv").is_file()
    refused = dpt("publish", "young", database_url=database_url)
    assert refused.returncode == 1 and "under_age 3" in refused.stderr and "--force" in refused.stderr
    forced = dpt("publish", "young", "--force", database_url=database_url)
    assert forced.returncode == 0 and "forced past: under_age" in forced.stdout
    listed = dpt("datasets", database_url=database_url)
    assert "young" in listed.stdout and "published" in listed.stdout and "under_age=3" in listed.stdout
    # A looser limit (a setting) lets the same version publish without --force.
    again = dpt(
        "import", *files(tmp_path), "--version", "young2", "--polling-date", "2024-11-27",
        "--report", str(report), database_url=database_url, DPT_QUALITY_MAX_SHARE="0.05",
    )  # fmt: skip
    assert again.returncode == 0 and "published" in again.stdout


async def test_dpt_quality_writes_the_report_of_a_stored_version(database_url: str, tmp_path: Path) -> None:
    _young_crowd(tmp_path)
    assert dpt("import", *files(tmp_path), "--version", "y", "--polling-date", "2024-11-27", "--force",
               database_url=database_url).returncode == 0  # fmt: skip
    out = tmp_path / "quality"
    result = dpt("quality", "--out", str(out), database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "dataset version : y" in result.stdout and "under_age" in result.stdout
    assert (out / "summary.json").read_text().count(": 3") == 1
    missing = dpt("quality", "--version", "nope", "--out", str(out), database_url=database_url)
    assert missing.returncode == 1 and "no such dataset version" in missing.stderr


async def test_an_abandoned_load_is_removed_by_dpt_datasets(
    conn: asyncpg.Connection, database_url: str
) -> None:
    """A 'loading' version no session holds (its import was killed) goes at the next command."""
    await conn.execute("insert into dataset (version, election) values ('killed', 'Pilkada')")
    listed = dpt("datasets", database_url=database_url)
    assert listed.returncode == 0 and "left unfinished by an interrupted import" in listed.stderr
    assert await conn.fetchval("select count(*) from dataset where version = 'killed'") == 0


async def test_the_admin_api_shows_versions_and_quality_counts_to_admins_only(
    conn: asyncpg.Connection, settings: Settings, tmp_path: Path, hasher: NikHasher
) -> None:
    data = write_small_dataset(tmp_path)
    await import_dataset(
        conn, voters_path=data.voters, tps_path=data.tps, hasher=hasher, election="Pilkada", version="a1",
    )  # fmt: skip
    admin = await make_token(conn, "admin", None, name="admin")
    helpdesk = await make_token(conn, "helpdesk", "18.72", name="desk")
    async with AsyncTestClient(app=create_app(settings)) as client:
        answer = await client.get("/api/v1/datasets/a1/quality", headers=bearer(admin))
        assert answer.status_code == 200
        body = answer.json()
        assert body["version"] == "a1" and body["status"] == "published" and body["voters"] == 120
        assert body["findings"]["under_age"] == 0 and len(body["findings"]) == 9
        listed = await client.get("/api/v1/datasets", headers=bearer(admin))
        assert [item["version"] for item in listed.json()] == ["a1"]
        missing = await client.get("/api/v1/datasets/nope/quality", headers=bearer(admin))
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "dataset_not_found"
        refused = await client.get("/api/v1/datasets", headers=bearer(helpdesk))
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_forbidden"
        anonymous = await client.get("/api/v1/datasets/a1/quality")
        assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "token_required"
