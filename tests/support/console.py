"""Help-desk console helpers for tests: officers' accounts, a dataset with KK numbers, and a
logged-in client that sends each form with its CSRF token, as a browser does."""

from __future__ import annotations

import hashlib
import html
import re
import secrets
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from service.access.passwords import hash_password
from tests.support.factories import DatasetFiles, people, voter_row, write_tps, write_voters

PASSWORD = "kata-sandi-rahasia-2024"
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
HOUSEHOLD_SIZE = 3


def kk_of(index: int) -> str:
    """The KK number of the factory's person `index`: households of three consecutive people
    (who live in different kelurahan, so a household crosses scopes)."""
    return f"1872012{index // HOUSEHOLD_SIZE:09d}"


def write_dataset_with_kk(folder: Path, count: int = 120) -> DatasetFiles:
    folder.mkdir(parents=True, exist_ok=True)
    files = DatasetFiles(folder / "dpt.csv", folder / "tps.csv", people(count))
    write_tps(files.tps)
    rows = []
    for index, person in enumerate(files.people):
        row = voter_row(person)
        row[1] = kk_of(index)
        rows.append(row)
    write_voters(files.voters, rows)
    return files


def scrypt_hash(password: str) -> str:
    """A hash as `dpt operator add` wrote it before Argon2id (scrypt, N=2^14)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


async def add_operator(
    conn: asyncpg.Connection,
    username: str,
    scope: str,
    *,
    role: str = "helpdesk",
    password: str = PASSWORD,
    legacy: bool = False,
) -> None:
    stored = scrypt_hash(password) if legacy else hash_password(password)
    await conn.execute(
        "insert into operator (username, password_hash, role, scope) values ($1, $2, $3, $4)",
        username, stored, role, scope,
    )  # fmt: skip


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no form with a CSRF token"
    return html.unescape(found.group(1))


async def csrf_token(client: httpx.AsyncClient, path: str = "/helpdesk/login") -> str:
    page = await client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return csrf_of(page.text)


async def log_in(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD, **extra: str
) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(
        "/helpdesk/login",
        data={"_csrf_token": token, "username": username, "password": password, **extra},
        follow_redirects=False,
    )


async def submit(
    client: httpx.AsyncClient, path: str, data: dict[str, str], files: dict[str, Any] | None = None
) -> httpx.Response:
    """A console form as the browser sends it: with the CSRF token of the page it came from."""
    token = await csrf_token(client, "/helpdesk")
    return await client.post(path, data={"_csrf_token": token, **data}, files=files, follow_redirects=False)
