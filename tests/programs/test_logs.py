"""The log of a real `dpt serve --workers 2` (granian's lines and the app's) after real traffic:
`dpt import`, NIK lookups (registered, absent, malformed, typed in groups), public and help-desk
name searches, SMS through the JSON, Kannel POST and Kannel GET webhooks (the NIK in the query
string), a NIK in a path and in an X-Request-ID. Every line is one JSON object with the fields an
operator filters on, and no line holds any NIK, KK, name, phone number or token of the test."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import asyncpg
import httpx

from service.settings import Settings
from tests.support.factories import DatasetFiles, absent_niks, bearer, make_token, write_small_dataset
from tests.support.serving import DPT, TEST_NIK_KEY
from tests.support.workers import dpt_serve_workers

PHONE = "+6281299887766"
FIELDS = {"time", "level", "logger", "message"}
ACCESS_FIELDS = FIELDS | {"request_id", "method", "route", "status", "duration_seconds"}


def spaced(nik: str) -> str:
    return " ".join(nik[i : i + 4] for i in range(0, len(nik), 4))


def import_with_cli(settings: Settings, folder: Path) -> tuple[DatasetFiles, str]:
    """`dpt import` of a small DPT as an operator runs it; its files and what it printed."""
    files = write_small_dataset(folder)
    env = {**os.environ, "DPT_DATABASE_URL": settings.database_url, "DPT_NIK_KEY": TEST_NIK_KEY}
    env |= {"DPT_REDIS_URL": settings.redis_url}
    done = subprocess.run(
        [DPT, "import", "--voters", str(files.voters), "--tps", str(files.tps), "--election", "Uji Log"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return files, done.stdout + done.stderr


async def test_every_log_line_is_json_and_none_holds_personal_data(
    settings: Settings, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    files, printed = import_with_cli(settings, tmp_path / "dpt")
    people = files.people
    sms = await make_token(conn, "sms", None, name="gateway")
    desk = await make_token(conn, "helpdesk", "18.72", name="desk")
    absent = absent_niks(10)
    requests = 0
    with dpt_serve_workers(
        settings, tmp_path / "serve", 2, DPT_LOG_LEVEL="DEBUG", DPT_RATE_LIMIT_EXEMPT="127.0.0.0/8"
    ) as served:
        url = served.url
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            for person in people[:40]:
                assert (await client.post("/api/v1/nik", json={"nik": person.nik})).json()["registered"]
                requests += 1
            for nik in [*absent, "1872", "18720154075300xx", absent[0][:15], spaced(people[0].nik)]:
                assert (await client.post("/api/v1/nik", json={"nik": nik})).status_code in (200, 422)
                requests += 1
            for person in people[:10]:
                query = {"name": person.name, "birth_date": person.birth_date.isoformat(), "region": "18.72"}
                assert (await client.post("/api/v1/search", json=query)).status_code == 200
                query = {"name": person.name.title(), "region": person.kelurahan}
                assert (
                    await client.post("/api/v1/search", json=query, headers=bearer(desk))
                ).status_code == 200
                requests += 2
            for person in people[40:50]:
                inbound = {"from": PHONE, "text": f"DPT {person.nik}"}
                assert (
                    await client.post("/sms/inbound", json=inbound, headers=bearer(sms))
                ).status_code == 200
                post = await client.post(
                    f"/sms/kannel?token={sms}",
                    content=f"DPT {person.nik}".encode(),
                    headers={"x-kannel-from": PHONE, "content-type": "text/plain"},
                )
                query_string = urlencode({"token": sms, "from": PHONE, "text": f"DPT {person.nik}"})
                get = await client.get(f"/sms/kannel?{query_string}")
                assert post.status_code == get.status_code == 200
                requests += 3
            assert (await client.get(f"/api/v1/nik/{people[0].nik}")).status_code == 404
            given = await client.get("/health/live", headers={"x-request-id": people[1].nik})
            assert given.headers["x-request-id"] != people[1].nik
            assert (await client.get("/")).status_code == 200
            requests += 3
        served.process.terminate()
        assert served.process.wait(timeout=30) == 0
    lines = served.log.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(set(record) >= FIELDS for record in records)
    access = [record for record in records if record["logger"] == "dpt.access"]
    assert all(set(record) >= ACCESS_FIELDS for record in access)
    assert len(access) >= requests  # the readiness checks and scrapes of the start are logged too
    assert {"/api/v1/nik", "/api/v1/search", "/sms/inbound", "/sms/kannel", "unmatched"} <= {
        record["route"] for record in access
    }
    assert any(record["logger"].startswith("_granian") for record in records), "granian's lines are JSON too"

    secrets = {sms, desk, PHONE, PHONE.lstrip("+")}
    for person in people:
        secrets |= {person.nik, spaced(person.nik), person.name.upper(), person.name.title()}
    secrets |= set(absent)
    text = "\n".join(lines)
    leaked = sorted(secret for secret in secrets if secret.lower() in text.lower())
    assert leaked == [], f"personal data in the log: {leaked}"
    assert not [secret for secret in secrets if secret.lower() in printed.lower()], "dpt import printed it"
