"""Valkey (BSD, the Redis fork Debian 13 ships) as the service's shared cache, beside the Redis the
rest of the suite uses: the Valkey server of the embedded extra on a loopback port, and the NIK
lookup, two-tier cache and rate-limit tests of the other modules run again against it.

The tests imported below are collected here too, with this module's `redis_url` (Valkey) in
place of the suite's; the originals still run against Redis in their own modules.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
import redis.asyncio as aioredis

from service.embedded import embedded_redis
from service.importer import ImportSummary
from service.settings import Settings
from tests.conftest import client_with
from tests.servers.test_abuse import (  # noqa: F401 - fixtures and tests collected again here
    guarded,
    test_concurrent_misses_never_overshoot_the_burst,
    test_the_same_miss_again_is_free,
)
from tests.servers.test_api_nik import (  # noqa: F401
    test_registered_voter_gets_masked_name_tps_region_and_map,
    test_well_formed_nik_not_on_the_dpt,
)
from tests.servers.test_cache import (  # noqa: F401
    make_lookup,
    publish_renamed,
    test_answers_come_from_store_then_local_then_redis_in_another_worker,
    test_concurrent_misses_for_many_keys_share_one_batched_query,
    test_negative_answers_are_cached_with_a_shorter_life,
    test_publishing_a_new_version_invalidates_every_cached_answer,
)
from tests.servers.test_degraded import (  # noqa: F401
    test_an_expiring_popular_answer_is_refreshed_once_across_workers,
)
from tests.servers.test_limits import (  # noqa: F401
    strict_client,
    test_limits_fall_back_to_local_when_redis_is_down_and_return_to_it,
    test_requests_beyond_the_burst_get_429_with_retry_after,
    test_walking_unregistered_niks_is_stopped_but_a_help_desk_is_not,
)
from tests.support.factories import DatasetFiles
from tests.support.serving import free_port


@pytest.fixture(scope="module")
def valkey_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with embedded_redis(tmp_path_factory.mktemp("valkey"), port=free_port()) as url:
        yield url


@pytest.fixture
async def redis_url(valkey_server: str) -> AsyncIterator[str]:
    """Valkey in place of the suite's Redis for every test of this module, empty around each."""
    client = aioredis.from_url(valkey_server)
    await client.flushdb()
    yield valkey_server
    await client.flushdb()
    await client.aclose()


async def test_the_server_here_is_valkey_on_loopback(redis_url: str) -> None:
    assert redis_url.startswith("redis://127.0.0.1:")
    client = aioredis.from_url(redis_url)
    try:
        server = await client.info("server")
    finally:
        await client.aclose()
    assert server["server_name"] == "valkey"
    assert int(str(server["valkey_version"]).split(".")[0]) >= 8


async def test_valkey_holds_the_answer_and_the_limits_but_no_nik(
    settings: Settings, published: ImportSummary, small_dataset: DatasetFiles, redis_url: str
) -> None:
    person = small_dataset.people[2]
    # Limits low enough that Valkey keeps the bucket (the suite's own are so high it expires at once).
    async with client_with(settings, rate_address_per_minute=60.0, rate_address_burst=5) as client:
        assert (await client.post("/api/v1/nik", json={"nik": person.nik})).status_code == 200
    valkey = aioredis.from_url(redis_url)
    try:
        async with asyncio.timeout(10):  # the answer is written to Valkey after it is sent
            while not await valkey.keys("dpt:*"):  # noqa: ASYNC110 - Valkey has no event to wait on
                await asyncio.sleep(0.02)
        keys = await valkey.keys("*")
        values = [await valkey.dump(key) or b"" for key in keys]
    finally:
        await valkey.aclose()
    assert any(key.startswith(b"dpt:") for key in keys)  # the cached answer
    assert any(key.startswith(b"rl:") for key in keys)  # the caller's rate-limit bucket
    blob = b"".join(keys + values)
    assert person.nik.encode() not in blob and person.name.encode() not in blob
