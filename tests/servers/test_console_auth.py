"""The console's front door: login and logout, the session cookie, session fixation, CSRF, open
redirects, framing, login throttling, scrypt hashes upgraded to Argon2id, disabled accounts,
idle and absolute expiry, and what an officer sees when Redis is down."""

from __future__ import annotations

import json
import time
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from service.access.sessions import MAX_WAIT_SECONDS, USER_FREE_FAILURES, Sessions
from service.app import create_app
from service.importer import ImportSummary
from service.settings import Settings
from tests.conftest import client_with
from tests.support.console import PASSWORD, add_operator, csrf_token, log_in, write_dataset_with_kk
from tests.support.factories import DatasetFiles
from tests.support.serving import free_port

Client = AsyncTestClient  # type: ignore[type-arg]


@pytest.fixture
def small_dataset(tmp_path: Path) -> DatasetFiles:
    return write_dataset_with_kk(tmp_path / "kk")


async def test_login_sets_a_strict_httponly_session_cookie_and_logout_ends_it(
    client: Client, conn: asyncpg.Connection
) -> None:
    await add_operator(conn, "siti", "18.72.01")
    form = await client.get("/helpdesk/login")
    assert "Nama pengguna" in form.text and "Kata sandi" in form.text
    answer = await log_in(client, "siti")
    assert answer.status_code == 303 and answer.headers["location"] == "/helpdesk"
    cookie = answer.headers["set-cookie"]
    assert "dpt_konsol=" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert "Path=/helpdesk" in cookie and "Secure" not in cookie  # plain http here
    desk = await client.get("/helpdesk")
    assert desk.status_code == 200 and "siti" in desk.text and "18.72.01" in desk.text
    token = await csrf_token(client, "/helpdesk")
    out = await client.post("/helpdesk/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    after = await client.get("/helpdesk", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/helpdesk/login")


async def test_the_session_cookie_is_secure_over_https(
    settings: Settings, published: ImportSummary, conn: asyncpg.Connection
) -> None:
    await add_operator(conn, "siti", "18.72.01")
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as secure:
        answer = await log_in(secure, "siti")
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]


async def test_a_wrong_password_or_unknown_user_gets_the_same_refusal(
    client: Client, conn: asyncpg.Connection
) -> None:
    await add_operator(conn, "siti", "18.72.01")
    wrong = await log_in(client, "siti", "salah-sekali-123")
    unknown = await log_in(client, "nobody", PASSWORD)
    for answer in (wrong, unknown):
        assert answer.status_code == 401 and "dpt_konsol" not in answer.headers.get("set-cookie", "")
        assert "Nama pengguna atau kata sandi salah" in answer.text
    assert (await client.get("/helpdesk", follow_redirects=False)).status_code == 303


async def test_a_planted_session_id_is_never_adopted(client: Client, conn: asyncpg.Connection) -> None:
    await add_operator(conn, "siti", "18.72.01")
    client.cookies.set("dpt_konsol", "planted-by-an-attacker", path="/helpdesk")
    answer = await log_in(client, "siti")
    issued = answer.cookies.get("dpt_konsol")
    assert issued and issued != "planted-by-an-attacker"
    client.cookies.clear()
    client.cookies.set("dpt_konsol", "planted-by-an-attacker", path="/helpdesk")
    assert (await client.get("/helpdesk", follow_redirects=False)).status_code == 303


@pytest.mark.parametrize("token", [None, "wrong-token"])
async def test_a_form_without_its_csrf_token_gets_a_403_page(
    client: Client, conn: asyncpg.Connection, token: str | None
) -> None:
    await add_operator(conn, "siti", "18.72.01")
    assert (await log_in(client, "siti")).status_code == 303
    data = {"nik": "1872010101800001"} | ({"_csrf_token": token} if token else {})
    answer = await client.post("/helpdesk/nik", data=data)
    assert answer.status_code == 403 and answer.headers["content-type"].startswith("text/html")
    assert "csrf_invalid" in answer.text and "Formulir sudah kedaluwarsa" in answer.text
    login_form = await client.post("/helpdesk/login", data={"username": "siti", "password": PASSWORD})
    assert login_form.status_code == 403  # login CSRF too


@pytest.mark.parametrize(
    ("target", "lands"),
    [
        ("https://evil.example/phish", "/helpdesk"),
        ("//evil.example", "/helpdesk"),
        ("/helpdesk/../admin", "/helpdesk"),
        ("/\\evil.example", "/helpdesk"),
        ("/helpdesk/history", "/helpdesk/history"),
    ],
)
async def test_login_never_redirects_off_the_console(
    client: Client, conn: asyncpg.Connection, target: str, lands: str
) -> None:
    await add_operator(conn, "siti", "18.72.01")
    answer = await log_in(client, "siti", next=target)
    assert answer.status_code == 303 and answer.headers["location"] == lands


async def test_console_pages_cannot_be_framed(client: Client) -> None:
    page = await client.get("/helpdesk/login")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"


async def test_login_throttling_slows_a_guesser_and_forgets(
    client: Client, conn: asyncpg.Connection, redis_url: str
) -> None:
    await add_operator(conn, "siti", "18.72.01")
    for _ in range(USER_FREE_FAILURES):
        assert (await log_in(client, "siti", "tebakan-salah-1")).status_code == 401
    assert (await log_in(client, "siti", "tebakan-salah-2")).status_code == 401  # now it must wait
    held = await log_in(client, "siti", PASSWORD)  # even the right password waits its turn
    assert held.status_code == 429 and 20 <= int(held.headers["retry-after"]) <= MAX_WAIT_SECONDS
    assert "Terlalu banyak percobaan" in held.text
    # Nothing is locked for good: every throttle key expires on its own.
    redis = aioredis.from_url(redis_url)
    try:
        keys = await redis.keys("login:*")
        assert keys
        for key in keys:
            assert 0 < await redis.ttl(key) <= 900
    finally:
        await redis.aclose()


async def test_failures_from_elsewhere_do_not_lock_an_officer_out_of_their_own_desk(redis_url: str) -> None:
    redis = aioredis.from_url(redis_url)
    sessions = Sessions(redis, secret="k" * 32, idle_seconds=60, absolute_seconds=600)
    try:
        await sessions.login_succeeded("siti", "10.0.0.5")  # her desk
        for _ in range(USER_FREE_FAILURES + 3):
            await sessions.login_failed("siti", "203.0.113.9")  # a stranger
        assert await sessions.login_wait("siti", "203.0.113.9") > 0
        assert await sessions.login_wait("siti", "198.51.100.7") > 0  # a new address waits too
        assert await sessions.login_wait("siti", "10.0.0.5") == 0  # her own desk does not
        assert await sessions.login_wait("siti", "203.0.113.9") <= MAX_WAIT_SECONDS
    finally:
        await redis.aclose()


async def test_a_scrypt_hash_is_upgraded_to_argon2id_at_login(
    client: Client, conn: asyncpg.Connection
) -> None:
    await add_operator(conn, "lama", "18.72.01", legacy=True)
    assert (await log_in(client, "lama")).status_code == 303
    stored = await conn.fetchval("select password_hash from operator where username = 'lama'")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    client.cookies.clear()
    assert (await log_in(client, "lama")).status_code == 303  # the new hash works


async def test_a_disabled_officer_is_out_at_the_next_request(
    client: Client, conn: asyncpg.Connection
) -> None:
    await add_operator(conn, "siti", "18.72.01")
    assert (await log_in(client, "siti")).status_code == 303
    assert (await client.get("/helpdesk")).status_code == 200
    await conn.execute("update operator set disabled_at = now() where username = 'siti'")
    assert (await client.get("/helpdesk", follow_redirects=False)).status_code == 303
    client.cookies.clear()
    assert (await log_in(client, "siti")).status_code == 401


async def test_sessions_end_at_their_absolute_and_idle_limits(
    client: Client, conn: asyncpg.Connection, redis_url: str, settings: Settings
) -> None:
    await add_operator(conn, "siti", "18.72.01")
    assert (await log_in(client, "siti")).status_code == 303
    redis = aioredis.from_url(redis_url)
    try:
        (key,) = await redis.keys("sess:*")
        assert 0 < await redis.ttl(key) <= settings.console_idle_seconds  # idle expiry is Redis's TTL
        stored = json.loads(await redis.get(key))
        stored["created"] = time.time() - settings.console_absolute_seconds - 1
        await redis.set(key, json.dumps(stored), ex=60)
        assert (await client.get("/helpdesk", follow_redirects=False)).status_code == 303
        assert await redis.exists(key) == 0
        client.cookies.clear()
        assert (await log_in(client, "siti")).status_code == 303
        (key,) = await redis.keys("sess:*")
        await redis.delete(key)  # what the idle TTL does when it runs out
        assert (await client.get("/helpdesk", follow_redirects=False)).status_code == 303
    finally:
        await redis.aclose()


async def test_without_redis_the_console_says_so_in_both_languages(
    settings: Settings, published: ImportSummary, conn: asyncpg.Connection
) -> None:
    await add_operator(conn, "siti", "18.72.01")
    async with client_with(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0") as down:
        answer = await log_in(down, "siti")
        assert answer.status_code == 503 and answer.headers["content-type"].startswith("text/html")
        assert "sessions_unavailable" in answer.text and "penyimpanan sesi" in answer.text
        down.cookies.set("bahasa", "en")
        down.cookies.set("dpt_konsol", "a-session-from-before-the-outage")
        desk = await down.get("/helpdesk", follow_redirects=False)
        assert desk.status_code == 503 and "session store cannot be reached" in desk.text
        # The resident page keeps working without Redis.
        assert (await down.get("/")).status_code == 200
