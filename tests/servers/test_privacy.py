"""No NIK in clear anywhere: not in a pg_dump, not in Redis keys or values, not in logs."""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from tests.support.factories import DatasetFiles


def pg_dump_binary() -> str:
    try:
        from pgserver._commands import POSTGRES_BIN_PATH

        bundled = Path(POSTGRES_BIN_PATH) / "pg_dump"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("pg_dump")
    if found is None:
        pytest.fail("pg_dump not found: install the embedded extra (pgserver) or postgresql-client")
    return found


async def test_no_nik_in_database_dump_redis_or_logs(
    client: AsyncTestClient,  # type: ignore[type-arg]
    small_dataset: DatasetFiles,
    database_url: str,
    redis_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    niks = [person.nik for person in small_dataset.people]
    for nik in niks[:30]:
        response = await client.post("/api/v1/nik", json={"nik": nik})
        assert response.json()["registered"] is True
    # Malformed and absent NIKs are lookups too.
    await client.post("/api/v1/nik", json={"nik": niks[0][:15]})
    await client.post("/api/v1/nik", json={"nik": "1872050101900999"})

    dump = subprocess.run(
        [pg_dump_binary(), "--no-owner", "--dbname", database_url],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    assert b"copy public.voter_" in dump.lower(), "the dump must contain the voter rows to prove anything"
    assert small_dataset.people[0].name.encode() in dump
    leaked = [nik for nik in [*niks, "1872050101900999"] if nik.encode() in dump]
    assert leaked == []

    client_redis = aioredis.from_url(redis_url)
    # Answers are written to Redis in the background after the reply: wait for all 31 (30 found, 1 absent).
    for _ in range(100):
        if len(await client_redis.keys("dpt:*")) >= 31:
            break
        await asyncio.sleep(0.05)
    assert len(await client_redis.keys("dpt:*")) == 31
    keys = await client_redis.keys("*")
    # Rate-limit state too: the client's buckets and its set of missed-NIK fingerprints.
    assert any(key.endswith(b":seen") for key in keys)
    values: list[bytes] = []
    for key in keys:
        if await client_redis.type(key) == b"set":
            values += await client_redis.smembers(key)
        else:
            values.append(await client_redis.get(key) or b"")
    await client_redis.aclose()
    blob = b"\n".join([*keys, *values])
    assert [nik for nik in niks if nik.encode() in blob] == []
    # Redis holds only the masked public answer: not even full names.
    assert small_dataset.people[0].name.encode() not in blob

    log_text = "\n".join(record.getMessage() for record in caplog.records)
    assert [nik for nik in niks if nik in log_text] == []
