"""The pieces of service/observability/ that need no server: the latency histogram as Prometheus
reads it after a flush, the log filter that takes personal data out of every record, and the
dashboard in docs/grafana/ reading only metrics that exist."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.observability import metrics
from service.observability.logs import REDACTED, logging_config, redact


def sample(text: str, name: str, labels: str) -> float:
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(labels)}\}} (\S+)$", text, re.MULTILINE)
    assert match, f"{name}{{{labels}}} not in the exposition"
    return float(match.group(1))


def test_request_counts_and_latencies_reach_prometheus_only_at_a_flush() -> None:
    route = "/unit/histogram"
    for seconds in (0.0005, 0.001, 0.003, 20.0):
        metrics.observe_request(route, 200, seconds)
    metrics.observe_request(route, 503, 0.0001)
    assert f'route="{route}"' not in metrics.exposition().decode()
    metrics.flush_requests()
    text = metrics.exposition().decode()
    assert sample(text, "dpt_requests_total", f'route="{route}",status="200"') == 4
    assert sample(text, "dpt_requests_total", f'route="{route}",status="503"') == 1
    histogram = "dpt_request_duration_seconds_bucket"
    assert sample(text, histogram, f'le="0.001",route="{route}"') == 3  # a bucket holds its bound
    assert sample(text, histogram, f'le="0.0025",route="{route}"') == 3
    assert sample(text, histogram, f'le="0.005",route="{route}"') == 4
    assert sample(text, histogram, f'le="10.0",route="{route}"') == 4
    assert sample(text, histogram, f'le="+Inf",route="{route}"') == 5
    assert sample(text, "dpt_request_duration_seconds_count", f'route="{route}"') == 5
    assert sample(text, "dpt_request_duration_seconds_sum", f'route="{route}"') == pytest.approx(20.0046)
    metrics.flush_requests()  # nothing pending: nothing counted twice
    assert sample(metrics.exposition().decode(), "dpt_requests_total", f'route="{route}",status="200"') == 4


@pytest.mark.parametrize(
    ("text", "personal"),
    [
        ("lookup for 1872015407530001 failed", "1872015407530001"),
        ("KK 1872010101010001 checked", "1872010101010001"),
        ("typed 1872 0154 0753 0001 from the card", "1872 0154 0753 0001"),
        ("typed 187201-540753-0001", "187201-540753-0001"),
        ("nik=187201540753001 (15 digits)", "187201540753001"),
        ("sms from +6281234567890", "6281234567890"),
        ("found BUDI SANTOSO at TPS 005", "BUDI SANTOSO"),
        ("KeyError: 'SITI NUR'AINI'", "SITI NUR'AINI"),
        ("name H. AHMAD DJAELANI S.PD.", "AHMAD DJAELANI"),
    ],
)
def test_redact_takes_out_niks_kks_phones_and_names(text: str, personal: str) -> None:
    cleaned = redact(text)
    assert personal not in cleaned
    assert REDACTED in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "store unavailable: ConnectionRefusedError",
        "answering from dataset 2024-12-01.1",
        "redis unavailable (TimeoutError); skipping it for 2.0 s",
        "Listening at: http://127.0.0.1:8000 (TPS 005, PID 123456)",
    ],
)
def test_redact_leaves_ordinary_messages_alone(text: str) -> None:
    assert redact(text) == text


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The service's logging configuration, writing to a buffer; the previous one restored after."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    config = logging_config("DEBUG")
    config["handlers"]["json"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        yield stream
    finally:
        for handler in root.handlers:
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])


def test_every_record_is_one_json_line_without_personal_data(json_log: io.StringIO) -> None:
    nik, name = "1872015407530001", "DEWI LESTARI"
    log = logging.getLogger("service.unit")
    log.info("voter %s is %s", nik, name)
    log.warning("checked", extra={"who": name, "nik": nik, "count": 3})
    try:
        int(f"{nik} {name}")
    except ValueError:
        log.exception("import failed")
    logging.getLogger("_granian").info("Starting granian (main PID: %s)", 4242)
    lines = json_log.getvalue().splitlines()
    assert len(lines) == 4
    records = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= set(record) for record in records)
    assert records[0]["message"] == f"voter {REDACTED} is {REDACTED}"
    assert records[1]["who"] == REDACTED and records[1]["nik"] == REDACTED and records[1]["count"] == 3
    assert "ValueError" in records[2]["exc_info"] and REDACTED in records[2]["exc_info"]
    assert records[3]["logger"] == "_granian" and records[3]["message"] == "Starting granian (main PID: 4242)"
    assert nik not in json_log.getvalue() and name not in json_log.getvalue()


def test_the_dashboard_reads_only_metrics_the_service_exports() -> None:
    dashboard = json.loads(
        (Path(__file__).resolve().parents[2] / "docs/grafana/dpt-dashboard.json").read_text()
    )
    read = {
        name
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        for name in re.findall(r"\bdpt_\w+", target["expr"])
    }
    metrics.observe_request("/unit/dashboard", 200, 0.01)
    metrics.flush_requests()  # the labelled families show their samples once counted
    metrics.sms_answered("help")
    metrics.searched(public=True, with_birth_date=True, best_confident=None)
    metrics.CACHE_ANSWERS.labels("local")
    metrics.DATASET_INFO.labels("v", "e", "")
    exported = set(re.findall(r"^(dpt_\w+)[{ ]", metrics.exposition().decode(), re.MULTILINE))
    assert len(read) >= 20
    assert read - exported == set(), "the dashboard reads metrics the service does not export"
