"""A real PostgreSQL primary and a streaming standby on loopback ports, from the machine's
PostgreSQL binaries (`initdb`, `pg_basebackup -R`), for the replica tests. Run as the `postgres`
OS user when the tests run as root (initdb refuses root). The standby can be paused (WAL replay),
resumed, stopped and started again."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.system_packages import ensure_debian_packages

PG_ROOT = Path("/usr/lib/postgresql")


def _pg_bin() -> Path:
    """The newest PostgreSQL's binaries the machine has (Debian 12 ships 15, 13 ships 17)."""
    versions = sorted((path for path in PG_ROOT.glob("*/bin") if path.parent.name.isdigit()),
                      key=lambda path: int(path.parent.name))  # fmt: skip
    return versions[-1] if versions else PG_ROOT / "15" / "bin"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(command: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {done.stderr or done.stdout}")
    return done


@dataclass
class PgServer:
    port: int
    data: Path
    log: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        _as_postgres([str(_pg_bin() / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                      "-o", options, "start"])  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        _as_postgres([str(_pg_bin() / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"], check=False)

    def sql(self, statement: str, database: str = "postgres") -> str:
        done = _as_postgres(
            [str(_pg_bin() / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", database, "-Atqc", statement]
        )  # fmt: skip
        return done.stdout.strip()


@dataclass
class Replication:
    primary: PgServer
    standby: PgServer

    def pause(self) -> None:
        self.standby.sql("select pg_wal_replay_pause()")

    def resume(self) -> None:
        self.standby.sql("select pg_wal_replay_resume()")

    def caught_up(self) -> bool:
        """Whether the standby has replayed everything the primary has written."""
        lsn = self.primary.sql("select pg_current_wal_insert_lsn()")
        return self.standby.sql(f"select pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") == "t"

    def wait_caught_up(self) -> None:
        for _ in range(400):
            if self.caught_up():
                return
            time.sleep(0.05)
        raise AssertionError("the standby never caught up")


def installed_postgresql() -> None:
    """The distribution's PostgreSQL server package (initdb, pg_ctl, pg_basebackup, psql)."""
    if not (_pg_bin() / "initdb").exists():
        ensure_debian_packages(("postgresql",), (PG_ROOT,))
    ensure_debian_packages(("postgresql",), (_pg_bin() / "initdb", _pg_bin() / "pg_basebackup"))
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.fail("runuser is needed to run PostgreSQL as the postgres user")


@contextlib.contextmanager
def streaming_replica(folder: Path) -> Iterator[Replication]:
    """A primary (trust on loopback, replication allowed) and a hot standby copied from it by
    `pg_basebackup -R`, streaming; both stopped and removed afterwards."""
    installed_postgresql()
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # `folder` must be reachable by postgres: under /tmp, not pytest's tmp_path
        shutil.chown(folder, "postgres", "postgres")
        os.chmod(folder, 0o700)
    primary = PgServer(_free_port(), folder / "primary", folder / "primary.log")
    standby = PgServer(_free_port(), folder / "standby", folder / "standby.log")
    try:
        _as_postgres([str(_pg_bin() / "initdb"), "-D", str(primary.data), "-U", "postgres", "-A", "trust",
                      "--no-sync", "-E", "UTF8", "--locale", "C.UTF-8"])  # fmt: skip
        with (primary.data / "postgresql.conf").open("a") as conf:
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_wal_senders = 4\n")
        with (primary.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        primary.start()
        _as_postgres([str(_pg_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                      "postgres", "-D", str(standby.data), "-R", "-X", "stream", "--no-sync"])  # fmt: skip
        standby.start()
        replication = Replication(primary, standby)
        replication.wait_caught_up()
        yield replication
    finally:
        standby.stop("immediate")
        primary.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
