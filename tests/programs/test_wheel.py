"""The package as an operator installs it: the wheel built from this checkout, installed into a
fresh virtual environment outside it, runs every step of a deployment from another folder with
nothing of the checkout in reach (migrations and queries, templates and the stylesheet ship in
the wheel)."""

from __future__ import annotations

import contextlib
import csv
import os
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from service.settings import Settings
from tests.conftest import ROOT
from tests.support.serving import TEST_NIK_KEY, free_port


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("dpt_lookup-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `dpt` script of a fresh virtual environment holding only the wheel and its dependencies."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=900
    )
    return venv / "bin" / "dpt"


def test_the_wheel_carries_what_the_service_reads_at_run_time_and_no_tests(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = {path.name for path in (ROOT / "sql" / "migrations").glob("*.sql")}
    queries = {path.name for path in (ROOT / "sql" / "queries").glob("*.sql")}
    assert {f"service/sql/migrations/{name}" for name in migrations} <= names
    assert {f"service/sql/queries/{name}" for name in queries} <= names
    assert {"service/web/templates/index.html", "service/web/static/app.css"} <= names
    assert not [name for name in names if name.startswith(("tests/", "loadtest/"))]


@pytest.fixture
def deployment(installed: Path, settings: Settings, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working folder outside the checkout, and the environment an operator would set."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DPT_DATABASE_URL": settings.database_url,
        "DPT_REDIS_URL": settings.redis_url,
        "DPT_NIK_KEY": TEST_NIK_KEY,
    }
    return tmp_path, env


def wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "dpt serve exited"
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/health/ready", timeout=2) as ready,  # noqa: S310 - loopback
        ):
            if ready.status == 200:
                return
        time.sleep(0.1)
    raise AssertionError("dpt serve never became ready")


def dpt(installed: Path, folder: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(installed), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_an_installed_wheel_migrates_imports_and_serves_from_another_folder(
    installed: Path, deployment: tuple[Path, dict[str, str]]
) -> None:
    folder, env = deployment
    assert not str(installed).startswith(str(ROOT))
    dpt(installed, folder, env, "migrate")
    dpt(installed, folder, env, "synth", "--out", "demo", "--voters", "2000", "--seed", "5")
    imported = dpt(installed, folder, env, "import", "--voters", "demo/dpt.csv", "--tps", "demo/tps.csv")
    assert "published" in imported
    with (folder / "demo" / "dpt.csv").open(encoding="utf-8") as stream:
        nik = next(csv.DictReader(stream))["nik"]
    port = free_port()
    server = subprocess.Popen(
        [str(installed), "serve", "--port", str(port), "--workers", "1"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, server)
        with urllib.request.urlopen(f"{url}/", timeout=10) as page:  # noqa: S310 - loopback only
            html = page.read().decode()
        assert "Cek Pendaftaran Pemilih" in html
        stylesheet = html.split('href="/static/', 1)[1].split('"', 1)[0]
        with urllib.request.urlopen(f"{url}/static/{stylesheet}", timeout=10) as css:  # noqa: S310
            assert css.headers["content-type"].startswith("text/css")
        request = urllib.request.Request(  # noqa: S310 - loopback only
            f"{url}/api/v1/nik",
            data=f'{{"nik": "{nik}"}}'.encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            assert b'"registered":true' in answer.read()
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
