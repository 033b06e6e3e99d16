"""Test servers and fixtures: real PostgreSQL and Redis, a fresh database per test.

Servers: DPT_TEST_DATABASE_URL / DPT_TEST_REDIS_URL when set; else the defaults on 127.0.0.1 when
reachable; else private embedded servers under .pytest-servers/ (DPT_TEST_EMBEDDED=1 forces them).

Redis: the suite flushes its Redis database before and after every test that uses it, so it
owns a database number of its own: db 14 of the local Redis by default (not db 0, where every
other client lands unless told otherwise, nor db 15, which the benchmarks flush, see
loadtest/README.md), or the database DPT_TEST_REDIS_URL names. It never flushes database 0 of a
server it did not start itself (the embedded one under .pytest-servers/ it did start).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest
import redis.asyncio as aioredis
from hypothesis import settings as hypothesis_settings
from litestar.testing import AsyncTestClient
from redis.connection import parse_url as parse_redis_url

from service.app import create_app
from service.embedded import servers_or_embedded, with_database
from service.importer import ImportSummary, import_dataset
from service.nik.parse import NikHasher
from service.settings import Settings, load_settings
from service.store.migrate import migrate
from tests.support.factories import DatasetFiles, write_small_dataset
from tests.support.serving import TEST_NIK_KEY

# Under CI the property tests replay the same examples every run: a failure is reproducible and
# never a coin toss; locally they explore new examples each time.
hypothesis_settings.register_profile("ci", derandomize=True, max_examples=200)
if os.environ.get("CI") == "true":
    hypothesis_settings.load_profile("ci")

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
# The suite's own Redis database (see above): flushed around every test, so never db 0.
SUITE_REDIS_DB = 14
DEFAULT_REDIS_URL = f"redis://127.0.0.1:6379/{SUITE_REDIS_DB}"
ROOT = Path(__file__).resolve().parents[1]
EMBEDDED_DIR = ROOT / ".pytest-servers"


def suite_owned_redis(url: str) -> str:
    """`url` when the suite may flush the database it names: any database but 0, or database 0
    of the private embedded Redis the suite started itself; otherwise fail the test run."""
    parsed = parse_redis_url(url)
    if int(parsed.get("db", 0)) != 0:
        return url
    socket_path = parsed.get("path")
    if socket_path and Path(socket_path).resolve().is_relative_to(EMBEDDED_DIR.resolve()):
        return url
    pytest.fail(
        f"the tests flush their Redis database before and after each test, and {url} is database 0 "
        f"of a server they did not start: set DPT_TEST_REDIS_URL to a database of its own "
        f"(e.g. redis://127.0.0.1:6379/{SUITE_REDIS_DB})",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def server_urls() -> Iterator[tuple[str, str]]:
    with servers_or_embedded(
        os.environ.get("DPT_TEST_DATABASE_URL") or None,
        os.environ.get("DPT_TEST_REDIS_URL") or None,
        defaults=(DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL),
        data_dir=EMBEDDED_DIR,
        force=os.environ.get("DPT_TEST_EMBEDDED") == "1",
    ) as urls:
        yield urls


@pytest.fixture(scope="session")
async def template_database(server_urls: tuple[str, str]) -> str:
    """A database migrated once (with all regions), copied for each test."""
    admin_url = server_urls[0]
    name = f"dpt_template_{os.getpid()}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'drop database if exists "{name}"')
        await admin.execute(f'create database "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(with_database(admin_url, name))
    try:
        await migrate(conn, lambda _line: None)
    finally:
        await conn.close()
    return name


@contextlib.asynccontextmanager
async def database_from_template(
    admin_url: str, template: str, prefix: str = "dpt_test"
) -> AsyncIterator[str]:
    """A fresh database copied from the migrated template; dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'create database "{name}" template "{template}"')
    finally:
        await admin.close()
    try:
        yield with_database(admin_url, name)
    finally:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'drop database if exists "{name}" with (force)')
        finally:
            await admin.close()


@pytest.fixture
async def database_url(server_urls: tuple[str, str], template_database: str) -> AsyncIterator[str]:
    async with database_from_template(server_urls[0], template_database) as url:
        yield url


@pytest.fixture
async def redis_url(server_urls: tuple[str, str]) -> AsyncIterator[str]:
    """The suite's own Redis database, empty at the start and the end of the test."""
    client = aioredis.from_url(suite_owned_redis(server_urls[1]))
    await client.flushdb()
    yield server_urls[1]
    await client.flushdb()
    await client.aclose()


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url)
    yield connection
    await connection.close()


@pytest.fixture
def settings(database_url: str, redis_url: str) -> Settings:
    # Limits far above what any test sends; tests of the limits set their own.
    return load_settings(
        {},
        database_url=database_url,
        redis_url=redis_url,
        nik_key=TEST_NIK_KEY,
        dataset_poll_seconds=0.05,
        # A loaded CI machine can take longer than the production 0.25 s; a timeout would open
        # the Redis breaker and tests that expect answers in Redis would see none.
        redis_timeout_seconds=2.0,
        rate_address_per_minute=1e6,
        rate_address_burst=10_000,
        misses_address_per_hour=1e6,
        misses_address_burst=10_000,
        rate_token_per_minute=1e6,
        rate_token_burst=10_000,
        misses_token_per_hour=1e6,
        misses_token_burst=10_000,
    )


@pytest.fixture
async def locked_voters(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """Holds a lock on the voter table: lookups that reach PostgreSQL wait until it is released
    (close the connection)."""
    blocker = await asyncpg.connect(database_url)
    transaction = blocker.transaction()
    await transaction.start()
    await blocker.execute("lock table voter in access exclusive mode")
    try:
        yield blocker
    finally:
        if not blocker.is_closed():
            await transaction.rollback()
            await blocker.close()


@pytest.fixture
def hasher() -> NikHasher:
    return NikHasher(TEST_NIK_KEY)


@pytest.fixture
def small_dataset(tmp_path: Path) -> DatasetFiles:
    return write_small_dataset(tmp_path / "small")


@pytest.fixture
async def published(
    conn: asyncpg.Connection, small_dataset: DatasetFiles, hasher: NikHasher
) -> ImportSummary:
    return await import_dataset(
        conn,
        voters_path=small_dataset.voters,
        tps_path=small_dataset.tps,
        hasher=hasher,
        election="Pilkada Test 2024",
        version="v1",
    )


@contextlib.asynccontextmanager
async def client_with(settings: Settings, **changes: Any) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """An in-process client of the app with some settings changed (stricter limits, a Twilio token)."""
    async with AsyncTestClient(app=create_app(msgspec.structs.replace(settings, **changes))) as test_client:
        yield test_client


@pytest.fixture
async def client(settings: Settings, published: ImportSummary) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with client_with(settings) as test_client:
        yield test_client
