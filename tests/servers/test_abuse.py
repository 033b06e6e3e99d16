"""Attacks found by trying the service as a stranger would: guessing names against a masked
answer, walking NIKs through one SMS gateway or all at once, made-up tokens, IPv4 clients seen
through IPv6, hostile charsets and bodies; and the audit and revocation an operator relies on."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.cache.breaker import RedisBreaker
from service.importer import ImportSummary
from service.protection.addresses import Networks
from service.protection.buckets import Limit, Limits
from service.protection.ratelimit import RateLimiter
from service.settings import Settings
from tests.conftest import client_with
from tests.support.factories import DatasetFiles, absent_niks, bearer, make_token
from tests.support.serving import dpt_serve

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture
async def guarded(settings: Settings, published: ImportSummary) -> AsyncIterator[Client]:
    """The production defaults for misses, gateways and token look-ups (the suite's are far higher)."""
    async with client_with(
        settings,
        misses_address_per_hour=20.0,
        misses_address_burst=10,
        misses_gateway_per_hour=60.0,
        misses_gateway_burst=10,
        rate_token_lookups_per_minute=30.0,
        rate_token_lookups_burst=10,
    ) as client:
        yield client


async def test_concurrent_misses_never_overshoot_the_burst(guarded: Client) -> None:
    answers = await asyncio.gather(
        *(guarded.post("/api/v1/nik", json={"nik": nik}) for nik in absent_niks(30))
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * 10 + [429] * 20  # the burst of ten holds, however they arrive
    assert all(a.json()["registered"] is False for a in answers if a.status_code == 200)


async def test_the_same_miss_again_is_free(guarded: Client) -> None:
    nik = absent_niks(1)[0]
    statuses = [(await guarded.post("/api/v1/nik", json={"nik": nik})).status_code for _ in range(15)]
    assert statuses == [200] * 15  # a resident retyping their own NIK is not walking the list


async def test_an_sms_gateway_token_has_a_miss_budget_of_its_own(
    guarded: Client, conn: asyncpg.Connection
) -> None:
    token = await make_token(conn, "sms", None, name="kannel")
    replies = []
    for index, nik in enumerate(absent_niks(25)):
        answer = await guarded.post(
            f"/sms/kannel?token={token}",
            content=f"DPT {nik}",
            headers={"X-Kannel-From": f"+62812{index:07d}"},
        )
        assert answer.status_code == 200
        replies.append(answer.text)
    not_found = [reply for reply in replies if "tidak ditemukan" in reply.lower()]
    assert len(not_found) == 10  # twenty-five phones, one gateway: its budget of ten
    assert all("coba lagi" in reply.lower() for reply in replies[10:])


async def test_made_up_tokens_are_rate_limited_per_address_before_any_lookup(guarded: Client) -> None:
    statuses = []
    for index in range(25):
        answer = await guarded.post(
            "/api/v1/nik",
            json={"nik": absent_niks(1)[0]},
            headers=bearer(f"dpt_helpdesk_made_up_{index:04d}"),
        )
        statuses.append(answer.status_code)
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}


async def test_a_real_token_already_known_is_not_charged_as_a_lookup(
    guarded: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    token = await make_token(conn, "helpdesk", "18.72")
    nik = small_dataset.people[0].nik
    statuses = [
        (await guarded.post("/api/v1/nik", json={"nik": nik}, headers=bearer(token))).status_code
        for _ in range(30)
    ]
    assert statuses == [200] * 30


def test_ipv4_clients_seen_through_ipv6_are_limited_as_themselves() -> None:
    limits = Limits(Limit(60, 5), Limit(60, 5))
    limiter = RateLimiter(
        None,
        {"address": limits, "token_lookup": limits},
        secret="s" * 20,
        breaker=RedisBreaker(1),
        exempt=Networks("192.0.2.7/32"),
    )
    mapped = limiter.caller("::ffff:198.51.100.4", None)
    assert mapped == limiter.caller("198.51.100.4", None)
    assert mapped != limiter.caller("::ffff:198.51.100.5", None)  # not one ::/64 for all of them
    assert limiter.caller("::ffff:192.0.2.7", None) is None  # an IPv4 exemption still applies


async def test_public_search_gives_no_score_and_no_id_shared_with_the_nik_answer(
    guarded: Client, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[3]
    nik_answer = (await guarded.post("/api/v1/nik", json={"nik": person.nik})).json()
    query = {"name": person.name, "birth_date": person.birth_date.isoformat(), "region": "18.72"}
    results = (await guarded.post("/api/v1/search", json=query)).json()["results"]
    assert results and results[0]["confident"] is True
    assert all("score" not in result for result in results)
    assert results[0]["name"] == nik_answer["voter"]["name"]  # the same voter, masked alike
    assert results[0]["id"] != nik_answer["voter"]["id"]
    again = (await guarded.post("/api/v1/search", json=query)).json()["results"]
    assert again[0]["id"] == results[0]["id"]  # still stable within the dataset version


async def test_guessing_names_against_one_birth_date_is_charged_like_walking_niks(
    guarded: Client, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[3]
    guesses = [f"{word} {person.name.split()[-1]}" for word in ("AGUS", "BUDI", "CITRA", "DEWI", "EKA")]
    guesses += [f"{word} SANTOSO" for word in ("FAJAR", "GITA", "HADI", "IKA", "JOKO", "KARTIKA", "LINA")]
    statuses = []
    for guess in guesses:
        query = {"name": guess, "birth_date": person.birth_date.isoformat(), "region": "18.72"}
        statuses.append((await guarded.post("/api/v1/search", json=query)).status_code)
    assert statuses[:10] == [200] * 10
    assert set(statuses[10:]) == {429}


async def test_the_same_name_searched_again_however_typed_is_charged_once(
    guarded: Client, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[3]
    typed = [person.name, person.name.lower(), "  " + person.name.title() + " "] * 5
    for name in typed:
        query = {"name": name, "birth_date": person.birth_date.isoformat(), "region": "18.72"}
        assert (await guarded.post("/api/v1/search", json=query)).status_code == 200


async def test_helpdesk_searches_still_show_scores_and_refusals_are_audited(
    guarded: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    helpdesk = await make_token(conn, "helpdesk", "18.72.01", name="kel")
    gateway = await make_token(conn, "sms", None, name="gw")
    person = small_dataset.people[3]
    allowed = await guarded.post(
        "/api/v1/search", json={"name": person.name, "region": "18.72.01"}, headers=bearer(helpdesk)
    )
    assert allowed.status_code == 200 and "score" in allowed.json()["results"][0]
    outside = await guarded.post(
        "/api/v1/search", json={"name": person.name, "region": "18.72.02"}, headers=bearer(helpdesk)
    )
    assert outside.status_code == 403 and outside.json()["error"]["code"] == "region_out_of_scope"
    wrong_role = await guarded.post(
        "/api/v1/search", json={"name": person.name, "region": "18.72.01"}, headers=bearer(gateway)
    )
    assert wrong_role.status_code == 403 and wrong_role.json()["error"]["code"] == "role_forbidden"
    rows = await conn.fetch(
        "select t.name, a.action, a.region, a.results, a.outcome from audit_log a"
        " join api_token t on t.id = a.token_id order by a.id"
    )
    assert [tuple(row) for row in rows] == [
        ("kel", "search", "18.72.01", len(allowed.json()["results"]), "allowed"),
        ("kel", "search", "18.72.02", 0, "region_out_of_scope"),
        ("gw", "search", "18.72.01", 0, "role_forbidden"),
    ]


@pytest.mark.parametrize("charset", ["idna", "undefined", "punycode", "rot13", "no-such-charset", "utf-16be"])
async def test_any_charset_an_sms_gateway_names_gets_an_answer_not_a_500(
    guarded: Client, conn: asyncpg.Connection, charset: str
) -> None:
    token = await make_token(conn, "sms", None, name="kannel")
    body = "DPT 1872015407530001".encode("utf-16-be" if charset == "utf-16be" else "utf-8") + b"\xe9\xff"
    answer = await guarded.post(
        f"/sms/kannel?token={token}",
        content=body,
        headers={"X-Kannel-From": "+6281200000001", "Content-Type": f"text/plain; charset={charset}"},
    )
    assert answer.status_code == 200 and answer.text


def _raw_http(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


async def test_a_broken_chunked_body_is_a_400_not_a_500(settings: Settings, published: ImportSummary) -> None:
    with dpt_serve(settings) as (url, _):
        answer = await asyncio.to_thread(
            _raw_http,
            url,
            b"POST /api/v1/nik HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        )
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 400 Bad Request"
    assert b'"code":"body_unreadable"' in rest


async def test_a_wrong_method_is_405_with_allow(guarded: Client) -> None:
    answer = await guarded.delete("/api/v1/nik")
    assert answer.status_code == 405 and answer.json()["error"]["code"] == "method_not_allowed"
    allowed = {method.strip() for method in answer.headers["allow"].split(",")}
    assert "POST" in allowed and "DELETE" not in allowed


def _dpt(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"DPT_DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"}
    dpt = str(Path(sys.executable).with_name("dpt"))
    return subprocess.run([dpt, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


async def test_tokens_are_listed_without_secrets_and_revoked_within_a_poll(
    client: Client, settings: Settings, small_dataset: DatasetFiles
) -> None:
    added = await asyncio.to_thread(
        _dpt, settings, "token", "add", "--name", "Kel. Metro", "--role", "helpdesk"
    )
    assert added.returncode == 0
    token = added.stdout.strip().splitlines()[-1]
    nik = small_dataset.people[0].nik
    assert (await client.post("/api/v1/nik", json={"nik": nik}, headers=bearer(token))).status_code == 200
    listed = await asyncio.to_thread(_dpt, settings, "token", "list")
    assert listed.returncode == 0 and "Kel. Metro" in listed.stdout and "helpdesk" in listed.stdout
    assert token not in listed.stdout and token.split("_")[-1] not in listed.stdout
    token_id = next(line.split()[0] for line in listed.stdout.splitlines() if "Kel. Metro" in line)
    revoked = await asyncio.to_thread(_dpt, settings, "token", "revoke", token_id)
    assert revoked.returncode == 0
    # The app polls every 0.05 s in the tests (DPT_DATASET_POLL_SECONDS); well before the
    # 30 s a worker would otherwise trust what it looked up, the token is refused.
    for _ in range(200):
        answer = await client.post("/api/v1/nik", json={"nik": nik}, headers=bearer(token))
        if answer.status_code == 401:
            break
        await asyncio.sleep(0.02)
    assert answer.status_code == 401
    again = await asyncio.to_thread(_dpt, settings, "token", "revoke", token_id)
    assert again.returncode == 1 and "revoked already" in again.stderr
    assert (await asyncio.to_thread(_dpt, settings, "token", "revoke", "x")).returncode == 2
