"""The authorization matrix: every console route and every help-desk API route, read from the
app's route table (a new route without an entry here fails the test), asked by an anonymous
caller, an officer in scope and one out of scope, a disabled officer, an expired session, an admin
and a revoked token. Nobody sees a voter of another region by any route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from litestar.testing import AsyncTestClient

from tests.support.console import add_operator, csrf_token, kk_of, log_in, write_dataset_with_kk
from tests.support.factories import DatasetFiles, make_token

Client = AsyncTestClient  # type: ignore[type-arg]
ACTORS = ("anonymous", "in_scope", "out_of_scope", "disabled", "expired", "admin", "revoked_token")
HELPDESK_API = ("/api/v1/nik", "/api/v1/search")
PUBLIC = (
    "/helpdesk/login",
    "/helpdesk/logout",
    "/helpdesk/bahasa/{chosen:str}",
    "/helpdesk/static/{name:str}",
)


@pytest.fixture
def small_dataset(tmp_path: Path) -> DatasetFiles:
    return write_dataset_with_kk(tmp_path / "kk")


@dataclass
class Actor:
    session: str | None
    token: str | None


@dataclass
class Subject:
    """The in-scope voter every route asks about (18.72.01.1001)."""

    nik: str
    name: str
    kk: str
    voter_id: str


Call = Callable[[httpx.AsyncClient, Subject, str], Awaitable[httpx.Response]]


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, str], csrf: str) -> httpx.Response:
    return await client.post(path, data={"_csrf_token": csrf, **data}, follow_redirects=False)


# How each route is asked. The key is (method, path as the route table spells it).
CALLS: dict[tuple[str, str], Call] = {
    ("GET", "/helpdesk/login"): lambda c, s, t: c.get("/helpdesk/login"),
    # A wrong password, under a username of its own each time (the throttle is tested elsewhere).
    ("POST", "/helpdesk/login"): lambda c, s, t: _post(
        c, "/helpdesk/login", {"username": t[:12], "password": "y"}, t
    ),
    ("POST", "/helpdesk/logout"): lambda c, s, t: _post(c, "/helpdesk/logout", {}, t),
    ("GET", "/helpdesk/bahasa/{chosen:str}"): lambda c, s, t: c.get(
        "/helpdesk/bahasa/en", follow_redirects=False
    ),
    ("GET", "/helpdesk/static/{name:str}"): lambda c, s, t: c.get("/helpdesk/static/none.css"),
    ("GET", "/helpdesk"): lambda c, s, t: c.get("/helpdesk", follow_redirects=False),
    ("POST", "/helpdesk/nik"): lambda c, s, t: _post(c, "/helpdesk/nik", {"nik": s.nik}, t),
    ("POST", "/helpdesk/search"): lambda c, s, t: _post(
        c, "/helpdesk/search", {"name": s.name, "region": "18.72.01.1001"}, t
    ),
    ("POST", "/helpdesk/family"): lambda c, s, t: _post(c, "/helpdesk/family", {"kk": s.kk}, t),
    ("POST", "/helpdesk/batch"): lambda c, s, t: _post(c, "/helpdesk/batch", {"lines": s.nik}, t),
    ("POST", "/helpdesk/batch.csv"): lambda c, s, t: _post(c, "/helpdesk/batch.csv", {"lines": s.nik}, t),
    ("GET", "/helpdesk/notice/{voter_id:str}"): lambda c, s, t: c.get(
        f"/helpdesk/notice/{s.voter_id}", follow_redirects=False
    ),
    ("GET", "/helpdesk/tps"): lambda c, s, t: c.get(
        "/helpdesk/tps?kelurahan=18.72.01.1001&tps=1", follow_redirects=False
    ),
    ("GET", "/helpdesk/history"): lambda c, s, t: c.get("/helpdesk/history", follow_redirects=False),
    ("GET", "/helpdesk/admin/audit"): lambda c, s, t: c.get("/helpdesk/admin/audit", follow_redirects=False),
    ("GET", "/helpdesk/admin/audit.csv"): lambda c, s, t: c.get(
        "/helpdesk/admin/audit.csv", follow_redirects=False
    ),
    ("GET", "/helpdesk/admin/operators"): lambda c, s, t: c.get(
        "/helpdesk/admin/operators", follow_redirects=False
    ),
    ("POST", "/helpdesk/admin/operators"): lambda c, s, t: _post(
        c,
        "/helpdesk/admin/operators",
        {"username": "baru", "scope": "18.72.01", "role": "helpdesk", "password": "p" * 12},
        t,
    ),
    ("POST", "/helpdesk/admin/operators/disable"): lambda c, s, t: _post(
        c, "/helpdesk/admin/operators/disable", {"username": "nobody"}, t
    ),
    ("GET", "/helpdesk/admin/tokens"): lambda c, s, t: c.get(
        "/helpdesk/admin/tokens", follow_redirects=False
    ),
    ("POST", "/helpdesk/admin/tokens"): lambda c, s, t: _post(
        c, "/helpdesk/admin/tokens", {"name": "n", "role": "sms", "scope": "18.72.01"}, t
    ),
    ("POST", "/helpdesk/admin/tokens/revoke"): lambda c, s, t: _post(
        c, "/helpdesk/admin/tokens/revoke", {"token_id": "999"}, t
    ),
    ("POST", "/api/v1/nik"): lambda c, s, t: c.post("/api/v1/nik", json={"nik": s.nik}),
    ("POST", "/api/v1/search"): lambda c, s, t: c.post(
        "/api/v1/search", json={"name": s.name, "region": "18.72.01.1001"}
    ),
}


def expected(method: str, path: str, actor: str) -> int:  # noqa: PLR0911 - one answer per kind of route
    """The status each actor must get."""
    if path in PUBLIC:
        return {"/helpdesk/login": 200 if method == "GET" else 401, "/helpdesk/logout": 303,
                "/helpdesk/bahasa/{chosen:str}": 303, "/helpdesk/static/{name:str}": 404}[path]  # fmt: skip
    if path == "/api/v1/nik":
        return 401 if actor == "revoked_token" else 200  # the public answer, masked, for everyone
    if path == "/api/v1/search":
        return {"revoked_token": 401, "in_scope": 200, "admin": 200, "out_of_scope": 403}.get(actor, 422)
    if actor in ("anonymous", "disabled", "expired", "revoked_token"):
        return 303  # to the login form
    if path.startswith("/helpdesk/admin/"):
        if actor != "admin":
            return 403
        return (
            303 if method == "POST" and not path.endswith("/tokens") else (201 if method == "POST" else 200)
        )
    if actor == "out_of_scope":
        return {"/helpdesk/search": 403, "/helpdesk/notice/{voter_id:str}": 404, "/helpdesk/tps": 403}.get(
            path, 200
        )
    return 200


def console_and_helpdesk_routes(app: object) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:  # type: ignore[attr-defined]
        if route.path.startswith("/helpdesk") or route.path in HELPDESK_API:
            for method in sorted(getattr(route, "methods", ())):
                if method not in ("HEAD", "OPTIONS"):
                    found.append((method, route.path))
    return found


async def test_every_route_is_in_the_matrix_and_every_actor_gets_what_it_may(
    client: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles, redis_url: str
) -> None:
    routes = console_and_helpdesk_routes(client.app)
    assert set(routes) == set(CALLS), (
        "a console or help-desk route without a row in the matrix (or a stale row)"
    )
    person = small_dataset.people[0]
    assert person.kelurahan == "18.72.01.1001"
    voter_id = await conn.fetchval("select lpad(to_hex(id), 16, '0') from voter where source_row = 2")
    subject = Subject(person.nik, person.name, kk_of(0), voter_id)

    await add_operator(conn, "pusat", "18.72.01")
    await add_operator(conn, "barat", "18.72.03")
    await add_operator(conn, "mantan", "18.72.01")
    await add_operator(conn, "lewat", "18.72.01")
    await add_operator(conn, "kota", "18.72", role="admin")
    revoked = await make_token(conn, "helpdesk", "18.72.01", name="revoked")
    await conn.execute("update api_token set revoked_at = now() where name = 'revoked'")
    redis = aioredis.from_url(redis_url)

    async def session_of(username: str) -> str:
        client.cookies.clear()
        answer = await log_in(client, username)
        assert answer.status_code == 303, username
        return str(answer.cookies["dpt_konsol"])

    actors = {
        "anonymous": Actor(None, None),
        "in_scope": Actor(
            await session_of("pusat"), await make_token(conn, "helpdesk", "18.72.01", name="in")
        ),
        "out_of_scope": Actor(
            await session_of("barat"), await make_token(conn, "helpdesk", "18.72.03", name="out")
        ),
        "disabled": Actor(await session_of("mantan"), None),
        "admin": Actor(await session_of("kota"), await make_token(conn, "admin", None, name="admin")),
        "revoked_token": Actor(None, revoked),
    }
    before = set(await redis.keys("sess:*"))
    actors["expired"] = Actor(await session_of("lewat"), None)
    for key in set(await redis.keys("sess:*")) - before:
        await redis.delete(key)
    await redis.aclose()
    await conn.execute("update operator set disabled_at = now() where username = 'mantan'")
    assert set(actors) == set(ACTORS)

    failures = []
    for actor_name, actor in actors.items():
        for method, path in routes:
            client.cookies.clear()
            client.headers.pop("authorization", None)
            csrf = await csrf_token(client)
            if actor.session:
                client.cookies.set("dpt_konsol", actor.session)
            if actor.token:
                client.headers["authorization"] = f"Bearer {actor.token}"
            if path == "/helpdesk/logout" and actor.session:
                continue  # would end the actor's session for the rest of the matrix; see test_console_auth
            answer = await CALLS[method, path](client, subject, csrf)
            want = expected(method, path, actor_name)
            if answer.status_code != want:
                failures.append(f"{actor_name} {method} {path}: {answer.status_code}, expected {want}")
            elif (
                want == 303
                and path not in PUBLIC
                and actor_name in ("anonymous", "disabled", "expired", "revoked_token")
            ):
                assert answer.headers["location"].startswith("/helpdesk/login"), (actor_name, path)
            # The full name of a voter of 18.72.01 reaches nobody else, by any route.
            others = actor_name not in {"in_scope", "admin"} and path.startswith("/helpdesk")
            if others and person.name in answer.text and path != "/helpdesk/admin/audit.csv":
                failures.append(f"{actor_name} {method} {path}: saw the voter's full name")
    client.headers.pop("authorization", None)
    assert failures == []
    # Every look an officer took, allowed or refused, left its audit row.
    kinds = await conn.fetch("select operator, action, outcome from audit_log where operator is not null")
    seen = {(row["operator"], row["action"], row["outcome"]) for row in kinds}
    assert ("pusat", "nik", "allowed") in seen and ("barat", "nik", "region_out_of_scope") in seen
    assert ("barat", "search", "region_out_of_scope") in seen and (
        "barat",
        "notice",
        "region_out_of_scope",
    ) in seen
    assert ("barat", "tps_list", "region_out_of_scope") in seen
    for kind in ("nik", "search", "family", "batch", "notice", "tps_list"):
        assert ("pusat", kind, "allowed") in seen, kind
    token_looks = await conn.fetch(
        "select t.name, a.action, a.outcome from audit_log a join api_token t on t.id = a.token_id"
    )
    assert {tuple(row) for row in token_looks} >= {
        ("in", "nik", "allowed"), ("in", "search", "allowed"), ("out", "search", "region_out_of_scope"),
    }  # fmt: skip
