"""End to end through a real Kannel: fakesmsc sends "DPT <NIK>" from a phone, bearerbox and
smsbox pass it to `dpt serve` at /sms/kannel (post-url mode), and the reply comes back to the
phone. Every process the test starts is stopped by its PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from service.importer import ImportSummary
from service.settings import Settings
from service.sms.replies import fits_one_sms
from tests.support.factories import DatasetFiles, make_token
from tests.support.serving import dpt_serve, free_port
from tests.support.system_packages import ensure_debian_packages

KANNEL_PACKAGES = ("kannel", "kannel-extras")
BEARERBOX = Path("/usr/sbin/bearerbox")
SMSBOX = Path("/usr/sbin/smsbox")
FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
PHONE = "6281234567890"
SHORT_CODE = "1950"


def ensure_kannel() -> None:
    ensure_debian_packages(KANNEL_PACKAGES, (BEARERBOX, SMSBOX, FAKESMSC))


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not open port {port}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def kannel_conf(folder: Path, ports: dict[str, int], service_url: str) -> Path:
    conf = folder / "kannel.conf"
    conf.write_text(f"""
group = core
admin-port = {ports["admin"]}
admin-interface = 127.0.0.1
admin-password = test-admin
admin-allow-ip = 127.0.0.1
smsbox-port = {ports["smsbox"]}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "{folder}/bearerbox.log"
log-level = 1

group = smsc
smsc = fake
smsc-id = FAKE
port = {ports["fake"]}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {ports["smsbox"]}
log-file = "{folder}/smsbox.log"
log-level = 1

group = sms-service
keyword = default
catch-all = true
post-url = "{service_url}"
send-sender = true
max-messages = 1
""")
    return conf


@pytest.fixture
def service(settings: Settings, published: ImportSummary) -> Iterator[str]:
    """`dpt serve` on a free port, answering from the test dataset."""
    with dpt_serve(settings) as (url, _):
        yield url


@pytest.fixture
async def gateway_token(conn: asyncpg.Connection) -> str:
    return await make_token(conn, "sms", None, name="kannel")


@pytest.fixture
def kannel(service: str, gateway_token: str, tmp_path: Path) -> Iterator[int]:
    """bearerbox + smsbox on loopback, with one `default` sms-service posting to the service.
    Yields the port fakesmsc connects to."""
    ensure_kannel()
    ports = {name: free_port() for name in ("admin", "smsbox", "fake")}
    conf = kannel_conf(tmp_path, ports, f"{service}/sms/kannel?token={gateway_token}")
    bearerbox = subprocess.Popen(
        [str(BEARERBOX), str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    smsbox: subprocess.Popen[bytes] | None = None
    try:
        wait_for_port(ports["smsbox"], bearerbox, "bearerbox")
        smsbox = subprocess.Popen(
            [str(SMSBOX), str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(ports["fake"], bearerbox, "bearerbox fake SMSC")
        time.sleep(0.5)  # smsbox registers with bearerbox
        yield ports["fake"]
    finally:
        for process in (smsbox, bearerbox):
            if process is not None:
                stop(process)


def send_sms(fake_port: int, text: str) -> str:
    """Send one SMS with fakesmsc and return the reply it receives."""
    process = subprocess.Popen(
        [
            str(FAKESMSC),
            "-H",
            "127.0.0.1",
            "-r",
            str(fake_port),
            "-m",
            "1",
            f"{PHONE} {SHORT_CODE} text {text}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline().decode("utf-8", errors="replace")
            if not line:
                break
            # fakesmsc prints a reply in its own message format, in angle brackets:
            # "... <1950 6281234567890 text the reply>".
            marker = f"{SHORT_CODE} {PHONE} text "
            if marker in line:
                return line.split(marker, 1)[1].rstrip("\n").removesuffix(">")
        raise AssertionError("no reply reached the phone")
    finally:
        stop(process)


def test_sms_through_kannel_for_each_outcome(kannel: int, small_dataset: DatasetFiles) -> None:
    person = small_dataset.people[0]
    registered = send_sms(kannel, f"DPT {person.nik}")
    assert registered.startswith("Terdaftar di DPT")
    assert "TPS" in registered and person.nik not in registered and person.name not in registered

    absent = send_sms(kannel, f"cek#{person.nik[:12]}9999")
    assert absent.startswith("NIK tidak ditemukan di DPT") and "PPS" in absent

    malformed = send_sms(kannel, "DPT 18720154")
    assert "16" in malformed  # the reason: a NIK has 16 digits

    help_text = send_sms(kannel, "HELP")
    assert "DPT" in help_text

    for reply in (registered, absent, malformed, help_text):
        assert fits_one_sms(reply)
