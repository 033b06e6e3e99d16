"""The account commands: `dpt token add|list|revoke` (API tokens) and `dpt operator
add|list|disable|passwd` (help-desk console accounts, Argon2id passwords read from stdin)."""

from __future__ import annotations

import argparse
import secrets
import sys

import asyncpg

from service.access.passwords import MIN_LENGTH, hash_password
from service.access.tokens import token_hash
from service.cli.console import connect, database_url, run_async
from service.store.queries import QUERIES


def cmd_token_add(args: argparse.Namespace) -> int:
    token = f"dpt_{args.role}_{secrets.token_urlsafe(32)}"

    async def run() -> None:
        conn = await connect(database_url())
        try:
            await QUERIES["insert-token"].run(
                conn, name=args.name, role=args.role, scope=args.scope, token_hash=token_hash(token)
            )
        finally:
            await conn.close()

    try:
        run_async(run)
    except asyncpg.ForeignKeyViolationError:
        print(
            f"dpt token add: wilayah {args.scope} tidak dikenal / unknown region {args.scope}",
            file=sys.stderr,
        )
        return 2
    print(f"token for {args.name} ({args.role}, scope {args.scope or 'all'}); shown once, store it now:")
    print(token)
    return 0


def cmd_token_list(_: argparse.Namespace) -> int:
    """Every token with its id, name, role, scope and state; never a secret (none is stored)."""

    async def run() -> list[asyncpg.Record]:
        conn = await connect(database_url())
        try:
            return await QUERIES["list-tokens"].rows(conn)
        finally:
            await conn.close()

    print(f"{'id':>5}  {'name':<28} {'role':<9} {'scope':<14} {'created':<16} revoked")
    for row in run_async(run):
        revoked = f"{row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "-"
        print(
            f"{row['id']:>5}  {row['name']:<28} {row['role']:<9} {row['scope'] or 'all':<14} "
            f"{row['created_at']:%Y-%m-%d %H:%M}  {revoked}"
        )
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    async def run() -> int | None:
        conn = await connect(database_url())
        try:
            revoked: int | None = await QUERIES["revoke-token"].value(conn, token_id=args.id)
            return revoked
        finally:
            await conn.close()

    if run_async(run) is None:
        print(
            f"dpt token revoke: token {args.id} tidak ada atau sudah dicabut / "
            f"no such token, or revoked already",
            file=sys.stderr,
        )
        return 1
    print(f"token {args.id} revoked; every worker refuses it within DPT_DATASET_POLL_SECONDS")
    return 0


def _read_password(command: str) -> str | None:
    """The password from stdin's first line (never an argument: it would show in `ps`)."""
    password = sys.stdin.readline().rstrip("\n")
    if len(password) < MIN_LENGTH:
        print(
            f"dpt operator {command}: kata sandi minimal {MIN_LENGTH} karakter / "
            f"password needs {MIN_LENGTH}+ characters",
            file=sys.stderr,
        )
        return None
    return password


def cmd_operator_add(args: argparse.Namespace) -> int:
    password = _read_password("add")
    if password is None:
        return 2

    async def run() -> None:
        conn = await connect(database_url())
        try:
            await QUERIES["insert-operator"].run(
                conn,
                username=args.username,
                password_hash=hash_password(password),
                role=args.role,
                scope=args.scope,
            )
        finally:
            await conn.close()

    try:
        run_async(run)
    except asyncpg.UniqueViolationError:
        print(f"dpt operator add: {args.username} sudah ada / already exists", file=sys.stderr)
        return 2
    except asyncpg.ForeignKeyViolationError:
        print(f"dpt operator add: wilayah {args.scope} tidak dikenal / unknown region", file=sys.stderr)
        return 2
    print(f"operator {args.username} added ({args.role}, scope {args.scope})")
    return 0


def cmd_operator_list(_: argparse.Namespace) -> int:
    """Every account with its role, scope and state; never a password hash."""

    async def run() -> list[asyncpg.Record]:
        conn = await connect(database_url())
        try:
            return await QUERIES["list-operators"].rows(conn)
        finally:
            await conn.close()

    print(f"{'username':<24} {'role':<9} {'scope':<14} {'created':<16} disabled")
    for row in run_async(run):
        disabled = f"{row['disabled_at']:%Y-%m-%d %H:%M}" if row["disabled_at"] else "-"
        print(
            f"{row['username']:<24} {row['role']:<9} {row['scope']:<14} "
            f"{row['created_at']:%Y-%m-%d %H:%M}  {disabled}"
        )
    return 0


def cmd_operator_disable(args: argparse.Namespace) -> int:
    async def run() -> str | None:
        conn = await connect(database_url())
        try:
            done: str | None = await QUERIES["disable-operator"].value(conn, username=args.username)
            return done
        finally:
            await conn.close()

    if run_async(run) is None:
        print(
            f"dpt operator disable: {args.username} tidak ada atau sudah nonaktif / "
            f"no such account, or disabled already",
            file=sys.stderr,
        )
        return 1
    print(f"operator {args.username} disabled; the console refuses their sessions from the next request")
    return 0


def cmd_operator_passwd(args: argparse.Namespace) -> int:
    password = _read_password("passwd")
    if password is None:
        return 2

    async def run() -> str | None:
        conn = await connect(database_url())
        try:
            done: str | None = await QUERIES["set-operator-password"].value(
                conn, username=args.username, password_hash=hash_password(password)
            )
            return done
        finally:
            await conn.close()

    if run_async(run) is None:
        print(f"dpt operator passwd: {args.username} tidak ada / no such account", file=sys.stderr)
        return 1
    print(f"password of {args.username} changed")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = commands.add_parser("token", help="API tokens").add_subparsers(dest="action", required=True)
    token_add = token.add_parser("add", help="create a token; it is printed once, on the last line")
    token_add.add_argument("--name", required=True)
    token_add.add_argument("--role", required=True, choices=["helpdesk", "sms", "admin"])
    token_add.add_argument("--scope", default=None, help="region code the token is limited to")
    token_add.set_defaults(handler=cmd_token_add)
    token.add_parser("list", help="list tokens (never their secrets)").set_defaults(handler=cmd_token_list)
    token_revoke = token.add_parser("revoke", help="revoke a token by its id (see `dpt token list`)")
    token_revoke.add_argument("id", type=int)
    token_revoke.set_defaults(handler=cmd_token_revoke)

    operator = commands.add_parser("operator", help="help-desk accounts").add_subparsers(
        dest="action", required=True
    )
    operator_add = operator.add_parser("add", help="create an account; the password is read from stdin")
    operator_add.add_argument("--username", required=True)
    operator_add.add_argument("--scope", required=True)
    operator_add.add_argument("--role", default="helpdesk", choices=["helpdesk", "admin"])
    operator_add.set_defaults(handler=cmd_operator_add)
    operator.add_parser("list", help="list accounts (never their passwords)").set_defaults(
        handler=cmd_operator_list
    )
    operator_disable = operator.add_parser("disable", help="disable an account (kept for the audit trail)")
    operator_disable.add_argument("username")
    operator_disable.set_defaults(handler=cmd_operator_disable)
    operator_passwd = operator.add_parser("passwd", help="set a new password, read from stdin")
    operator_passwd.add_argument("username")
    operator_passwd.set_defaults(handler=cmd_operator_passwd)
