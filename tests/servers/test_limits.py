"""Rate limits and anti-enumeration (in real Redis), admission control, and who a caller is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace

import asyncpg
import pytest
import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from service.access import tokens as access_module
from service.access.tokens import Tokens
from service.cache.breaker import RedisBreaker
from service.edge.caller import raw_header
from service.errors import RateLimited, Unauthorized
from service.importer import ImportSummary
from service.protection.addresses import Networks, client_address
from service.protection.admission import Admission
from service.protection.buckets import Limit, Limits
from service.protection.ratelimit import RateLimiter
from service.settings import Settings
from service.store import Store
from tests.conftest import client_with
from tests.support.factories import DatasetFiles, absent_niks, bearer, make_token


@pytest.fixture
async def strict_client(settings: Settings, published: ImportSummary) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    """Low limits: 5 requests at once per address, 3 distinct unregistered NIKs."""
    async with client_with(
        settings,
        rate_address_per_minute=60.0,
        rate_address_burst=5,
        misses_address_per_hour=6.0,
        misses_address_burst=3,
        misses_token_per_hour=600.0,
        misses_token_burst=50,
    ) as test_client:
        yield test_client


async def test_requests_beyond_the_burst_get_429_with_retry_after(
    strict_client: AsyncTestClient,  # type: ignore[type-arg]
    small_dataset: DatasetFiles,
) -> None:
    nik = small_dataset.people[0].nik
    statuses = [(await strict_client.post("/api/v1/nik", json={"nik": nik})).status_code for _ in range(5)]
    assert statuses == [200] * 5
    refused = await strict_client.post("/api/v1/nik", json={"nik": nik})
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert refused.json()["error"]["message"] and refused.json()["error"]["message_en"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60


async def test_walking_unregistered_niks_is_stopped_but_a_help_desk_is_not(
    strict_client: AsyncTestClient,  # type: ignore[type-arg]
    small_dataset: DatasetFiles,
    conn: asyncpg.Connection,
) -> None:
    registered = small_dataset.people[1].nik
    # Someone walking serial numbers: each NIK distinct and not on the DPT.
    walked = [await strict_client.post("/api/v1/nik", json={"nik": nik}) for nik in absent_niks(4)]
    assert [r.status_code for r in walked] == [200, 200, 200, 429]  # 3 misses at once, no more
    blocked = await strict_client.post("/api/v1/nik", json={"nik": registered})
    assert blocked.status_code == 429  # even a registered NIK is refused: the walk is over
    assert int(blocked.headers["retry-after"]) > 60  # and for a long while

    # A help desk (token) asking the same few NIKs again and again, some of them not registered.
    headers = bearer(await make_token(conn, "helpdesk", "18.72", name="desk"))
    repeated = [registered, absent_niks(1)[0], small_dataset.people[2].nik] * 10
    answers = [
        await strict_client.post("/api/v1/nik", json={"nik": nik}, headers=headers) for nik in repeated
    ]
    assert {r.status_code for r in answers} == {200}


async def test_malformed_niks_cost_requests_but_are_not_misses(
    strict_client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    answers = [await strict_client.post("/api/v1/nik", json={"nik": "2222222222222222"}) for _ in range(6)]
    assert [r.status_code for r in answers] == [422] * 5 + [429]


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    proxies = Networks("10.0.0.0/8, 127.0.0.1/32")
    assert client_address("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"  # not a proxy
    assert client_address("127.0.0.1", "198.51.100.1", proxies) == "198.51.100.1"
    # The nearest untrusted hop wins; anything left of it could be forged by the client.
    assert client_address("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.1.1", proxies) == "198.51.100.1"
    assert client_address("127.0.0.1", None, proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", "garbage", proxies) == "garbage"
    assert "127.0.0.1" not in Networks("")


def test_exempt_addresses_skip_limits_and_tokens_are_limited_per_token() -> None:
    limits = Limits(Limit(60, 5), Limit(1, 3))
    limiter = RateLimiter(
        None,
        {"address": limits, "token": limits},
        secret="s" * 20,
        breaker=RedisBreaker(1),
        exempt=Networks("192.0.2.0/24"),
    )
    assert limiter.caller("192.0.2.7", None) is None
    address = limiter.caller("198.51.100.4", None)
    token = limiter.caller("198.51.100.4", None, token_id=7)
    assert address is not None and token is not None
    assert (address.kind, token.kind) == ("address", "token")
    assert "198.51.100.4" not in address.key  # a keyed hash, never the address itself


async def test_limits_fall_back_to_local_when_redis_is_down_and_return_to_it(redis_url: str) -> None:
    limits = {"address": Limits(Limit(60, 2), Limit(1, 3))}
    breaker = RedisBreaker(0.05)
    down = RateLimiter(aioredis.from_url("redis://127.0.0.1:1/0"), limits, secret="s" * 20, breaker=breaker)
    client = down.client("address", "198.51.100.5")
    await down.admit(client)
    await down.admit(client)
    with pytest.raises(RateLimited):  # still limited with Redis gone: the local buckets
        await down.admit(client)
    assert breaker.failures >= 1

    redis = aioredis.from_url(redis_url)
    up = RateLimiter(redis, limits, secret="s" * 20, breaker=breaker)
    await asyncio.sleep(0.06)  # the breaker lets Redis be tried again
    await up.admit(up.client("address", "198.51.100.6"))
    assert any(key.endswith(b":req") for key in await redis.keys("rl:*"))
    await redis.aclose()


async def test_admission_sheds_beyond_its_queue_and_hands_slots_on() -> None:
    admission = Admission(max_in_flight=1, queue_seconds=0.05, max_queued=1)
    assert await admission.enter()
    waiting = asyncio.ensure_future(admission.enter())
    await asyncio.sleep(0)
    assert not await admission.enter()  # the queue (1) is full: shed at once
    admission.leave()  # the slot goes to the waiter
    assert await waiting and admission.in_flight == 1
    assert not await admission.enter()  # waits 50 ms, no slot frees up: shed
    assert admission.shed == 2
    admission.leave()
    assert admission.in_flight == 0


async def test_a_waiter_that_gives_up_does_not_leak_its_slot() -> None:
    admission = Admission(max_in_flight=1, queue_seconds=5, max_queued=4)
    assert await admission.enter()
    waiter = asyncio.ensure_future(admission.enter())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    admission.leave()
    assert admission.in_flight == 0
    assert await admission.enter()


async def test_admission_lets_fewer_in_while_the_loop_runs_late_and_recovers() -> None:
    admission = Admission(max_in_flight=20, queue_seconds=5, max_queued=10, target_lag=0.005)
    for _ in range(5):
        admission.adapt(0.05)  # the worker's loop is 50 ms behind
    assert admission.limit == 10  # a tenth less per tick: 20, 18, 16, 14, 12, 10
    for _ in range(10):
        assert await admission.enter()
    assert not await admission.enter()  # behind: shed at once, no queueing
    assert admission.shed == 1
    admission.adapt(0.0)  # back on time, and the limit was reached: one more slot per tick
    assert admission.limit == 11
    admission.adapt(0.0)  # not reached since: stays
    assert admission.limit == 11
    assert await admission.enter()  # slot 11
    waiting = asyncio.ensure_future(admission.enter())  # on time again, so it may queue
    await asyncio.sleep(0)
    admission.leave()
    assert await waiting


def test_a_late_loop_never_raises_the_limit_above_its_setting() -> None:
    admission = Admission(max_in_flight=1, queue_seconds=0, max_queued=0)
    admission.adapt(1.0)
    assert admission.limit == 1


def test_ipv6_clients_are_limited_per_64_and_every_forwarded_line_is_read() -> None:
    limits = Limits(Limit(60, 5), Limit(1, 3))
    limiter = RateLimiter(None, {"address": limits}, secret="s" * 20, breaker=RedisBreaker(1))
    same = {limiter.caller(address, None) for address in ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9")}
    other = limiter.caller("2001:db8:1:3::1", None)
    assert len(same) == 1 and other not in same

    request = SimpleNamespace(
        scope={"headers": [(b"x-forwarded-for", b"6.6.6.6"), (b"x-forwarded-for", b"198.51.100.7")]}
    )
    joined = raw_header(request, b"x-forwarded-for")  # type: ignore[arg-type]
    assert joined == "6.6.6.6, 198.51.100.7"
    assert client_address("127.0.0.1", joined, Networks("127.0.0.1/32")) == "198.51.100.7"


async def test_made_up_tokens_never_push_a_real_one_out_of_the_token_cache(
    database_url: str, conn: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access_module, "_CACHE_ENTRIES", 50)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        access = Tokens(Store(pool, timeout=2.0))
        token = await make_token(conn, "helpdesk", "18.72", name="kept")
        known = await access.principal(f"Bearer {token}")
        # Revoked now: only the cache still knows it, and a flood must not push it out.
        await conn.execute("update api_token set revoked_at = now() where name = 'kept'")
        for index in range(120):
            with pytest.raises(Unauthorized):
                await access.principal(f"Bearer made-up-{index:04d}")
        assert await access.principal(f"Bearer {token}") == known
    finally:
        await pool.close()
