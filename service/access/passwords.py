"""Officers' passwords: Argon2id hashes (argon2-cffi), and the scrypt hashes of earlier releases
checked once more and replaced at the next successful login."""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's second recommended profile (Argon2id, t=3, 64 MiB, p=4).
_ARGON2 = PasswordHasher()
MIN_LENGTH = 10


@functools.cache
def _dummy() -> str:
    """Checked when the username is unknown, so a wrong username costs as long as a wrong password
    (made on first use: hashing costs a second, which no `dpt` command should pay at start)."""
    return _ARGON2.hash("dpt-no-such-officer")


class Checked(NamedTuple):
    ok: bool
    upgraded: str | None  # a new Argon2id hash to store in place of the old one, when ok


def hash_password(password: str) -> str:
    return _ARGON2.hash(password)


def check_password(stored: str | None, password: str) -> Checked:
    """Whether `password` matches `stored` (None: no such account, checked against a dummy hash);
    a legacy scrypt hash, or an Argon2 hash with weaker parameters, comes back upgraded."""
    if stored is None:
        _verify_argon2(_dummy(), password)
        return Checked(ok=False, upgraded=None)
    if stored.startswith("scrypt$"):
        ok = _verify_scrypt(stored, password)
        return Checked(ok, hash_password(password) if ok else None)
    if not _verify_argon2(stored, password):
        return Checked(ok=False, upgraded=None)
    return Checked(ok=True, upgraded=hash_password(password) if _ARGON2.check_needs_rehash(stored) else None)


def _verify_argon2(stored: str, password: str) -> bool:
    try:
        return _ARGON2.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _verify_scrypt(stored: str, password: str) -> bool:
    """`scrypt$N$r$p$salt$digest` (hex), as `dpt operator add` wrote it before Argon2id."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = bytes.fromhex(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)
