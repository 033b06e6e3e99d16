"""The two-tier cache with real Redis and PostgreSQL: tiers, single flight, invalidation, outages."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import msgspec
import pytest
import redis.asyncio as aioredis

from service.app import open_redis
from service.cache.breaker import RedisBreaker
from service.cache.local import LocalCache
from service.errors import NoDataset, Unavailable
from service.importer import ImportSummary, import_dataset
from service.nik.lookup import Answer, NikLookup
from service.nik.parse import NikHasher, parse_nik
from service.settings import Settings
from service.store import Store
from service.voters.published import Published
from tests.support.factories import DatasetFiles, make_nik, write_small_dataset

LookupFactory = Callable[..., NikLookup]


@pytest.fixture
async def make_lookup(settings: Settings) -> AsyncIterator[LookupFactory]:
    created: list[tuple[NikLookup, asyncpg.Pool, aioredis.Redis]] = []

    def factory(**overrides: object) -> NikLookup:
        chosen = msgspec.structs.replace(settings, **overrides)
        pool = asyncpg.create_pool(chosen.database_url, min_size=0, max_size=4)
        redis = open_redis(chosen)
        store = Store(pool, chosen.db_timeout_seconds)
        published = Published(store, chosen.dataset_poll_seconds)
        lookup = NikLookup(store, redis, chosen, published, RedisBreaker(chosen.redis_breaker_seconds))
        created.append((lookup, pool, redis))
        return lookup

    yield factory
    for lookup, pool, redis in created:
        await lookup.close()
        await redis.aclose()
        await pool.close()


async def ready(lookup: NikLookup) -> NikLookup:
    await lookup.store.pool  # type: ignore[misc]  # asyncpg pools are awaitable to initialise
    await lookup.published.refresh()
    return lookup


def decode(answer: Answer) -> dict[str, object]:
    return msgspec.json.decode(answer.body)  # type: ignore[no-any-return]


def test_local_cache_expires_and_stays_bounded() -> None:
    now = [0.0]
    cache = LocalCache(max_entries=3, ttl=5, clock=lambda: now[0])
    for key in "abcd":
        cache.put(key, key.encode())
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") == b"d"
    now[0] = 5.5
    assert cache.get("b") is None and cache.get("d") is None


@pytest.mark.usefixtures("published")
async def test_answers_come_from_store_then_local_then_redis_in_another_worker(
    make_lookup: LookupFactory, small_dataset: DatasetFiles
) -> None:
    nik = parse_nik(small_dataset.people[5].nik)
    first = await ready(make_lookup())
    answer = await first.answer(nik)
    assert decode(answer)["registered"] is True
    assert (first.cache.stats.misses, first.cache.stats.local_hits) == (1, 0)
    assert await first.answer(nik) == answer
    assert first.cache.stats.local_hits == 1
    await first.cache.drain()
    second = await ready(make_lookup())
    assert await second.answer(nik) == answer
    assert (second.cache.stats.redis_hits, second.cache.stats.misses) == (1, 0)


@pytest.mark.usefixtures("published")
async def test_concurrent_misses_for_one_key_make_one_query(
    make_lookup: LookupFactory, small_dataset: DatasetFiles
) -> None:
    lookup = await ready(make_lookup())
    nik = parse_nik(small_dataset.people[1].nik)
    answers = await asyncio.gather(*(lookup.answer(nik) for _ in range(50)))
    assert len(set(answers)) == 1
    assert lookup.cache.stats.misses == 1
    assert lookup.cache.stats.store_batches == 1
    assert lookup.cache.stats.coalesced == 49


@pytest.mark.usefixtures("published")
async def test_concurrent_misses_for_many_keys_share_one_batched_query(
    make_lookup: LookupFactory, small_dataset: DatasetFiles
) -> None:
    lookup = await ready(make_lookup())
    niks = [parse_nik(person.nik) for person in small_dataset.people[:40]]
    answers = await asyncio.gather(*(lookup.answer(nik) for nik in niks))
    assert all(decode(answer)["registered"] for answer in answers)
    names = {decode(answer)["voter"]["name"] for answer in answers}  # type: ignore[index]
    assert len(names) > 1
    assert lookup.cache.stats.store_batches == 1 and lookup.cache.stats.misses == 40


@pytest.mark.usefixtures("published")
async def test_negative_answers_are_cached_with_a_shorter_life(
    make_lookup: LookupFactory, redis_url: str
) -> None:
    lookup = await ready(make_lookup())
    absent = parse_nik(make_nik("18.72.04", dt.date(1985, 3, 9), "P", 4321))
    assert decode(await lookup.answer(absent))["registered"] is False
    assert decode(await lookup.answer(absent))["registered"] is False
    assert lookup.cache.stats.misses == 1 and lookup.cache.stats.local_hits == 1
    await lookup.cache.drain()
    client = aioredis.from_url(redis_url)
    keys = await client.keys("dpt:*")
    assert len(keys) == 1
    ttl = await client.ttl(keys[0])
    stored = await client.get(keys[0])
    await client.aclose()
    settings = lookup.settings
    # Fresh for the negative lifetime, then kept as stale for `stale_seconds` more.
    assert (
        settings.negative_cache_ttl_seconds
        < ttl
        <= settings.negative_cache_ttl_seconds + settings.stale_seconds
    )
    fresh_for = int.from_bytes(stored[:8], "big") / 1000 - time.time()
    assert 0 < fresh_for <= settings.negative_cache_ttl_seconds


@pytest.fixture
def publish_renamed(
    conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher
) -> Callable[[], Awaitable[ImportSummary]]:
    """Import and publish version v2 of the small dataset, every name ending in BARU."""

    async def publish() -> ImportSummary:
        renamed = write_small_dataset(tmp_path / "renamed", name_suffix=" BARU")
        return await import_dataset(
            conn, voters_path=renamed.voters, tps_path=renamed.tps, hasher=hasher, version="v2"
        )

    return publish


async def test_publishing_a_new_version_invalidates_every_cached_answer(
    make_lookup: LookupFactory,
    publish_renamed: Callable[[], Awaitable[ImportSummary]],
    published: ImportSummary,
    small_dataset: DatasetFiles,
) -> None:
    lookup = await ready(make_lookup())
    person = small_dataset.people[2]
    nik = parse_nik(person.nik)
    before = decode(await lookup.answer(nik))
    assert before["dataset"]["version"] == published.version  # type: ignore[index]
    await publish_renamed()
    await lookup.published.refresh()
    after = decode(await lookup.answer(nik))
    assert after["dataset"]["version"] == "v2"  # type: ignore[index]
    assert after["voter"]["name"].endswith("B**U")  # type: ignore[index]
    assert lookup.cache.stats.misses == 2


async def test_no_published_dataset_is_a_clear_unavailable(make_lookup: LookupFactory) -> None:
    lookup = await ready(make_lookup())
    with pytest.raises(NoDataset) as raised:
        await lookup.answer(parse_nik("1872015407530001"))
    assert raised.value.status == 503


@pytest.mark.usefixtures("published")
async def test_redis_down_still_answers_from_the_store(
    make_lookup: LookupFactory, small_dataset: DatasetFiles
) -> None:
    lookup = await ready(make_lookup(redis_url="redis://127.0.0.1:1/0"))
    answer = decode(await lookup.answer(parse_nik(small_dataset.people[0].nik)))
    assert answer["registered"] is True
    await lookup.cache.drain()
    assert lookup.cache.stats.redis_errors >= 1


@pytest.mark.usefixtures("published")
async def test_store_down_serves_cached_answers_and_refuses_the_rest(
    make_lookup: LookupFactory, small_dataset: DatasetFiles
) -> None:
    lookup = await ready(make_lookup())
    cached = parse_nik(small_dataset.people[0].nik)
    await lookup.answer(cached)
    await lookup.store.pool.close()  # the database goes away for this worker
    assert decode(await lookup.answer(cached))["registered"] is True
    with pytest.raises(Unavailable) as raised:
        await lookup.answer(parse_nik(small_dataset.people[1].nik))
    assert raised.value.code == "store_unavailable"
    await lookup.published.refresh()
    assert lookup.published.store_ok is False


async def test_answers_during_a_reimport_are_whole_and_from_one_version(
    make_lookup: LookupFactory,
    publish_renamed: Callable[[], Awaitable[ImportSummary]],
    published: ImportSummary,
    small_dataset: DatasetFiles,
) -> None:
    """Lookups keep succeeding while a new version loads and publishes; each answer is one version."""
    lookup = await ready(make_lookup(dataset_poll_seconds=0.01, local_cache_ttl_seconds=0.001))
    watcher = asyncio.create_task(lookup.published.watch())
    seen: set[tuple[str, str]] = set()
    niks = [parse_nik(person.nik) for person in small_dataset.people]
    after_publish = 20  # answers of the new version each reader reads once it is published

    async def reader(offset: int) -> None:
        """Reads from before the publish until it has read `after_publish` answers of v2."""
        index, new_answers = offset, 0
        while new_answers < after_publish:
            answer = decode(await lookup.answer(niks[index % len(niks)]))
            assert answer["registered"] is True
            version: str = answer["dataset"]["version"]  # type: ignore[index]
            last_word = answer["voter"]["name"].rsplit(" ", 1)[-1]  # type: ignore[index]
            seen.add((version, last_word))
            new_answers += version == "v2"
            index += 7
            await asyncio.sleep(0)

    readers = [asyncio.create_task(reader(offset)) for offset in range(4)]
    await publish_renamed()
    try:
        # The watcher polls every 0.01 s: every reader soon reads v2; a deadline, not a pause.
        async with asyncio.timeout(30):
            await asyncio.gather(*readers)
    except TimeoutError:
        raise AssertionError(f"the readers did not all read v2 within 30 s; they saw {seen}") from None
    finally:
        watcher.cancel()
    # Small-dataset names end in a word of their own; the renamed version's all end in B**U.
    versions = {version for version, _ in seen}
    assert versions == {published.version, "v2"}
    assert all((word == "B**U") == (version == "v2") for version, word in seen)
