"""The `dpt` command: serve, proxy, migrate, synth, import, datasets, rollback, token, operator, demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import os
import secrets
import shutil
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import asyncpg
import msgspec

from service.access.tokens import token_hash
from service.importer import ImportFailed, ImportSummary, import_dataset, publish_dataset
from service.nik.parse import NikHasher
from service.settings import SERVING, SETTING_DOCS, Settings, SettingsError, load_settings
from service.store.migrate import migrate
from service.store.queries import QUERIES

T = TypeVar("T")
DEMO_ELECTION = "Pilkada Kota Metro 2024 (demo)"
DEMO_POLLING_DATE = dt.date(2024, 11, 27)
SHUTDOWN_GRACE_SECONDS = 30
GRANIAN_BACKPRESSURE = 1024  # per worker; measured in loadtest/README.md (spike)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _run(coroutine_factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await coroutine_factory()

    return asyncio.run(main())


async def _connect(settings_or_url: Settings | str) -> asyncpg.Connection:
    url = settings_or_url if isinstance(settings_or_url, str) else settings_or_url.database_url
    return await asyncpg.connect(url)


def _database_url() -> str:
    return load_settings(required=("database_url",)).database_url


# -- migrate -------------------------------------------------------------------------------
def cmd_migrate(_: argparse.Namespace) -> int:
    async def run() -> None:
        conn = await _connect(_database_url())
        try:
            applied = await migrate(conn, _say)
        finally:
            await conn.close()
        print(f"schema up to date ({len(applied)} migration(s) applied now)")

    _run(run)
    return 0


# -- synth ---------------------------------------------------------------------------------
def cmd_synth(args: argparse.Namespace) -> int:
    from service.synth import write_synthetic_dpt  # noqa: PLC0415 - only this command needs it

    try:
        summary = write_synthetic_dpt(
            Path(args.out),
            kabkota=args.kabkota,
            voters=args.voters,
            seed=args.seed,
            progress=lambda rows: _say(f"synth: {rows:,} voters written"),
        )
    except ValueError as error:
        print(f"dpt synth: {error}", file=sys.stderr)
        return 2
    print(
        f"{summary.kabkota} {summary.kabkota_name}: {summary.voters:,} voters, {summary.tps:,} TPS "
        f"({summary.tps_khusus} khusus), {summary.kecamatan} kecamatan, {summary.kelurahan} kelurahan/desa"
    )
    print(f"wrote {summary.dpt_path} and {summary.tps_path}")
    return 0


# -- import --------------------------------------------------------------------------------
def print_summary(summary: ImportSummary) -> None:
    print(f"dataset version : {summary.version} ({'published' if summary.published else 'not published'})")
    print(
        f"dpt.csv         : {summary.rows_read:,} rows read, {summary.rows_loaded:,} loaded, "
        f"{summary.rows_rejected:,} rejected"
    )
    for reason, count in summary.rejected.items():
        print(f"  rejected      : {count:>8,}  {reason}")
    print(f"tps.csv         : {summary.tps_read:,} rows read, {summary.tps_loaded:,} loaded")
    for reason, count in summary.tps_rejected.items():
        print(f"  rejected      : {count:>8,}  {reason}")
    if summary.rows_rejected or summary.tps_rejected:
        print(f"rejects file    : {summary.rejects_path}")
    rate = summary.rows_read / summary.seconds if summary.seconds else 0
    print(f"time            : {summary.seconds:.2f} s ({rate:,.0f} rows/s)")


async def run_import(settings: Settings, args: argparse.Namespace) -> ImportSummary:
    conn = await _connect(settings)
    try:
        return await import_dataset(
            conn,
            voters_path=Path(args.voters),
            tps_path=Path(args.tps),
            hasher=NikHasher(settings.nik_key),
            election=args.election,
            polling_date=args.polling_date,
            version=args.version,
            rejects_path=Path(args.rejects) if args.rejects else None,
            publish=not args.no_publish,
            progress=_say,
            connect=lambda: _connect(settings),
        )
    finally:
        await conn.close()


def cmd_import(args: argparse.Namespace) -> int:
    settings = load_settings(required=("database_url", "nik_key"))
    try:
        summary = _run(lambda: run_import(settings, args))
    except ImportFailed as error:
        print(f"dpt import: {error}", file=sys.stderr)
        return 1
    print_summary(summary)
    return 0


# -- datasets and rollback -----------------------------------------------------------------
def cmd_datasets(_: argparse.Namespace) -> int:
    async def run() -> list[asyncpg.Record]:
        conn = await _connect(_database_url())
        try:
            return await QUERIES["list-datasets"].rows(conn)
        finally:
            await conn.close()

    for row in _run(run):
        print(
            f"{row['version']:<28} {row['status']:<10} {row['election']} "
            f"polling {row['polling_date']} voters {row['rows_loaded']}"
        )
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Publish a kept version again: by name, or the most recent retired one."""

    async def run() -> str | None:
        conn = await _connect(_database_url())
        try:
            rows = [row for row in await QUERIES["list-datasets"].rows(conn) if row["status"] == "retired"]
            chosen = [row for row in rows if args.version in (None, row["version"])]
            if not chosen:
                return None
            await publish_dataset(conn, chosen[-1]["id"])
            return str(chosen[-1]["version"])
        finally:
            await conn.close()

    version = _run(run)
    if version is None:
        print("dpt rollback: tidak ada versi sebelumnya / no earlier version kept", file=sys.stderr)
        return 1
    print(f"published dataset {version}")
    return 0


# -- tokens and operators ------------------------------------------------------------------
def cmd_token_add(args: argparse.Namespace) -> int:
    token = f"dpt_{args.role}_{secrets.token_urlsafe(32)}"

    async def run() -> None:
        conn = await _connect(_database_url())
        try:
            await conn.execute(
                "insert into api_token (name, role, scope, token_hash) values ($1, $2, $3, $4)",
                args.name,
                args.role,
                args.scope,
                token_hash(token),
            )
        finally:
            await conn.close()

    try:
        _run(run)
    except asyncpg.ForeignKeyViolationError:
        print(
            f"dpt token add: wilayah {args.scope} tidak dikenal / unknown region {args.scope}",
            file=sys.stderr,
        )
        return 2
    print(f"token for {args.name} ({args.role}, scope {args.scope or 'all'}); shown once, store it now:")
    print(token)
    return 0


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def cmd_operator_add(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n")
    if len(password) < 10:
        print(
            "dpt operator add: kata sandi minimal 10 karakter / password needs 10+ characters",
            file=sys.stderr,
        )
        return 2

    async def run() -> None:
        conn = await _connect(_database_url())
        try:
            await conn.execute(
                "insert into operator (username, password_hash, role, scope) values ($1, $2, $3, $4)",
                args.username,
                hash_password(password),
                args.role,
                args.scope,
            )
        finally:
            await conn.close()

    try:
        _run(run)
    except asyncpg.UniqueViolationError:
        print(f"dpt operator add: {args.username} sudah ada / already exists", file=sys.stderr)
        return 2
    except asyncpg.ForeignKeyViolationError:
        print(f"dpt operator add: wilayah {args.scope} tidak dikenal / unknown region", file=sys.stderr)
        return 2
    print(f"operator {args.username} added ({args.role}, scope {args.scope})")
    return 0


# -- serve and demo ------------------------------------------------------------------------
def serve(host: str, port: int, workers: int) -> None:
    from granian import Granian  # noqa: PLC0415 - the server is only needed by these commands
    from granian.constants import Interfaces, Loops  # noqa: PLC0415

    load_settings()  # fail now, with the missing setting's name, not in every worker
    Granian(
        "service.app:app_from_env",
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        loop=Loops.uvloop,  # measured: see loadtest/README.md
        backlog=2048,
        # Admission control in the app decides what to shed, so granian must hand it every
        # request: granian's own bound also stops it accepting connections, and then a spike
        # overflows the listen queue (clients see connect timeouts instead of a quick 503).
        backpressure=GRANIAN_BACKPRESSURE,
        respawn_failed_workers=True,
        workers_kill_timeout=SHUTDOWN_GRACE_SECONDS,  # in-flight requests finish first
        log_access=False,  # an access log would be one more place a query string could leak
    ).serve()


def cmd_serve(args: argparse.Namespace) -> int:
    serve(args.host, args.port, args.workers)
    return 0


def cmd_proxy(args: argparse.Namespace) -> int:  # noqa: RET503 - HAProxy replaces this process
    """Write the HAProxy configuration for `dpt serve` and run HAProxy with it (in the foreground)."""
    from service.protection.proxy import ProxyPlan, write_config  # noqa: PLC0415

    bounds = {name: getattr(args, name) for name in ("in_flight", "queue", "queue_ms", "threads")}
    plan = ProxyPlan(
        args.listen,
        args.backend,
        args.workers,
        **{name: value for name, value in bounds.items() if value is not None},
    )
    try:
        config = write_config(plan, Path(args.config_dir))
    except OSError as error:
        _say(f"dpt proxy: tidak bisa menulis / cannot write {args.config_dir}: {error.strerror}")
        return 2
    _say(f"proxy: {config} written; {args.listen} -> {args.backend}")
    if args.write_only:
        return 0
    haproxy = shutil.which("haproxy")
    if not haproxy:
        _say("dpt proxy: HAProxy tidak terpasang / HAProxy is not installed (apt-get install haproxy)")
        return 2
    os.execv(haproxy, [haproxy, "-db", "-f", str(config)])  # noqa: S606 - HAProxy replaces this process


@contextlib.contextmanager
def _demo_servers(data_dir: Path) -> Iterator[None]:
    from service.embedded import embedded_postgres, embedded_redis  # noqa: PLC0415

    with contextlib.ExitStack() as stack:
        if not os.environ.get("DPT_DATABASE_URL"):
            _say(f"demo: starting embedded PostgreSQL in {data_dir / 'postgres'}")
            os.environ["DPT_DATABASE_URL"] = stack.enter_context(embedded_postgres(data_dir))
        if not os.environ.get("DPT_REDIS_URL"):
            _say(f"demo: starting embedded Redis in {data_dir / 'redis'}")
            os.environ["DPT_REDIS_URL"] = stack.enter_context(embedded_redis(data_dir))
        yield


def _demo_key(data_dir: Path) -> str:
    """The demo keeps its own NIK key, so a second run can read the first run's hashes."""
    path = data_dir / "nik.key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


async def _demo_prepare(data_dir: Path) -> None:
    settings = load_settings()
    conn = await _connect(settings)
    try:
        await migrate(conn, _say)
        published = await QUERIES["published-dataset"].row(conn)
    finally:
        await conn.close()
    if published:
        _say(f"demo: reusing published dataset {published['version']}")
        return
    from service.synth import write_synthetic_dpt  # noqa: PLC0415

    demo = data_dir / "demo"
    if not (demo / "dpt.csv").exists():
        _say("demo: generating the Kota Metro demo DPT")
        write_synthetic_dpt(demo, progress=lambda rows: _say(f"synth: {rows:,} voters written"))
    args = argparse.Namespace(
        voters=demo / "dpt.csv",
        tps=demo / "tps.csv",
        election=DEMO_ELECTION,
        polling_date=DEMO_POLLING_DATE,
        version=None,
        rejects=None,
        no_publish=False,
    )
    print_summary(await run_import(settings, args))


def cmd_demo(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DPT_NIK_KEY", _demo_key(data_dir))
    with _demo_servers(data_dir):
        _run(lambda: _demo_prepare(data_dir))
        _say(f"demo: serving on http://{args.host}:{args.port}  (Ctrl-C stops everything)")
        serve(args.host, args.port, args.workers)
    return 0


def cmd_settings(_: argparse.Namespace) -> int:
    """Every DPT_* setting with its default and meaning (secrets are not printed)."""
    for field in msgspec.structs.fields(Settings):
        default = "(required)" if field.name in SERVING else repr(field.default)
        print(f"DPT_{field.name.upper():<30} {default:<12} {SETTING_DOCS[field.name]}")
    return 0


# -- argument parsing ----------------------------------------------------------------------
def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text}") from None


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"harus bilangan bulat >= {minimum} / must be a whole number >= {minimum}: {text}"
            )
        return value

    return parse


def _host_port(text: str) -> str:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"harus HOST:PORT / must be HOST:PORT: {text}")
    return text


def _add_proxy_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    proxy = commands.add_parser("proxy", help="run HAProxy in front of `dpt serve` (it sheds a spike)")
    proxy.add_argument("--listen", type=_host_port, default="0.0.0.0:80", help="host:port HAProxy binds")
    proxy.add_argument("--backend", type=_host_port, default="127.0.0.1:8000", help="host:port of dpt serve")
    proxy.add_argument(
        "--workers", type=_at_least(1), default=os.cpu_count() or 1, help="dpt serve --workers"
    )
    # Their defaults are ProxyPlan's (service/proxy.py), chosen by loadtest/spike.py.
    proxy.add_argument("--in-flight", type=_at_least(1), help="requests per worker let through at once")
    proxy.add_argument("--queue", type=_at_least(0), help="requests per worker that may wait; more get 503")
    proxy.add_argument("--queue-ms", type=_at_least(1), help="longest wait in the queue before a 503")
    proxy.add_argument("--threads", type=_at_least(1), help="HAProxy threads (default: one per core)")
    proxy.add_argument("--config-dir", default="data/proxy", help="where haproxy.cfg is written")
    proxy.add_argument("--write-only", action="store_true", help="write the configuration, do not run")
    proxy.set_defaults(handler=cmd_proxy)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dpt", description="DPT lookup service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="run the production server (granian)")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    serve_parser.set_defaults(handler=cmd_serve)

    _add_proxy_parser(commands)

    commands.add_parser("migrate", help="create or upgrade the schema").set_defaults(handler=cmd_migrate)
    commands.add_parser("settings", help="list the DPT_* settings").set_defaults(handler=cmd_settings)

    synth = commands.add_parser("synth", help="write a synthetic dpt.csv and tps.csv")
    synth.add_argument("--out", required=True)
    synth.add_argument("--kabkota", default="18.72")
    synth.add_argument("--voters", type=int, default=120_000)
    synth.add_argument("--seed", type=int, default=2024)
    synth.set_defaults(handler=cmd_synth)

    imp = commands.add_parser("import", help="validate, load and publish a dataset version")
    imp.add_argument("--voters", required=True, help="dpt.csv")
    imp.add_argument("--tps", required=True, help="tps.csv")
    imp.add_argument("--election", default="Pemilu")
    imp.add_argument("--polling-date", type=_date, default=None)
    imp.add_argument("--version", default=None, help="version name (default: a timestamp)")
    imp.add_argument("--rejects", default=None, help="rejects file (default: next to dpt.csv)")
    imp.add_argument("--no-publish", action="store_true", help="load but do not publish")
    imp.set_defaults(handler=cmd_import)

    commands.add_parser("datasets", help="list dataset versions").set_defaults(handler=cmd_datasets)
    rollback = commands.add_parser("rollback", help="publish the previous (or a named) kept version")
    rollback.add_argument("--version", default=None)
    rollback.set_defaults(handler=cmd_rollback)

    token = commands.add_parser("token", help="API tokens").add_subparsers(dest="action", required=True)
    token_add = token.add_parser("add", help="create a token; it is printed once, on the last line")
    token_add.add_argument("--name", required=True)
    token_add.add_argument("--role", required=True, choices=["helpdesk", "sms", "admin"])
    token_add.add_argument("--scope", default=None, help="region code the token is limited to")
    token_add.set_defaults(handler=cmd_token_add)

    operator = commands.add_parser("operator", help="help-desk accounts").add_subparsers(
        dest="action", required=True
    )
    operator_add = operator.add_parser("add", help="create an account; the password is read from stdin")
    operator_add.add_argument("--username", required=True)
    operator_add.add_argument("--scope", required=True)
    operator_add.add_argument("--role", default="helpdesk", choices=["helpdesk", "admin"])
    operator_add.set_defaults(handler=cmd_operator_add)

    demo = commands.add_parser("demo", help="embedded servers + Kota Metro demo data + server on :8000")
    demo.add_argument("--data-dir", default="data")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--workers", type=int, default=1)
    demo.set_defaults(handler=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except SettingsError as error:
        print(f"dpt: {error}", file=sys.stderr)
        return 2
    except (OSError, asyncpg.PostgresError) as error:
        print(f"dpt: database error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
