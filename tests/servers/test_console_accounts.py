"""`dpt operator add|list|disable|passwd`: Argon2id hashes from a password read on stdin, a
listing without secrets, disabling that keeps the account for the audit trail, and a new password."""

from __future__ import annotations

import asyncpg

from service.access.passwords import check_password
from tests.servers.test_cli import dpt
from tests.support.console import scrypt_hash


async def test_operator_commands_create_list_disable_and_change_passwords(database_url: str) -> None:
    first, second = "sandi-pertama-2024", "sandi-kedua-2024!"
    added = dpt("operator", "add", "--username", "siti", "--scope", "18.72.01", database_url=database_url,
                stdin=first + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    admin = dpt("operator", "add", "--username", "kota", "--scope", "18.72", "--role", "admin",
                database_url=database_url, stdin=first + "\n")  # fmt: skip
    assert admin.returncode == 0
    listing = dpt("operator", "list", database_url=database_url)
    assert listing.returncode == 0 and "siti" in listing.stdout and "admin" in listing.stdout
    assert first not in listing.stdout and "argon2" not in listing.stdout
    changed = dpt("operator", "passwd", "siti", database_url=database_url, stdin=second + "\n")
    assert changed.returncode == 0 and second not in changed.stdout + changed.stderr
    short = dpt("operator", "passwd", "siti", database_url=database_url, stdin="pendek\n")
    assert short.returncode == 2
    missing = dpt("operator", "passwd", "nobody", database_url=database_url, stdin=second + "\n")
    assert missing.returncode == 1
    conn = await asyncpg.connect(database_url)
    try:
        stored = await conn.fetchval("select password_hash from operator where username = 'siti'")
        assert stored.startswith("$argon2id$") and check_password(stored, second).ok
        assert not check_password(stored, first).ok
        disabled = dpt("operator", "disable", "siti", database_url=database_url)
        assert disabled.returncode == 0
        assert dpt("operator", "disable", "siti", database_url=database_url).returncode == 1
        assert await conn.fetchval("select disabled_at is not null from operator where username = 'siti'")
    finally:
        await conn.close()
    listing = dpt("operator", "list", database_url=database_url)
    siti = next(line for line in listing.stdout.splitlines() if line.startswith("siti"))
    assert not siti.rstrip().endswith("-")  # the disabled date is shown


def test_scrypt_hashes_of_earlier_releases_still_check_and_come_back_upgraded() -> None:
    legacy = scrypt_hash("sandi-lama-2019")
    assert check_password(legacy, "sandi-lama-2019").upgraded.startswith("$argon2id$")  # type: ignore[union-attr]
    assert check_password(legacy, "salah").ok is False
    assert check_password(None, "apa-saja").ok is False
    assert check_password("scrypt$garbage", "x").ok is False
