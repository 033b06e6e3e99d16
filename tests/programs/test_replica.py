"""Lookups and searches on a real streaming replica (DPT_DATABASE_REPLICA_URLS): they read from the
replica once it has the published version, a publish on the primary reaches answers through it,
a replica that lags (replay paused) is skipped for the primary, and one stopped during lookups
costs no answer and is used again once it is back."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest
import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from service.embedded import with_database
from service.importer import import_dataset
from service.nik.parse import NikHasher
from service.settings import Settings
from service.store.migrate import migrate
from service.store.replicas import Replica
from tests.conftest import client_with
from tests.support.factories import write_small_dataset
from tests.support.pg_replica import Replication, streaming_replica
from tests.support.serving import TEST_NIK_KEY, eventually

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture(scope="module")
def replication() -> Iterator[Replication]:
    with streaming_replica(Path(tempfile.mkdtemp(prefix="dpt-replica-"))) as servers:
        yield servers


@pytest.fixture(scope="module")
async def primary_database(replication: Replication) -> str:
    """One migrated database on the primary for the module; each test publishes its own versions."""
    name = f"dpt_replica_{secrets.token_hex(4)}"
    replication.primary.sql(f'create database "{name}"')
    url = with_database(replication.primary.url, name)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, lambda _line: None)
    finally:
        await conn.close()
    return name


async def publish(url: str, folder: Path, version: str, count: int = 40) -> list[str]:
    """Import and publish a new version of `count` voters on the primary; their NIKs."""
    files = write_small_dataset(folder / version, count)
    conn = await asyncpg.connect(url)
    try:
        await import_dataset(
            conn, voters_path=files.voters, tps_path=files.tps, hasher=NikHasher(TEST_NIK_KEY),
            election="Replica Test", version=version,
        )  # fmt: skip
    finally:
        await conn.close()
    return [person.nik for person in files.people]


@pytest.fixture
def replica_settings(settings: Settings, replication: Replication, primary_database: str) -> Settings:
    return msgspec.structs.replace(
        settings,
        database_url=with_database(replication.primary.url, primary_database),
        database_replica_urls=with_database(replication.standby.url, primary_database),
    )


def replica_of(client: Client) -> Replica:
    replica: Replica = client.app.state.services.lookup.store.replicas.replicas[0]
    return replica


async def answers(client: Client, niks: list[str], redis: aioredis.Redis) -> set[tuple[int, Any]]:
    """(status, dataset version) of each NIK, read from PostgreSQL (both caches emptied first)."""
    client.app.state.services.lookup.cache.local.clear()
    await redis.flushdb()
    replies = await asyncio.gather(*(client.post("/api/v1/nik", json={"nik": nik}) for nik in niks))
    return {(reply.status_code, (reply.json().get("dataset") or {}).get("version")) for reply in replies}


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url)
    yield client
    await client.aclose()


async def serving(client: Client, version: str) -> None:
    async def check() -> bool:
        reply = await client.post("/api/v1/nik", json={"nik": "1872015407530001"})
        return bool(reply.status_code == 200 and reply.json()["dataset"]["version"] == version)

    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the service never answered from {version}")


async def test_reads_go_to_the_replica_and_a_publish_reaches_them(
    replica_settings: Settings, replication: Replication, tmp_path: Path, redis: aioredis.Redis
) -> None:
    first = await publish(replica_settings.database_url, tmp_path, "r1")
    await asyncio.to_thread(replication.wait_caught_up)
    async with client_with(replica_settings) as client:
        replica = replica_of(client)
        await serving(client, "r1")
        await eventually(lambda: replica.up and replica.dataset_id is not None, "the replica was polled")
        reads = replica.reads
        assert await answers(client, first, redis) == {(200, "r1")}
        assert replica.reads > reads  # the lookups' query ran on the replica
        reads = replica.reads
        found = await client.post(
            "/api/v1/search", json={"name": "BUDI SANTOSO", "birth_date": "1950-01-01", "region": "18.72"}
        )
        assert found.status_code == 200 and found.json()["results"]
        assert replica.reads > reads  # and the search's
        second = await publish(replica_settings.database_url, tmp_path, "r2")
        await serving(client, "r2")
        await eventually(lambda: replica.dataset_id == client.app.state.services.published.dataset.id,
                         "the replica replayed the publish")  # fmt: skip
        reads = replica.reads
        assert await answers(client, second, redis) == {(200, "r2")}
        assert replica.reads > reads


async def test_a_lagging_replica_is_skipped_and_no_answer_is_stale(
    replica_settings: Settings, replication: Replication, tmp_path: Path, redis: aioredis.Redis
) -> None:
    await publish(replica_settings.database_url, tmp_path, "p1")
    await asyncio.to_thread(replication.wait_caught_up)
    async with client_with(replica_settings) as client:
        replica = replica_of(client)
        await serving(client, "p1")
        await eventually(lambda: replica.up and replica.dataset_id is not None, "the replica was polled")
        await asyncio.to_thread(replication.pause)
        try:
            newer = await publish(replica_settings.database_url, tmp_path, "p2")
            await serving(client, "p2")
            await asyncio.sleep(0.3)  # several polls of the replica: it still shows p1
            assert not await asyncio.to_thread(replication.caught_up)
            reads = replica.reads
            # Every answer is from p2 (the primary); the replica, which has no p2 yet, is not asked.
            assert await answers(client, newer, redis) == {(200, "p2")}
            assert replica.reads == reads
        finally:
            await asyncio.to_thread(replication.resume)
        published_id = client.app.state.services.published.dataset.id
        await eventually(lambda: replica.dataset_id == published_id, "the replica caught up")
        reads = replica.reads
        assert await answers(client, newer, redis) == {(200, "p2")}
        assert replica.reads > reads  # used again


async def test_a_replica_stopped_during_lookups_costs_no_answer(
    replica_settings: Settings, replication: Replication, tmp_path: Path, redis: aioredis.Redis
) -> None:
    niks = await publish(replica_settings.database_url, tmp_path, "s1")
    await asyncio.to_thread(replication.wait_caught_up)
    async with client_with(replica_settings) as client:
        replica = replica_of(client)
        await serving(client, "s1")
        await eventually(lambda: replica.up and replica.dataset_id is not None, "the replica was polled")
        stop = asyncio.Event()

        async def keep_asking() -> set[tuple[int, Any]]:
            seen: set[tuple[int, Any]] = set()
            while not stop.is_set():
                seen |= await answers(client, niks, redis)
            return seen

        running = asyncio.ensure_future(keep_asking())
        await asyncio.sleep(0.3)
        await asyncio.to_thread(replication.standby.stop)
        await asyncio.sleep(0.5)
        assert not replica.up
        stop.set()
        assert await running == {(200, "s1")}  # every lookup answered, from the primary after the stop
        await asyncio.to_thread(replication.standby.start)
        await eventually(lambda: replica.up, "the replica answered a poll again")
        reads = replica.reads
        assert await answers(client, niks, redis) == {(200, "s1")}
        assert replica.reads > reads
