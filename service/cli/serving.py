"""The serving commands: `dpt serve` (granian), `dpt proxy` (HAProxy in front), `dpt demo`
(embedded servers and the Kota Metro demo DPT), and `dpt settings`."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

from service.cli.console import connect, run_async, say
from service.cli.datasets import print_summary, run_import
from service.observability.logs import logging_config
from service.observability.shared_files import prepare_metrics_dir
from service.settings import SERVING, SETTING_DOCS, Settings, load_settings
from service.store.migrate import migrate
from service.store.queries import QUERIES

SHUTDOWN_GRACE_SECONDS = 30
GRANIAN_BACKPRESSURE = 1024  # per worker; measured in loadtest/README.md (spike)


def serve(host: str, port: int, workers: int) -> None:
    from granian import Granian  # noqa: PLC0415 - the server is only needed by these commands
    from granian.constants import Interfaces, Loops  # noqa: PLC0415

    settings = load_settings()  # fail now, with the missing setting's name, not in every worker
    # Every worker writes its metrics there, so any worker's /metrics reports the sum of all.
    prepare_metrics_dir()
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
        # One JSON logging configuration for granian and the app (service/observability/logs.py).
        # Granian's access log is off: it writes the path with its query string (a Kannel GET
        # carries a NIK there); the app's access line names the route instead.
        log_dictconfig=logging_config(settings.log_level),
        log_access=False,
    ).serve()


def cmd_serve(args: argparse.Namespace) -> int:
    serve(args.host, args.port, args.workers)
    return 0


def cmd_proxy(args: argparse.Namespace) -> int:  # noqa: RET503 - HAProxy replaces this process
    """Write the HAProxy configuration for `dpt serve` and run HAProxy with it (in the foreground)."""
    from service.protection.proxy import ProxyPlan, write_config  # noqa: PLC0415

    names = ("in_flight", "queue", "queue_ms", "threads", "search_in_flight", "search_queue", "check_ms",
             "internal", "tls_cert")  # fmt: skip
    bounds = {name: getattr(args, name) for name in names}
    backends = tuple(args.backend or ("127.0.0.1:8000",))
    plan = ProxyPlan(
        args.listen,
        backends,
        args.workers,
        **{name: value for name, value in bounds.items() if value is not None},
    )
    if args.tls_cert and not os.access(args.tls_cert, os.R_OK):
        say(f"dpt proxy: tidak bisa membaca / cannot read --tls-cert {args.tls_cert}")
        return 2
    try:
        config = write_config(plan, Path(args.config_dir))
    except OSError as error:
        say(f"dpt proxy: tidak bisa menulis / cannot write {args.config_dir}: {error.strerror}")
        return 2
    say(f"proxy: {config} written; {args.listen} -> {', '.join(backends)}")
    if args.write_only:
        return 0
    haproxy = shutil.which("haproxy")
    if not haproxy:
        say("dpt proxy: HAProxy tidak terpasang / HAProxy is not installed (apt-get install haproxy)")
        return 2
    os.execv(haproxy, [haproxy, "-db", "-f", str(config)])  # noqa: S606 - HAProxy replaces this process


@contextlib.contextmanager
def _demo_servers(data_dir: Path) -> Iterator[None]:
    from service.embedded import embedded_postgres, embedded_redis  # noqa: PLC0415

    with contextlib.ExitStack() as stack:
        if not os.environ.get("DPT_DATABASE_URL"):
            say(f"demo: starting embedded PostgreSQL in {data_dir / 'postgres'}")
            os.environ["DPT_DATABASE_URL"] = stack.enter_context(embedded_postgres(data_dir))
        if not os.environ.get("DPT_REDIS_URL"):
            say(f"demo: starting embedded Valkey (Redis-compatible) in {data_dir / 'redis'}")
            os.environ["DPT_REDIS_URL"] = stack.enter_context(embedded_redis(data_dir))
        yield


def _demo_key(data_dir: Path) -> str:
    """The demo keeps its own NIK key, so a second run can read the first run's hashes."""
    path = data_dir / "nik.key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


async def prepare_demo(data_dir: Path) -> None:
    settings = load_settings()
    conn = await connect(settings)
    try:
        await migrate(conn, say)
        published = await QUERIES["published-dataset"].row(conn)
    finally:
        await conn.close()
    if published:
        say(f"demo: reusing published dataset {published['version']}")
        return
    from service.synth import DEMO_ELECTION, DEMO_POLLING_DATE, write_synthetic_dpt  # noqa: PLC0415

    demo = data_dir / "demo"
    if not (demo / "dpt.csv").exists():
        say("demo: generating the Kota Metro demo DPT")
        write_synthetic_dpt(demo, progress=lambda rows: say(f"synth: {rows:,} voters written"))
    print_summary(await run_import(settings, demo_import_arguments(demo, DEMO_ELECTION, DEMO_POLLING_DATE)))


def demo_import_arguments(folder: Path, election: str, polling_date: dt.date) -> argparse.Namespace:
    """`dpt import` of the demo files, through the command's own parser: every option it has
    gets its default, so the demo never lags behind a new one."""
    from service.cli import build_parser  # noqa: PLC0415 - the parser is built from this module

    return build_parser().parse_args(
        ["import", "--voters", str(folder / "dpt.csv"), "--tps", str(folder / "tps.csv"),
         "--election", election, "--polling-date", polling_date.isoformat()]
    )  # fmt: skip


def cmd_demo(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DPT_NIK_KEY", _demo_key(data_dir))
    with _demo_servers(data_dir):
        run_async(lambda: prepare_demo(data_dir))
        say(f"demo: serving on http://{args.host}:{args.port}  (Ctrl-C stops everything)")
        serve(args.host, args.port, args.workers)
    return 0


def cmd_settings(_: argparse.Namespace) -> int:
    """Every DPT_* setting with its default and meaning (secrets are not printed)."""
    for field in msgspec.structs.fields(Settings):
        default = "(required)" if field.name in SERVING else repr(field.default)
        print(f"DPT_{field.name.upper():<30} {default:<12} {SETTING_DOCS[field.name]}")
    return 0


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
    proxy.add_argument(
        "--backend", type=_host_port, action="append", help="host:port of dpt serve; repeat per machine"
    )
    proxy.add_argument("--internal", type=_host_port, help="host:port for /metrics, /schema (operators)")
    proxy.add_argument("--tls-cert", help="PEM file (certificate chain + key): serve https")
    proxy.add_argument("--check-ms", type=_at_least(100), help="health-check interval (default 1000)")
    proxy.add_argument(
        "--workers", type=_at_least(1), default=os.cpu_count() or 1, help="dpt serve --workers"
    )
    # Their defaults are ProxyPlan's (service/protection/proxy.py), chosen by loadtest/spike.py.
    proxy.add_argument("--in-flight", type=_at_least(1), help="requests per worker let through at once")
    proxy.add_argument("--queue", type=_at_least(0), help="requests per worker that may wait; more get 503")
    proxy.add_argument("--queue-ms", type=_at_least(1), help="longest wait in the queue before a 503")
    proxy.add_argument(
        "--search-in-flight", type=_at_least(1), help="name searches per worker let through at once"
    )
    proxy.add_argument(
        "--search-queue", type=_at_least(0), help="name searches per worker that may wait; more get 503"
    )
    proxy.add_argument("--threads", type=_at_least(1), help="HAProxy threads (default: one per core)")
    proxy.add_argument("--config-dir", default="data/proxy", help="where haproxy.cfg is written")
    proxy.add_argument("--write-only", action="store_true", help="write the configuration, do not run")
    proxy.set_defaults(handler=cmd_proxy)


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve_parser = commands.add_parser("serve", help="run the production server (granian)")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    serve_parser.set_defaults(handler=cmd_serve)

    _add_proxy_parser(commands)
    commands.add_parser("settings", help="list the DPT_* settings").set_defaults(handler=cmd_settings)

    demo = commands.add_parser("demo", help="embedded servers + Kota Metro demo data + server on :8000")
    demo.add_argument("--data-dir", default="data")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--workers", type=int, default=1)
    demo.set_defaults(handler=cmd_demo)
