"""The container stack as an operator runs it: the image built from this checkout (the wheel in a
virtual environment, a user of its own), `compose.yaml` brought up with PostgreSQL, Redis, the
service with two workers and HAProxy in front, secrets from files, the demo DPT imported through
the running service container, and lookups, the page and readiness checked through HAProxy.

This machine reaches no container registry, so every image is built here: a Debian base by
debootstrap (kept in data/docker/, git-ignored), then PostgreSQL, Redis and HAProxy from Debian's
packages on it (docker/local-images.sh), and the service's dependencies are wheels downloaded for
the image's Python into build/wheelhouse/. The Docker engine, compose and debootstrap are Debian
packages, installed when the tests run as root; the engine is started here if none runs."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.support.serving import free_port
from tests.support.system_packages import ensure_debian_packages

DOCKERD = Path("/usr/sbin/dockerd")
COMPOSE_V1 = Path("/usr/bin/docker-compose")
DEBOOTSTRAP = Path("/usr/sbin/debootstrap")
WHEELHOUSE = ROOT / "build" / "wheelhouse"
LOCAL_ENV = ROOT / "docker" / "local.env"
IMAGE_PYTHON = "3.11"  # Debian bookworm's python3 (3.11.2), on the base docker/base-image.sh builds
BUILD_SECONDS = 3600  # a cold build: debootstrap, four images, their packages


def run(command: list[str], env: dict[str, str] | None = None, timeout: float = BUILD_SECONDS) -> str:
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def docker() -> Iterator[str]:
    """A running Docker engine (Debian's `docker.io`, started here when none runs); yields the
    `docker` command."""
    ensure_debian_packages(("docker.io", "docker-compose", "debootstrap"), (DOCKERD, COMPOSE_V1, DEBOOTSTRAP))
    client = shutil.which("docker") or "/usr/bin/docker"
    if subprocess.run([client, "info"], capture_output=True, check=False).returncode == 0:
        yield client
        return
    log = ROOT / "data" / "docker" / "dockerd.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        engine = subprocess.Popen([str(DOCKERD)], stdout=output, stderr=output)
    try:
        for _ in range(300):
            if subprocess.run([client, "info"], capture_output=True, check=False).returncode == 0:
                break
            assert engine.poll() is None, f"dockerd exited; see {log}"
            time.sleep(0.1)
        yield client
    finally:
        engine.terminate()
        engine.wait(timeout=60)


def compose_command(docker: str) -> list[str]:
    """`docker compose` (v2) where the plugin is there, else Debian's `docker-compose` (v1)."""
    if subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    return [str(COMPOSE_V1)]


def local_images() -> dict[str, str]:
    """docker/local.env as variables: the images built here instead of the official ones."""
    pairs = (line.split("=", 1) for line in LOCAL_ENV.read_text().splitlines() if "=" in line)
    return {name.strip(): value.strip() for name, value in pairs if not name.startswith("#")}


def download_wheels() -> None:
    """Every dependency of the service and its build backend, as wheels for the image's Python."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requirements = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    # pip tests `python_full_version` markers with the interpreter running it, not the target's:
    # redis needs async-timeout before Python 3.11.3, which Debian bookworm's 3.11.2 is.
    requirements.append("async-timeout>=4.0.3")
    platforms = [f"manylinux_2_{minor}_x86_64" for minor in range(36, 16, -1)] + ["manylinux2014_x86_64"]
    targets = [option for platform in platforms for option in ("--platform", platform)]
    run([sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", "--dest", str(WHEELHOUSE),
         "--python-version", IMAGE_PYTHON, "--implementation", "cp", *targets, *requirements])  # fmt: skip


@pytest.fixture(scope="module")
def stack(docker: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], str, str]]:
    """compose.yaml up on the locally built images; yields the compose command (with project and
    file), HAProxy's public URL and its internal URL. Taken down, volumes and all, afterwards."""
    download_wheels()
    run(["sh", "docker/local-images.sh"])
    secret_dir = tmp_path_factory.mktemp("secrets")
    password = secrets.token_hex(16)
    for name, value in {
        "postgres_password": password,
        "database_url": f"postgresql://dpt:{password}@postgres:5432/dpt",
        "nik_key": secrets.token_hex(32),
        "twilio_auth_token": "",
    }.items():
        (secret_dir / name).write_text(value + "\n")
        (secret_dir / name).chmod(0o644)  # compose mounts the file as is; the service runs as 10001
    public, internal = free_port(), free_port()
    env = {**os.environ, **local_images(), "DPT_SECRETS": str(secret_dir), "DPT_PIP_NO_INDEX": "1",
           "DPT_HTTP_PORT": str(public), "DPT_INTERNAL_PORT": str(internal), "DPT_WORKERS": "2",
           "DPT_IMAGE": "dpt-lookup:test"}  # fmt: skip
    compose = [
        *compose_command(docker),
        "--project-name",
        f"dpt-test-{secrets.token_hex(3)}",
        "-f",
        "compose.yaml",
    ]
    try:
        run([*compose, "build", "dpt"], env)
        run([*compose, "up", "-d"], env, timeout=600)
        yield compose, f"http://127.0.0.1:{public}", f"http://127.0.0.1:{internal}"
    finally:
        subprocess.run([*compose, "down", "--volumes", "--timeout", "20"], cwd=ROOT, env=env,
                       capture_output=True, timeout=600, check=False)  # fmt: skip


def wait_for(url: str, status: int = 200, seconds: float = 180) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(httpx.TransportError):
            answer = httpx.get(url, timeout=5)
            if answer.status_code == status:
                return answer
        assert time.monotonic() < deadline, f"{url} never answered {status}"
        time.sleep(0.5)


def first_answer(url: str, body: dict[str, str], seconds: float = 20) -> httpx.Response:
    """The first answer that is not 503. One worker saying ready does not mean all do: the other
    learns of the publish at its next poll, and HAProxy counts the machine up after two passing
    checks; until then a lookup is refused with 503, never anything else."""
    deadline = time.monotonic() + seconds
    while True:
        answer = httpx.post(url, json=body, timeout=30)
        if answer.status_code != 503:
            return answer
        assert time.monotonic() < deadline, f"{url} still refused after {seconds} s: {answer.text}"
        time.sleep(0.5)


def test_the_stack_serves_the_demo_dpt_through_haproxy(stack: tuple[list[str], str, str]) -> None:
    compose, public, internal = stack
    wait_for(f"{public}/health/live")
    # Nothing published yet: the service is alive but not ready.
    assert httpx.get(f"{public}/health/ready", timeout=10).status_code == 503
    # Import through the running service container, as an operator would.
    script = ("dpt synth --out /tmp/demo --voters 3000 --seed 7 >/dev/null"
              " && dpt import --voters /tmp/demo/dpt.csv --tps /tmp/demo/tps.csv >/dev/null"
              " && sed -n 2p /tmp/demo/dpt.csv | cut -d, -f1")  # fmt: skip
    nik = run([*compose, "exec", "-T", "dpt", "sh", "-c", script]).strip().splitlines()[-1]
    assert len(nik) == 16 and nik.isdigit()

    ready = wait_for(f"{public}/health/ready")
    lookup = first_answer(f"{public}/api/v1/nik", {"nik": nik})
    malformed = httpx.post(f"{public}/api/v1/nik", json={"nik": "123"}, timeout=30)
    page = httpx.get(f"{public}/", timeout=30)
    assert ready.json()["status"] == "ok"
    assert lookup.status_code == 200 and lookup.json()["registered"] is True
    assert lookup.json()["voter"]["region"]["kabkota"]["code"] == "18.72"
    assert malformed.status_code == 422 and malformed.json()["error"]["code"] == "nik_length"
    assert page.status_code == 200 and "NIK" in page.text

    # /metrics and /schema only on the internal listener, with HAProxy's own exporter beside them.
    assert httpx.get(f"{public}/metrics", timeout=10).status_code == 404
    assert httpx.get(f"{public}/schema/openapi.json", timeout=10).status_code == 404
    assert "dpt_" in httpx.get(f"{internal}/metrics", timeout=10).text
    assert "haproxy_backend_active_servers" in httpx.get(f"{internal}/haproxy/metrics", timeout=10).text

    # The service runs as its own user, and the image's health check passes.
    assert run([*compose, "exec", "-T", "dpt", "id", "-u"]).strip() == "10001"
    container = run([*compose, "ps", "-q", "dpt"]).strip()
    deadline = time.monotonic() + 120
    health = ""
    while health != "healthy" and time.monotonic() < deadline:
        health = run(["docker", "inspect", "--format", "{{.State.Health.Status}}", container]).strip()
        time.sleep(1)
    assert health == "healthy"
