"""Degraded modes against real servers that really go away: a private Redis killed and restarted,
a Redis that stalls, a private PostgreSQL stopped and started, and a popular answer expiring."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest
import redis.asyncio as aioredis
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.cache.local import LocalCache
from service.cache.tiered import TieredCache
from service.embedded import embedded_postgres, embedded_redis
from service.errors import Unavailable
from service.importer import import_dataset
from service.nik.parse import NikHasher
from service.settings import Settings
from service.store import unavailable_on_store_errors
from service.store.migrate import migrate
from tests.support.factories import DatasetFiles, absent_niks

Client = AsyncTestClient[Litestar]


async def lookup(client: Client, nik: str) -> tuple[int, Any]:
    response = await client.post("/api/v1/nik", json={"nik": nik})
    return response.status_code, response.json()


async def eventually(check: Callable[[], Awaitable[bool]], attempts: int = 200) -> bool:
    """Poll a condition that a background task makes true (no timing threshold: just patience)."""
    for _ in range(attempts):
        if await check():
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.usefixtures("published")
async def test_redis_killed_and_restarted_costs_no_lookup(
    settings: Settings, small_dataset: DatasetFiles, tmp_path: Path
) -> None:
    people = small_dataset.people
    redis_stack = contextlib.ExitStack()
    redis_url = redis_stack.enter_context(embedded_redis(tmp_path))
    app = create_app(msgspec.structs.replace(settings, redis_url=redis_url, redis_breaker_seconds=0.1))
    try:
        async with AsyncTestClient(app=app) as client:
            for person in people[:5]:
                assert (await lookup(client, person.nik))[1]["registered"] is True
            redis_stack.close()  # Redis dies

            answers = [await lookup(client, person.nik) for person in people[:12]]
            assert [status for status, _ in answers] == [200] * 12  # cached and uncached alike
            assert all(body["registered"] for _, body in answers)
            assert app.state.services.lookup.cache.breaker.failures >= 1

            redis_url_again = redis_stack.enter_context(embedded_redis(tmp_path))  # Redis is back
            assert redis_url_again == redis_url
            fresh = aioredis.from_url(redis_url)

            unasked = iter(absent_niks(200))

            async def cache_writes_resumed() -> bool:
                await lookup(client, next(unasked))  # a new answer, written to Redis in the background
                return bool(await fresh.keys("dpt:*"))

            assert await eventually(cache_writes_resumed)
            await fresh.aclose()
    finally:
        redis_stack.close()


@pytest.mark.usefixtures("published")
async def test_a_stalled_redis_is_skipped_and_lookups_go_on(
    settings: Settings, small_dataset: DatasetFiles, tmp_path: Path
) -> None:
    with embedded_redis(tmp_path) as redis_url:
        app = create_app(
            msgspec.structs.replace(
                settings, redis_url=redis_url, redis_timeout_seconds=0.1, redis_breaker_seconds=5
            )
        )
        async with AsyncTestClient(app=app) as client:
            pauser = aioredis.from_url(redis_url)
            await pauser.execute_command("CLIENT", "PAUSE", "2000", "ALL")  # Redis stops answering
            answers = [await lookup(client, person.nik) for person in small_dataset.people[:10]]
            await pauser.execute_command("CLIENT", "UNPAUSE")
            await pauser.aclose()
        assert [status for status, _ in answers] == [200] * 10
        # One slow call opened the breaker; the rest did not wait for Redis at all. Exactly one: a
        # Redis call in the pause (2 s) would time out and count, and the breaker stays open
        # longer (5 s) than the pause, so any call made after it reopens finds Redis answering.
        assert app.state.services.lookup.cache.breaker.failures == 1


async def test_postgres_stopped_serves_cached_answers_and_recovers_without_restart(
    settings: Settings, small_dataset: DatasetFiles, tmp_path: Path, hasher: NikHasher
) -> None:
    people = small_dataset.people
    pg_stack = contextlib.ExitStack()
    database_url = pg_stack.enter_context(embedded_postgres(tmp_path))
    conn = await asyncpg.connect(database_url)
    await migrate(conn)
    await import_dataset(conn, voters_path=small_dataset.voters, tps_path=small_dataset.tps, hasher=hasher)
    await conn.close()
    app = create_app(msgspec.structs.replace(settings, database_url=database_url, db_timeout_seconds=1))
    try:
        async with AsyncTestClient(app=app) as client:
            for person in people[:3]:
                assert (await lookup(client, person.nik))[0] == 200
            pg_stack.close()  # PostgreSQL stops

            for person in people[:3]:  # cached answers keep being served
                status, body = await lookup(client, person.nik)
                assert (status, body["registered"]) == (200, True)
            uncached = await client.post("/api/v1/nik", json={"nik": people[4].nik})
            assert uncached.status_code == 503
            assert uncached.json()["error"]["code"] == "store_unavailable"
            assert int(uncached.headers["retry-after"]) >= 1

            async def not_ready() -> bool:
                return (await client.get("/health/ready")).status_code == 503

            assert await eventually(not_ready)

            pg_stack.enter_context(embedded_postgres(tmp_path))  # PostgreSQL is back

            async def answers_again() -> bool:
                return (await lookup(client, people[4].nik))[0] == 200

            assert await eventually(answers_again)
            assert (await client.get("/health/ready")).status_code == 200
    finally:
        pg_stack.close()


async def test_an_expiring_popular_answer_is_refreshed_once_across_workers(redis_url: str) -> None:
    loads: list[int] = []

    async def loader(batch: list[str]) -> list[bytes]:
        loads.append(len(batch))
        return [f'{{"version":{len(loads)}}}'.encode() for _ in batch]

    now = [1_000_000.0]
    redis = aioredis.from_url(redis_url)
    workers = [
        TieredCache(
            LocalCache(100, ttl=1, stale=60, clock=lambda: now[0]),
            redis,
            loader,
            lambda _value: 5,
            stale_seconds=60,
            clock=lambda: now[0],
        )
        for _ in range(2)
    ]
    assert await workers[0].get("popular", "popular") == b'{"version":1}'
    await workers[0].drain()
    assert await workers[1].get("popular", "popular") == b'{"version":1}'  # from Redis
    now[0] += 10  # past the local and the Redis lifetime, inside the stale window

    answers = await asyncio.gather(
        *(worker.get("popular", "popular") for worker in workers for _ in range(100))
    )
    assert set(answers) == {b'{"version":1}'}  # everyone answered at once, from the stale copy
    for worker in workers:
        await worker.drain()
    assert loads == [1, 1]  # one refresh in all, not one per request or per worker
    assert (await redis.get("popular") or b"")[8:] == b'{"version":2}'
    await redis.aclose()


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.InternalClientError("connection lost in the middle of a query"),
        asyncpg.ConnectionDoesNotExistError("connection was closed"),
        ConnectionResetError(),
        TimeoutError(),
    ],
)
def test_every_way_a_database_connection_dies_is_a_503_not_a_500(error: Exception) -> None:
    with pytest.raises(Unavailable) as raised, unavailable_on_store_errors():
        raise error
    assert raised.value.code == "store_unavailable" and raised.value.retry_after
