"""`dpt proxy`: a real HAProxy in front of a real `dpt serve`. Requests pass through with the
client's address; beyond the bound, the excess waits in order or is refused at once with the
service's own bilingual 503; health still answers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import msgspec
import pytest

from service.importer import ImportSummary
from service.protection.proxy import CONFIG, STATS_SOCKET, ProxyPlan, write_config
from service.settings import Settings
from tests.conftest import database_from_template
from tests.support.factories import DatasetFiles
from tests.support.serving import (
    DPT,
    TEST_NIK_KEY,
    dpt_proxy,
    dpt_serve,
    eventually,
    free_port,
    held_lookup,
    installed_haproxy,
    requests_in_flight,
)
from tests.support.system_packages import ensure_debian_packages

OPENSSL = Path("/usr/bin/openssl")


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
        ("127.0.0.1:8000", "10.0.0.2:8000"),
        workers=3,
        in_flight=5,
        queue=7,
        threads=threads,
        search_in_flight=2,
        search_queue=3,
        internal="127.0.0.1:8405",
    )
    config = write_config(plan, tmp_path)
    checked = subprocess.run(
        [str(haproxy), "-c", "-f", str(config)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = config.read_text()
    for number, machine in ((1, "127.0.0.1:8000"), (2, "10.0.0.2:8000")):  # one line per machine
        assert f"server dpt{number} {machine} maxconn 15 check" in text  # 5 per worker
        assert f"server dpt{number} {machine} maxconn 6 track dpt/dpt{number}" in text  # searches: 2
    assert "queue(dpt) ge 42" in text  # 7 per worker, 2 machines
    assert "queue(dpt_search) ge 18" in text  # 3 per worker, 2 machines
    assert text.count("option httpchk GET /health/ready") == 1  # the backend every server is in
    assert "option http-buffer-request" in text
    assert "bind 127.0.0.1:8405" in text and "prometheus-exporter" in text
    assert (tmp_path / CONFIG) == config


def test_a_queue_of_0_refuses_only_when_every_slot_is_taken(tmp_path: Path) -> None:
    plan = ProxyPlan("127.0.0.1:8080", ("127.0.0.1:8000",), workers=2, queue=0, search_queue=0)
    text = write_config(plan, tmp_path).read_text()
    # `queue(dpt) ge 0` held for every request, so `--queue 0` refused all traffic.
    assert "queue(dpt) ge 0" not in text and "queue(dpt_search) ge 0" not in text
    assert "acl queue_full be_conn_free(dpt) le 0" in text
    assert "acl search_queue_full be_conn_free(dpt_search) le 0" in text


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


def raw_get(address: str, path: str) -> tuple[int, bytes]:
    """GET `path` exactly as written (no client normalises it) from `address` (host:port)."""
    host, port = address.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as raw:
        raw.sendall(f"GET {path} HTTP/1.1\r\nHost: dpt\r\nConnection: close\r\n\r\n".encode())
        head, _, body = b"".join(iter(lambda: raw.recv(65536), b"")).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def server_status(folder: Path, backend: str, server: str) -> str:
    """HAProxy's health verdict on `server` of `backend` (UP, DOWN, ...), from its socket."""
    with socket.socket(socket.AF_UNIX) as stats:
        stats.connect(str(folder / STATS_SOCKET))
        stats.sendall(b"show stat\n")
        text = b"".join(iter(lambda: stats.recv(65536), b"")).decode()
    header, *rows = text.lstrip("# ").splitlines()
    for row in rows:
        fields = dict(zip(header.split(","), row.split(","), strict=False))
        if fields.get("pxname") == backend and fields.get("svname") == server:
            return fields["status"].split()[0]
    raise AssertionError(f"no server {backend}/{server} in HAProxy's statistics")


@contextlib.contextmanager
def alive_only(database_url: str, settings: Settings) -> Iterator[str]:
    """`dpt serve` on a database where nothing is published: alive, never ready."""
    port = free_port()
    env = {**os.environ, "DPT_DATABASE_URL": database_url, "DPT_REDIS_URL": settings.redis_url,
           "DPT_NIK_KEY": TEST_NIK_KEY, "DPT_RATE_LIMIT_EXEMPT": "127.0.0.0/8"}  # fmt: skip
    command = [DPT, "serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(400):
            assert process.poll() is None, "dpt serve exited"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                    break
            time.sleep(0.05)
        assert httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=10).status_code == 503
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
async def empty_database(server_urls: tuple[str, str], template_database: str) -> AsyncIterator[str]:
    """A migrated database with no dataset published."""
    async with database_from_template(server_urls[0], template_database) as url:
        yield url


@pytest.fixture
def exempt_service(settings: Settings, published: ImportSummary) -> Iterator[str]:
    with dpt_serve(settings, DPT_RATE_LIMIT_EXEMPT="127.0.0.0/8") as (url, _):
        yield url.removeprefix("http://")


@pytest.mark.usefixtures("haproxy")
def test_metrics_and_schema_are_served_only_on_the_internal_listener(
    exempt_service: str, tmp_path: Path, small_dataset: DatasetFiles
) -> None:
    internal = f"127.0.0.1:{free_port()}"
    spellings = ("/metrics", "//metrics", "/%6Detrics", "/%2fmetrics", "/metrics/", "/metrics?x=1",
                 "/schema", "/schema/openapi.json", "//schema/openapi.json", "/%73chema/openapi.json",
                 "/schema%2fopenapi.json")  # fmt: skip
    # Each spelling reaches the route on the service itself, so each must be refused publicly.
    assert all(raw_get(exempt_service, path)[0] == 200 for path in spellings)
    with dpt_proxy(exempt_service, tmp_path, "--internal", internal) as url:
        public = {path: raw_get(url, path) for path in spellings}
        ready = httpx.get(f"{url}/health/ready", timeout=30)
        lookup = httpx.post(f"{url}/api/v1/nik", json={"nik": small_dataset.people[0].nik}, timeout=30)
        metrics, schema = raw_get(internal, "/metrics"), raw_get(internal, "/schema/openapi.json")
        own = raw_get(internal, "/haproxy/metrics")
    for path, (status, body) in public.items():
        assert status == 404, path
        assert msgspec.json.decode(body)["error"]["code"] == "not_found"
    assert ready.status_code == 200 and lookup.json()["registered"] is True
    assert metrics[0] == 200 and b"dpt_requests_in_flight" in metrics[1]
    assert schema[0] == 200 and b'"/api/v1/nik"' in schema[1]
    assert own[0] == 200 and b'haproxy_backend_active_servers{proxy="dpt"} 1' in own[1]


@pytest.mark.usefixtures("haproxy")
async def test_a_queue_of_0_lets_requests_in_while_a_slot_is_free(
    exempt_service: str, tmp_path: Path, locked_voters: asyncpg.Connection, small_dataset: DatasetFiles
) -> None:
    people = small_dataset.people
    with dpt_proxy(exempt_service, tmp_path, "--in-flight", "1", "--queue", "0") as url:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            held = await held_lookup(client, url, people[0].nik, f"http://{exempt_service}")
            refused = await client.post("/api/v1/nik", json={"nik": people[1].nik})
            await locked_voters.close()
            answered = await held
            after = await client.post("/api/v1/nik", json={"nik": people[1].nik})
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "overloaded"
    assert answered.status_code == 200 and after.status_code == 200  # a free slot: let in


def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(400):
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


@pytest.mark.usefixtures("haproxy")
def test_only_ready_machines_get_requests_and_unready_ones_are_the_fallback(
    exempt_service: str,
    settings: Settings,
    empty_database: str,
    tmp_path: Path,
    small_dataset: DatasetFiles,
) -> None:
    nik = small_dataset.people[0].nik
    with alive_only(empty_database, settings) as unready:
        options = ("--backend", unready, "--check-ms", "100")
        with dpt_proxy(exempt_service, tmp_path / "two", *options) as url:
            until(lambda: server_status(tmp_path / "two", "dpt", "dpt2") == "DOWN", "the unready one out")
            answers = [httpx.post(f"{url}/api/v1/nik", json={"nik": nik}, timeout=30) for _ in range(20)]
        with dpt_proxy(unready, tmp_path / "one", "--check-ms", "100") as url:
            until(lambda: server_status(tmp_path / "one", "dpt", "dpt1") == "DOWN", "the unready one out")
            fallback = httpx.post(f"{url}/api/v1/nik", json={"nik": nik}, timeout=30)
    assert [answer.status_code for answer in answers] == [200] * 20  # none went to the unready one
    # No machine is ready: the live ones still get requests, and answer for themselves.
    assert fallback.status_code == 503 and fallback.json()["error"]["code"] == "no_dataset"


@pytest.mark.usefixtures("haproxy")
def test_a_machine_that_stops_is_taken_out(
    settings: Settings, published: ImportSummary, tmp_path: Path, small_dataset: DatasetFiles
) -> None:
    nik = small_dataset.people[0].nik
    with contextlib.ExitStack() as stack:
        first, process = stack.enter_context(dpt_serve(settings, DPT_RATE_LIMIT_EXEMPT="127.0.0.0/8"))
        second, _ = stack.enter_context(dpt_serve(settings, DPT_RATE_LIMIT_EXEMPT="127.0.0.0/8"))
        options = ("--backend", second.removeprefix("http://"), "--check-ms", "100")
        url = stack.enter_context(dpt_proxy(first.removeprefix("http://"), tmp_path, *options))
        process.terminate()
        process.wait(timeout=30)
        until(lambda: server_status(tmp_path, "dpt", "dpt1") == "DOWN", "the stopped one out")
        answers = [httpx.post(f"{url}/api/v1/nik", json={"nik": nik}, timeout=30) for _ in range(10)]
    assert [answer.status_code for answer in answers] == [200] * 10


@pytest.mark.usefixtures("haproxy")
def test_tls_is_terminated_with_the_given_certificate(
    exempt_service: str, tmp_path: Path, small_dataset: DatasetFiles
) -> None:
    ensure_debian_packages(("openssl",), (OPENSSL,))
    key, cert, pem = tmp_path / "key.pem", tmp_path / "cert.pem", tmp_path / "dpt.pem"
    subprocess.run(
        [str(OPENSSL), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    with dpt_proxy(exempt_service, tmp_path / "proxy", "--tls-cert", str(pem)) as url:
        https = url.replace("http://", "https://")
        trust = ssl.create_default_context(cafile=cert)
        with httpx.Client(base_url=https, verify=trust, timeout=30) as client:
            page = client.get("/")
            lookup = client.post("/api/v1/nik", json={"nik": small_dataset.people[0].nik})
        with pytest.raises(httpx.TransportError):  # plain HTTP gets no answer on the TLS port
            httpx.get(f"{url}/", timeout=10).raise_for_status()
    assert page.status_code == 200
    assert page.headers["strict-transport-security"].startswith("max-age=")
    cookies = page.headers.get_list("set-cookie")
    assert cookies and all("; Secure" in cookie for cookie in cookies)
    assert lookup.status_code == 200 and lookup.json()["registered"] is True


def test_an_unreadable_certificate_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [DPT, "proxy", "--write-only", "--config-dir", str(tmp_path), "--tls-cert", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "cannot read --tls-cert" in done.stderr and "tidak bisa membaca" in done.stderr
    assert not (tmp_path / CONFIG).exists()
