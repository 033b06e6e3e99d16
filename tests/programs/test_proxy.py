"""`dpt proxy`: a real HAProxy in front of a real `dpt serve`. Requests pass through with the
client's address; beyond the bound, the excess waits in order or is refused at once with the
service's own bilingual 503; health still answers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.importer import ImportSummary
from service.protection.proxy import CONFIG, STATS_SOCKET, ProxyPlan, write_config
from service.settings import Settings
from tests.support.factories import DatasetFiles
from tests.support.serving import (
    DPT,
    dpt_proxy,
    dpt_serve,
    eventually,
    free_port,
    held_lookup,
    installed_haproxy,
    requests_in_flight,
)


@pytest.fixture(scope="module")
def haproxy() -> Path:
    """Debian's HAProxy, for the tests that run it. The tests of `dpt proxy`'s own errors need
    none and always run."""
    return installed_haproxy()


def queued(folder: Path, backend: str = "dpt") -> int:
    """Requests waiting in HAProxy's queue for the service (qcur of `backend`, from its socket)."""
    with socket.socket(socket.AF_UNIX) as stats:
        stats.connect(str(folder / STATS_SOCKET))
        stats.sendall(b"show stat\n")
        text = b"".join(iter(lambda: stats.recv(65536), b"")).decode()
    header, *rows = text.lstrip("# ").splitlines()
    names = header.split(",")
    for row in rows:
        fields = dict(zip(names, row.split(","), strict=False))
        if fields.get("pxname") == backend and fields.get("svname") == "BACKEND":
            return int(fields["qcur"])
    raise AssertionError(f"no backend {backend} in HAProxy's statistics")


@pytest.fixture
def service(settings: Settings, published: ImportSummary) -> Iterator[str]:
    """`dpt serve` that trusts the proxy's X-Forwarded-For and lets a client make 2 quick requests."""
    with dpt_serve(
        settings,
        DPT_TRUSTED_PROXIES="127.0.0.1/32",
        DPT_RATE_ADDRESS_BURST="2",
        DPT_RATE_ADDRESS_PER_MINUTE="1",
    ) as (url, _):
        yield url.removeprefix("http://")


@pytest.mark.usefixtures("haproxy")
def test_requests_pass_through_with_the_client_address(
    service: str, tmp_path: Path, small_dataset: DatasetFiles
) -> None:
    nik = small_dataset.people[0].nik

    def ask(url: str, client_address: str, times: int) -> list[httpx.Response]:
        transport = httpx.HTTPTransport(local_address=client_address)
        with httpx.Client(base_url=url, transport=transport, timeout=30) as client:
            return [client.post("/api/v1/nik", json={"nik": nik}) for _ in range(times)]

    with dpt_proxy(service, tmp_path) as url:
        assert httpx.get(f"{url}/health/ready", timeout=30).status_code == 200
        first = ask(url, "127.0.0.2", 3)
        other = ask(url, "127.0.0.3", 1)
    assert [answer.status_code for answer in first] == [200, 200, 429]
    assert first[0].json()["registered"] is True
    # The service told the two clients apart by the address HAProxy appended to X-Forwarded-For:
    # without it, both would be the proxy's 127.0.0.1, and share one rate limit.
    assert [answer.status_code for answer in other] == [200]


@contextlib.contextmanager
def one_at_a_time(settings: Settings, folder: Path, queue_ms: int) -> Iterator[tuple[str, str]]:
    """`dpt serve` behind `dpt proxy` letting one request through and queueing one; yields the
    service's URL and the proxy's."""
    with dpt_serve(settings, DPT_RATE_LIMIT_EXEMPT="127.0.0.0/8") as (backend, _):
        bounds = ("--in-flight", "1", "--queue", "1", "--queue-ms", str(queue_ms))
        with dpt_proxy(backend.removeprefix("http://"), folder, *bounds) as url:
            yield backend, url


@pytest.mark.usefixtures("haproxy")
async def test_excess_waits_in_order_or_is_refused_at_once_while_health_answers(
    settings: Settings,
    published: ImportSummary,
    tmp_path: Path,
    locked_voters: asyncpg.Connection,
    small_dataset: DatasetFiles,
) -> None:
    people = small_dataset.people
    with one_at_a_time(settings, tmp_path, queue_ms=60_000) as (backend, url):
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:

            async def lookup(nik: str) -> httpx.Response:
                return await client.post("/api/v1/nik", json={"nik": nik})

            in_flight = await held_lookup(client, url, people[0].nik, backend)  # waits on the lock
            waiting = asyncio.ensure_future(lookup(people[1].nik))  # waits in HAProxy's queue
            await eventually(lambda: queued(tmp_path) == 1, "the second lookup waits in HAProxy's queue")

            refused = await lookup(people[2].nik)
            page = await client.get("/")
            health = await client.get("/health/live")

            await locked_voters.close()  # the lock goes: both waiting lookups are answered, in order
            answers = [await in_flight, await waiting]

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    error = refused.json()["error"]
    assert error["code"] == "overloaded"
    assert error["message"].startswith("Layanan sedang sangat sibuk")
    assert error["message_en"].startswith("The service is very busy")
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert page.headers["retry-after"] == "1"
    assert "Layanan sedang sangat sibuk" in page.text and "The service is very busy" in page.text
    assert health.status_code == 200
    assert [answer.status_code for answer in answers] == [200, 200]
    assert all(answer.json()["registered"] for answer in answers)


@pytest.mark.usefixtures("haproxy")
async def test_a_wait_longer_than_the_queue_deadline_is_refused(
    settings: Settings,
    published: ImportSummary,
    tmp_path: Path,
    locked_voters: asyncpg.Connection,
    small_dataset: DatasetFiles,
) -> None:
    people = small_dataset.people
    with one_at_a_time(settings, tmp_path, queue_ms=200) as (backend, url):
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            in_flight = await held_lookup(client, url, people[0].nik, backend)
            timed_out = await client.post("/api/v1/nik", json={"nik": people[1].nik})
            await locked_voters.close()
            answered = await in_flight
    assert timed_out.status_code == 503
    assert timed_out.headers["retry-after"] == "1"
    assert timed_out.json()["error"]["code"] == "overloaded"
    assert answered.status_code == 200


@pytest.mark.usefixtures("haproxy")
async def test_name_searches_have_a_bound_and_a_queue_of_their_own(
    settings: Settings,
    published: ImportSummary,
    tmp_path: Path,
    locked_voters: asyncpg.Connection,
    small_dataset: DatasetFiles,
) -> None:
    person, other = small_dataset.people[0], small_dataset.people[1]
    search = {"name": person.name, "birth_date": person.birth_date.isoformat(), "region": person.kelurahan}
    env = {"DPT_RATE_LIMIT_EXEMPT": "127.0.0.0/8", "DPT_DB_TIMEOUT_SECONDS": "120"}
    with dpt_serve(settings, **env) as (backend, _):
        bounds = ("--search-in-flight", "1", "--search-queue", "1", "--queue-ms", "60000")
        with dpt_proxy(backend.removeprefix("http://"), tmp_path, *bounds) as url:
            async with httpx.AsyncClient(base_url=url, timeout=60) as client:

                def ask() -> asyncio.Future[httpx.Response]:
                    return asyncio.ensure_future(client.post("/api/v1/search", json=search))

                held = ask()  # waits on the lock, in the service
                await eventually(lambda: requests_in_flight(backend) == 1, "the search got in flight")
                waiting = ask()
                await eventually(lambda: queued(tmp_path, "dpt_search") == 1, "a search waits in the queue")
                refused = await client.post("/api/v1/search", json=search)
                page = await client.post("/cari", data={"name": person.name})
                # Lookups have slots of their own: this one gets through (and waits on the lock too).
                lookup = asyncio.ensure_future(client.post("/api/v1/nik", json={"nik": other.nik}))
                await eventually(lambda: requests_in_flight(backend) == 2, "the lookup got in flight")
                await locked_voters.close()
                answers = [await held, await waiting, await lookup]
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "overloaded"
    assert page.status_code == 503 and "Layanan sedang sangat sibuk" in page.text
    assert [answer.status_code for answer in answers] == [200, 200, 200]


@pytest.mark.parametrize("threads", [None, 2])
def test_the_written_configuration_is_valid_for_haproxy(
    haproxy: Path, tmp_path: Path, threads: int | None
) -> None:
    plan = ProxyPlan(
        "127.0.0.1:8080",
        "127.0.0.1:8000",
        workers=3,
        in_flight=5,
        queue=7,
        threads=threads,
        search_in_flight=2,
        search_queue=3,
    )
    config = write_config(plan, tmp_path)
    checked = subprocess.run(
        [str(haproxy), "-c", "-f", str(config)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = config.read_text()
    assert "server dpt 127.0.0.1:8000 maxconn 15" in text  # 5 per worker
    assert "queue(dpt) ge 21" in text  # 7 per worker
    assert "server dpt 127.0.0.1:8000 maxconn 6" in text  # searches: 2 per worker
    assert "queue(dpt_search) ge 9" in text  # 3 per worker
    assert "option http-buffer-request" in text
    assert (tmp_path / CONFIG) == config


@pytest.mark.usefixtures("haproxy")
def test_a_dead_service_gets_the_services_503_and_garbage_a_400(tmp_path: Path) -> None:
    nothing = f"127.0.0.1:{free_port()}"  # no service listens there
    with dpt_proxy(nothing, tmp_path) as url:
        down = httpx.get(f"{url}/health/live", timeout=30)
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            head, _, body = b"".join(iter(lambda: raw.recv(65536), b"")).partition(b"\r\n\r\n")
    assert down.status_code == 503
    assert down.headers["retry-after"] == "5"
    assert down.json()["error"]["code"] == "unavailable"
    assert down.json()["error"]["message"] and down.json()["error"]["message_en"]
    # Not HTTP: a plain 400, HAProxy's own page (HAProxy 2.6 cannot replace it), never a 5xx.
    assert head.startswith(b"HTTP/1.1 400 ") and body


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    done = subprocess.run(
        [DPT, "proxy", "--write-only", "--config-dir", str(tmp_path / "a-file" / "proxy")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "cannot write" in done.stderr and "tidak bisa menulis" in done.stderr


def test_without_haproxy_the_command_says_how_to_install_it(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run(
        [DPT, "proxy", "--config-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "apt-get install haproxy" in done.stderr
    assert (tmp_path / CONFIG).exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--in-flight", "0"),
        ("--queue", "-1"),
        ("--queue-ms", "soon"),
        ("--workers", "0"),
        ("--listen", "80"),
        ("--search-in-flight", "0"),
        ("--search-queue", "-1"),
    ],
)
def test_bad_bounds_are_refused_with_a_clear_message(tmp_path: Path, option: str, value: str) -> None:
    done = subprocess.run(
        [DPT, "proxy", "--write-only", "--config-dir", str(tmp_path), option, value],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert option in done.stderr and "must be" in done.stderr and "harus" in done.stderr
    assert not (tmp_path / CONFIG).exists()
