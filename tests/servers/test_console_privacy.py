"""The privacy scan over the console: after logins (right and wrong passwords), NIK, family and
batch checks and a name search, no NIK, KK number, password or session id appears in clear in a
pg_dump, in Redis (keys and values) or in the logs."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.servers.test_privacy import pg_dump_binary, redis_contents
from tests.support.console import PASSWORD, add_operator, kk_of, log_in, submit, write_dataset_with_kk
from tests.support.factories import DatasetFiles

Client = AsyncTestClient  # type: ignore[type-arg]
WRONG_PASSWORD = "tebakan-yang-salah-77"


@pytest.fixture
def small_dataset(tmp_path: Path) -> DatasetFiles:
    return write_dataset_with_kk(tmp_path / "kk")


async def test_no_nik_kk_or_password_in_the_dump_redis_or_logs(
    client: Client,
    conn: asyncpg.Connection,
    small_dataset: DatasetFiles,
    database_url: str,
    redis_url: str,
    *,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    await add_operator(conn, "pusat", "18.72.01")
    await add_operator(conn, "lama", "18.72.01", legacy=True)
    assert (await log_in(client, "pusat", WRONG_PASSWORD)).status_code == 401
    answer = await log_in(client, "pusat")
    assert answer.status_code == 303
    session_id = str(answer.cookies["dpt_konsol"])
    people = small_dataset.people
    await submit(client, "/helpdesk/nik", {"nik": people[0].nik})
    await submit(client, "/helpdesk/nik", {"nik": people[2].nik})
    kks = sorted({kk_of(index) for index in range(len(people))})
    for kk in kks[:5]:
        assert (await submit(client, "/helpdesk/family", {"kk": kk})).status_code == 200
    batch = "\n".join(person.nik for person in people[:40])
    assert (await submit(client, "/helpdesk/batch", {"lines": batch})).status_code == 200
    await submit(client, "/helpdesk/search", {"name": people[0].name, "region": "18.72.01"})
    client.cookies.clear()
    assert (await log_in(client, "lama")).status_code == 303  # its scrypt hash is upgraded

    needles = sorted({*(person.nik for person in people), *kks, PASSWORD, WRONG_PASSWORD, session_id})

    def leaked(haystack: str) -> list[str]:
        return [needle for needle in needles if needle in haystack]

    dump = subprocess.run(
        [pg_dump_binary(), "--no-owner", "--dbname", database_url],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout.decode()
    assert "copy public.audit_log" in dump.lower() and "pusat" in dump
    assert leaked(dump) == []
    keys, blob = await redis_contents(redis_url)
    assert any(key.startswith(b"sess:") for key in keys) and any(key.startswith(b"login:") for key in keys)
    assert leaked(blob.decode("utf-8", "replace")) == []
    out, err = capfd.readouterr()
    log_text = "\n".join([caplog.text, *(record.getMessage() for record in caplog.records), out, err])
    assert caplog.records, "logging must be captured for this to prove anything"
    assert leaked(log_text) == []
