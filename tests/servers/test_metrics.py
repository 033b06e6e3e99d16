"""/metrics as an operator reads it: with `dpt serve --workers 2`, every scrape (many of them on one
kept-alive connection, as Prometheus scrapes) reports the sum over both workers; and each family
the runbook's dashboard reads moves when its event happens: shed, rate-limited, SMS outcomes,
searches by mode and confidence, the PostgreSQL pool in use and waited for, the dataset."""

from __future__ import annotations

import asyncio
import shutil
import time
from functools import partial
from pathlib import Path

import asyncpg
import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from service.importer import ImportSummary
from service.settings import Settings
from tests.conftest import client_with
from tests.support.factories import DatasetFiles, absent_niks, bearer, make_token
from tests.support.serving import dpt_serve, eventually, held_lookup
from tests.support.workers import dpt_serve_workers, metric_samples, scrape

Client = AsyncTestClient[Litestar]
NIK_ROUTE = ("dpt_requests_total", 'route="/api/v1/nik",status="200"')


def counted(url: str, expected: int) -> bool:
    return scrape(url).get(NIK_ROUTE) == expected


def per_worker_lookups(metrics_dir: Path, scratch: Path) -> dict[str, float]:
    """Each worker's own count of answered lookups, read from its own counter file alone."""
    counts = {}
    for path in metrics_dir.glob("counter_*.db"):
        pid = path.stem.rsplit("_", 1)[1]
        alone = scratch / pid
        alone.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        counts[pid] = metric_samples(generate_latest(registry).decode()).get(NIK_ROUTE, 0.0)
    return counts


async def test_two_workers_every_scrape_on_one_connection_reports_their_sum(
    settings: Settings, published: ImportSummary, small_dataset: DatasetFiles, tmp_path: Path
) -> None:
    leftover = tmp_path / "serve" / "metrics" / "counter_424242.db"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"left by an earlier run")
    # Nothing shed on a loaded machine: every lookup must be answered for the sums to be exact.
    patient = {"DPT_ADMISSION_TARGET_LAG_SECONDS": "5", "DPT_MAX_QUEUED": "100", "DPT_QUEUE_SECONDS": "20"}
    with dpt_serve_workers(
        settings, tmp_path / "serve", 2, DPT_RATE_LIMIT_EXEMPT="127.0.0.0/8", **patient
    ) as served:
        assert not leftover.exists(), "dpt serve must empty the metrics folder before the workers start"
        people = iter(small_dataset.people)
        sent = 0
        # Each lookup on a connection of its own, all at once, until both workers have answered some.
        async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            for _ in range(5):
                batch = [next(people) for _ in range(20)]
                answers = await asyncio.gather(
                    *(client.post(f"{served.url}/api/v1/nik", json={"nik": person.nik}) for person in batch)
                )
                assert [answer.status_code for answer in answers] == [200] * len(batch)
                sent += len(batch)
                await eventually(partial(counted, served.url, sent), "both workers flushed")
                by_worker = per_worker_lookups(served.metrics_dir, tmp_path / "alone")
                if sum(1 for count in by_worker.values() if count > 0) == 2:
                    break
        assert sorted(by_worker.values()) != [0.0, float(sent)] and sum(by_worker.values()) == sent
        # Prometheus keeps one connection open: one worker answers every scrape, and each says the sum.
        with httpx.Client(timeout=10) as kept_alive:
            scrapes = [scrape(served.url, kept_alive) for _ in range(25)]
        for samples in scrapes:
            assert samples[NIK_ROUTE] == sent
            assert samples[("dpt_workers", "")] == 2
            assert samples[("dpt_request_duration_seconds_count", 'route="/api/v1/nik"')] == sent
            assert samples[("dpt_request_duration_seconds_bucket", 'le="+Inf",route="/api/v1/nik"')] == sent
            tiers = [value for (name, _), value in samples.items() if name == "dpt_cache_lookups_total"]
            assert sum(tiers) == sent  # each lookup answered from exactly one tier
            assert samples[("dpt_db_pool_connections", "")] >= 2
        last = scrapes[-1]
        info = [labels for (name, labels), value in last.items() if name == "dpt_dataset_info" and value == 1]
        assert info == [f'election="Pilkada Test 2024",polling_date="",version="{published.version}"']
        assert time.time() - 3600 < last[("dpt_dataset_published_timestamp_seconds", "")] <= time.time()
        assert last[("dpt_dataset_published", "")] == published.dataset_id


def totals(samples: dict[tuple[str, str], float], name: str, contains: str = "") -> float:
    return sum(value for (sample, labels), value in samples.items() if sample == name and contains in labels)


def grown(
    before: dict[tuple[str, str], float], after: dict[tuple[str, str], float], name: str, contains: str = ""
) -> float:
    return totals(after, name, contains) - totals(before, name, contains)


async def metrics_of(client: Client) -> dict[tuple[str, str], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return metric_samples(response.text)


async def test_shedding_and_the_pool_in_use_and_waited_for_are_seen(
    settings: Settings,
    published: ImportSummary,
    small_dataset: DatasetFiles,
    locked_voters: asyncpg.Connection,
) -> None:
    """One worker with one PostgreSQL connection, working on one request at a time: a lookup held
    by the locked voter table has the connection, the dataset poll waits for it, the next lookup
    is shed."""
    env = {"DPT_MAX_IN_FLIGHT": "1", "DPT_MAX_QUEUED": "0", "DPT_DB_TIMEOUT_SECONDS": "120"}
    env |= {"DPT_DB_POOL_MIN": "1", "DPT_DB_POOL_MAX": "1", "DPT_RATE_LIMIT_EXEMPT": "127.0.0.0/8"}
    with dpt_serve(settings, **env) as (url, _):
        async with httpx.AsyncClient(timeout=60) as client:
            before = scrape(url)
            held = await held_lookup(client, url, small_dataset.people[0].nik)
            shed = await client.post(f"{url}/api/v1/nik", json={"nik": small_dataset.people[1].nik})
            assert shed.status_code == 503
            await eventually(lambda: scrape(url).get(("dpt_db_pool_waiting", ""), 0) >= 1, "the poll waits")
            during = scrape(url)
            await locked_voters.close()
            assert (await held).status_code == 200
            after = scrape(url)
    assert during[("dpt_requests_in_flight", "")] == 1
    assert during[("dpt_db_pool_in_use", "")] == 1 == during[("dpt_db_pool_connections", "")]
    assert after[("dpt_db_pool_waiting", "")] == 0 and after[("dpt_requests_in_flight", "")] == 0
    assert grown(before, during, "dpt_requests_shed_total") == 1
    assert grown(before, during, "dpt_requests_total", 'route="/api/v1/nik",status="503"') == 1
    assert grown(before, after, "dpt_requests_total", 'route="/api/v1/nik",status="200"') == 1


async def test_rate_limits_sms_outcomes_and_searches_are_counted(
    settings: Settings, published: ImportSummary, small_dataset: DatasetFiles, conn: asyncpg.Connection
) -> None:
    sms_token = await make_token(conn, "sms", None, name="gateway")
    helpdesk = await make_token(conn, "helpdesk", "18.72", name="desk")
    person = small_dataset.people[4]
    async with client_with(settings) as client:
        before = await metrics_of(client)
        for text in (f"DPT {person.nik}", f"DPT {absent_niks(1)[0]}", "DPT 123", "BANTUAN"):
            reply = await client.post(
                "/sms/inbound", json={"from": "+6281234567890", "text": text}, headers=bearer(sms_token)
            )
            assert reply.status_code == 200
        public = {"name": person.name.lower(), "birth_date": person.birth_date.isoformat(), "region": "18.72"}
        found = await client.post("/api/v1/search", json=public)
        assert found.status_code == 200, found.text
        assert found.json()["results"][0]["confident"] is True
        nobody = {"name": "XAVERIUS QUINTEN", "region": "18.72"}
        assert (await client.post("/api/v1/search", json=nobody, headers=bearer(helpdesk))).status_code == 200
        after = await metrics_of(client)

    for outcome in ("registered", "not_registered", "invalid_nik", "help"):
        assert grown(before, after, "dpt_sms_total", f'outcome="{outcome}"') == 1, outcome
    assert grown(before, after, "dpt_searches_total", 'confidence="confident",mode="public"') == 1
    assert grown(before, after, "dpt_searches_total", 'confidence="none",mode="helpdesk"') == 1

    # Last: the address's bucket, once emptied, stays so for the rest of the test.
    async with client_with(settings, rate_address_burst=2, rate_address_per_minute=1.0) as client:
        before = await metrics_of(client)
        statuses = [
            (await client.post("/api/v1/nik", json={"nik": person.nik})).status_code for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        after = await metrics_of(client)
    assert grown(before, after, "dpt_requests_rate_limited_total") == 1
    assert grown(before, after, "dpt_requests_total", 'route="/api/v1/nik",status="429"') == 1
