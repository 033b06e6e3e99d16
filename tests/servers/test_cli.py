"""The `dpt` console script as operators and scripts use it (docs/contract.md, section 2)."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from service.cli.serving import prepare_demo
from tests.servers.test_importer import csv_line, many_people, write_lines
from tests.support.factories import voter_row, write_small_dataset, write_tps
from tests.support.serving import TEST_NIK_KEY

DPT = str(Path(sys.executable).with_name("dpt"))


def dpt(*args: str, database_url: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DPT_DATABASE_URL": database_url, "DPT_NIK_KEY": TEST_NIK_KEY, **env}
    return subprocess.run(
        [DPT, *args], env=environment, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )


def files(folder: Path) -> tuple[str, ...]:
    return ("--voters", str(folder / "dpt.csv"), "--tps", str(folder / "tps.csv"))


async def dataset_versions(database_url: str) -> dict[str, str]:
    conn = await asyncpg.connect(database_url)
    try:
        return {row["version"]: row["status"] for row in await conn.fetch("select * from dataset")}
    finally:
        await conn.close()


async def test_synth_import_rollback_and_datasets(database_url: str, tmp_path: Path) -> None:
    assert dpt("migrate", database_url=database_url).returncode == 0
    synth = dpt(
        "synth", "--out", str(tmp_path / "a"), "--voters", "3000", "--seed", "1", database_url=database_url
    )
    assert synth.returncode == 0, synth.stderr
    assert "Kota Metro" in synth.stdout
    with (tmp_path / "a" / "dpt.csv").open(encoding="utf-8", newline="") as stream:
        niks = [row["nik"] for row in csv.DictReader(stream)]
    # A second version with two bad rows appended.
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "tps.csv").write_bytes((tmp_path / "a" / "tps.csv").read_bytes())
    bad_rows = "2222222222222222,,X,METRO,01-01-1990,L,,,,18.72.01.1001,1,,\n" + niks[0] + ",,DUP\n"
    (tmp_path / "b" / "dpt.csv").write_text((tmp_path / "a" / "dpt.csv").read_text() + bad_rows)

    first = dpt(
        "import",
        *files(tmp_path / "a"),
        "--election",
        "Pilkada 2024",
        "--polling-date",
        "2024-11-27",
        "--version",
        "one",
        database_url=database_url,
    )
    assert first.returncode == 0, first.stderr
    assert "3,000 rows read, 3,000 loaded, 0 rejected" in first.stdout
    second = dpt("import", *files(tmp_path / "b"), "--version", "two", database_url=database_url)
    assert second.returncode == 0, second.stderr
    assert "3,002 rows read, 3,000 loaded, 2 rejected" in second.stdout
    assert "nik_pattern" in second.stdout and "wrong_column_count" in second.stdout
    assert not any(nik in second.stdout + second.stderr for nik in niks)

    listing = dpt("datasets", database_url=database_url).stdout
    assert "one" in listing and "retired" in listing and "published" in listing
    rollback = dpt("rollback", database_url=database_url)
    assert rollback.returncode == 0
    assert "published dataset one" in rollback.stdout
    conn = await asyncpg.connect(database_url)
    try:
        version = await conn.fetchval(
            "select d.version from published_dataset p join dataset d on d.id = p.dataset_id"
        )
    finally:
        await conn.close()
    assert version == "one"


async def test_import_fails_clearly_without_a_key_or_with_a_bad_header(
    database_url: str, tmp_path: Path
) -> None:
    missing_key = dpt(
        "import", "--voters", "x.csv", "--tps", "y.csv", database_url=database_url, DPT_NIK_KEY=""
    )
    assert missing_key.returncode == 2
    assert "DPT_NIK_KEY" in missing_key.stderr
    (tmp_path / "dpt.csv").write_text("nik,nama\n1872015407530001,X\n")
    (tmp_path / "tps.csv").write_text("kode_kelurahan,tps,alamat,lat,lon,jenis\n")
    bad_header = dpt("import", *files(tmp_path), database_url=database_url)
    assert bad_header.returncode == 1
    assert "missing column" in bad_header.stderr and "tanggal_lahir" in bad_header.stderr


async def test_import_refuses_unusable_arguments_with_exit_2_before_creating_anything(
    database_url: str, tmp_path: Path
) -> None:
    write_small_dataset(tmp_path)
    (tmp_path / "folder").mkdir()
    unusable = {
        "a folder as rejects file": ("--rejects", str(tmp_path / "folder")),
        "a rejects file in no folder": ("--rejects", str(tmp_path / "nowhere" / "r.csv")),
        "the voter file as rejects file": ("--rejects", str(tmp_path / "dpt.csv")),
        "a missing tps.csv": ("--tps", str(tmp_path / "missing.csv")),
    }
    for case, extra in unusable.items():
        result = dpt("import", *files(tmp_path), *extra, "--version", "v", database_url=database_url)
        assert result.returncode == 2, (case, result.stderr)
        message = result.stderr.strip().splitlines()[-1]
        assert message.startswith("dpt import: ") and " / " in message, case
        assert "Traceback" not in result.stderr and "database" not in result.stderr, case
        assert await dataset_versions(database_url) == {}, case
    again = dpt("import", *files(tmp_path), "--version", "v", database_url=database_url)
    assert again.returncode == 0, again.stderr
    assert await dataset_versions(database_url) == {"v": "published"}


async def test_a_damaged_tps_file_is_rejected_line_by_line(database_url: str, tmp_path: Path) -> None:
    write_small_dataset(tmp_path)
    with (tmp_path / "tps.csv").open("ab") as stream:
        stream.write(b"18.72.01.1001,4,Balai Desa Pe\xf1a,-5.1,105.3,reguler\n")
        stream.write(b"18.72.01.1001,5,Balai\0Warga,-5.1,105.3,reguler\n")
    result = dpt("import", *files(tmp_path), "--version", "v", database_url=database_url)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "tps.csv         : 14 rows read, 12 loaded" in result.stdout
    assert "       2  encoding_invalid" in result.stdout


async def test_an_interrupted_import_leaves_no_dataset_and_the_version_stays_free(
    database_url: str, tmp_path: Path
) -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) mid-import."""
    write_tps(tmp_path / "tps.csv")
    write_lines(tmp_path / "dpt.csv", [csv_line(voter_row(person)) for person in many_people(60_000)])
    environment = {**os.environ, "DPT_DATABASE_URL": database_url, "DPT_NIK_KEY": TEST_NIK_KEY}
    # As from a terminal: a test run started in the background of a shell (`make test &`) has
    # SIGINT ignored, and an ignored signal stays ignored in every child. A handler of our own is
    # reset to the default in the child.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = await asyncio.create_subprocess_exec(
            DPT,
            "import",
            *files(tmp_path),
            "--version",
            "v",
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    finally:
        signal.signal(signal.SIGINT, inherited)
    assert process.stderr is not None
    while line := await asyncio.wait_for(process.stderr.readline(), 60):
        if line.startswith(b"tps.csv"):  # the dataset row exists and the voters are loading
            break
    os.killpg(process.pid, signal.SIGINT)
    rest = (await asyncio.wait_for(process.stderr.read(), 60)).decode()
    assert await process.wait() == 130, rest
    assert "Traceback" not in rest
    assert await dataset_versions(database_url) == {}
    # 60,000 voters on 12 TPS are far over DPT_TPS_MAX_VOTERS: publishing them needs --force.
    again = dpt("import", *files(tmp_path), "--version", "v", "--force", database_url=database_url)
    assert again.returncode == 0, again.stderr


async def test_token_is_shown_once_on_the_last_line_and_stored_hashed(database_url: str) -> None:
    result = dpt(
        "token",
        "add",
        "--name",
        "kelurahan metro",
        "--role",
        "helpdesk",
        "--scope",
        "18.72.01",
        database_url=database_url,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("dpt_helpdesk_") and len(token) > 40
    conn = await asyncpg.connect(database_url)
    try:
        stored = await conn.fetchrow("select role, scope, token_hash from api_token")
    finally:
        await conn.close()
    assert (stored["role"], stored["scope"]) == ("helpdesk", "18.72.01")
    assert stored["token_hash"] == hashlib.sha256(token.encode()).digest()
    unknown = dpt(
        "token", "add", "--name", "x", "--role", "sms", "--scope", "99.99", database_url=database_url
    )
    assert unknown.returncode == 2 and "99.99" in unknown.stderr


async def test_operator_password_comes_from_stdin_and_is_never_stored_in_clear(database_url: str) -> None:
    password = "rahasia-sekali-2024"
    result = dpt(
        "operator",
        "add",
        "--username",
        "siti",
        "--scope",
        "18.72",
        database_url=database_url,
        stdin=password + "\n",
    )
    assert result.returncode == 0, result.stderr
    short = dpt(
        "operator", "add", "--username", "budi", "--scope", "18.72", database_url=database_url, stdin="x\n"
    )
    assert short.returncode == 2
    conn = await asyncpg.connect(database_url)
    try:
        stored = await conn.fetchval("select password_hash from operator where username = 'siti'")
    finally:
        await conn.close()
    assert stored.startswith("$argon2id$") and password not in stored


async def test_demo_prepares_and_publishes_its_dataset(
    database_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`dpt demo`'s own import (the demo files already written, as on a second start before a
    publish) goes through `dpt import`'s parser, so it publishes whatever options import gains."""
    write_small_dataset(tmp_path / "demo")
    monkeypatch.setenv("DPT_DATABASE_URL", database_url)
    monkeypatch.setenv("DPT_REDIS_URL", redis_url)
    monkeypatch.setenv("DPT_NIK_KEY", TEST_NIK_KEY)
    await prepare_demo(tmp_path)
    assert "published" in (await dataset_versions(database_url)).values()
