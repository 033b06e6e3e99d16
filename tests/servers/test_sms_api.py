"""The SMS webhooks: Kannel (POST and GET), Twilio (signature checked), plain JSON; each gateway's
authentication, per-sender limits, and replies that fit one SMS."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.importer import ImportSummary
from service.settings import Settings
from service.sms.replies import fits_one_sms
from service.sms.routes import twilio_signature
from tests.conftest import client_with
from tests.support.factories import DatasetFiles, absent_niks, bearer, make_token

Client = AsyncTestClient[Litestar]
PHONE = "+6281234567890"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
TWILIO_URL = "https://dpt.example.id/sms/twilio"


@pytest.fixture
async def sms_client(settings: Settings, published: ImportSummary) -> AsyncIterator[Client]:
    async with client_with(
        settings,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_webhook_url=TWILIO_URL,
        rate_sms_per_minute=1.0,
        rate_sms_burst=4,
        misses_sms_per_hour=1.0,
        misses_sms_burst=2,
    ) as client:
        yield client


@pytest.fixture
async def sms_token(conn: asyncpg.Connection) -> str:
    return await make_token(conn, "sms", None, name="gateway")


def lookups(client: Client) -> int:
    stats = client.app.state.services.lookup.cache.stats
    return int(stats.local_hits + stats.redis_hits + stats.misses)


async def test_kannel_post_answers_in_the_body(
    sms_client: Client, sms_token: str, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[0]
    response = await sms_client.post(
        f"/sms/kannel?token={sms_token}",
        content=f"dpt {person.nik}".encode(),
        headers={"x-kannel-from": PHONE, "content-type": "text/plain"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("Terdaftar di DPT") and f"TPS {person.tps:03d}" in response.text
    assert person.nik not in response.text and person.name not in response.text
    assert fits_one_sms(response.text)


async def test_kannel_get_mode_and_english(
    sms_client: Client, sms_token: str, small_dataset: DatasetFiles, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    nik = small_dataset.people[1].nik
    query = urlencode({"token": sms_token, "from": PHONE, "text": f"EN CEK#{nik}#"})
    response = await sms_client.get(f"/sms/kannel?{query}")
    assert response.status_code == 200
    assert response.text.startswith("Registered")
    # The NIK rode in the query string; the service logged none of it.
    assert nik not in "\n".join(
        record.getMessage() for record in caplog.records if record.name.startswith("service")
    )


async def test_json_inbound_and_every_outcome_fits_one_sms(
    sms_client: Client, sms_token: str, small_dataset: DatasetFiles
) -> None:
    async def reply(text: str) -> str:
        response = await sms_client.post(
            "/sms/inbound", json={"from": PHONE, "text": text}, headers=bearer(sms_token)
        )
        assert response.status_code == 200
        return str(response.json()["reply"])

    outcomes = {
        "registered": await reply(small_dataset.people[2].nik),
        "absent": await reply(f"DPT {absent_niks(1)[0]}"),
        "malformed": await reply("DPT 2222222222222222"),
        "help": await reply("BANTUAN"),
    }
    assert outcomes["registered"].startswith("Terdaftar")
    assert "PPS" in outcomes["absent"]
    assert "berulang" in outcomes["malformed"]  # nik_pattern: the reason itself
    assert "DPT" in outcomes["help"]
    assert all(fits_one_sms(text) for text in outcomes.values())


@pytest.mark.parametrize("token", [None, "wrong-token", "helpdesk"])
async def test_unauthenticated_gateways_get_401_and_no_lookup(
    sms_client: Client, conn: asyncpg.Connection, small_dataset: DatasetFiles, token: str | None
) -> None:
    if token == "helpdesk":  # a real token, but not an SMS gateway's
        token = await make_token(conn, "helpdesk", "18.72", name="desk")
    nik = small_dataset.people[0].nik
    before = lookups(sms_client)
    suffix = f"?token={token}" if token else ""
    kannel = await sms_client.post(f"/sms/kannel{suffix}", content=f"DPT {nik}".encode())
    headers = bearer(token) if token else {}
    inbound = await sms_client.post(
        "/sms/inbound", json={"from": PHONE, "text": f"DPT {nik}"}, headers=headers
    )
    assert (kannel.status_code, inbound.status_code) == (401, 401)
    assert kannel.json()["error"]["code"] == "token_invalid"
    assert lookups(sms_client) == before


async def test_twilio_signature_is_checked_and_the_reply_is_twiml(
    sms_client: Client, small_dataset: DatasetFiles
) -> None:
    params = [
        ("From", PHONE),
        ("To", "+621950"),
        ("Body", f"DPT {small_dataset.people[3].nik}"),
        ("MessageSid", "SM1"),
    ]
    body = urlencode(params)
    form = {"content-type": "application/x-www-form-urlencoded"}
    signed = await sms_client.post(
        "/sms/twilio",
        content=body,
        headers={**form, "x-twilio-signature": twilio_signature(TWILIO_TOKEN, TWILIO_URL, params)},
    )
    assert signed.status_code == 200
    assert signed.headers["content-type"].startswith("application/xml")
    match = re.fullmatch(
        r'<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>(.*)</Message></Response>', signed.text
    )
    assert match and match.group(1).startswith("Terdaftar")

    before = lookups(sms_client)
    forged = twilio_signature("another-token", TWILIO_URL, params)
    for headers in ({**form, "x-twilio-signature": forged}, form):
        refused = await sms_client.post("/sms/twilio", content=body, headers=headers)
        assert refused.status_code == 401
    tampered = urlencode([*params[:2], ("Body", "DPT 1872015407530001"), params[3]])
    signature = twilio_signature(TWILIO_TOKEN, TWILIO_URL, params)
    changed = await sms_client.post(
        "/sms/twilio", content=tampered, headers={**form, "x-twilio-signature": signature}
    )
    assert changed.status_code == 401
    assert lookups(sms_client) == before


async def test_one_phone_walking_niks_is_stopped(sms_client: Client, sms_token: str) -> None:
    async def reply(sender: str, text: str) -> str:
        response = await sms_client.post(
            "/sms/inbound", json={"from": sender, "text": text}, headers=bearer(sms_token)
        )
        return str(response.json()["reply"])

    walker = [await reply(PHONE, f"DPT {nik}") for nik in absent_niks(4)]
    assert ["PPS" in text for text in walker[:2]] == [True, True]  # two misses at once are allowed
    assert walker[2].startswith("Terlalu banyak")  # then the phone is told when to try again
    assert fits_one_sms(walker[2])
    # Another phone is not affected.
    assert "DPT" in await reply("+6285700000000", "HELP")


async def test_a_gateway_without_the_sender_is_told_and_ucs2_text_is_read(
    sms_client: Client, sms_token: str, small_dataset: DatasetFiles
) -> None:
    missing = await sms_client.post(f"/sms/kannel?token={sms_token}", content=b"DPT 1872015407530001")
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "sender_missing"
    ucs2 = await sms_client.post(
        f"/sms/kannel?token={sms_token}",
        content=f"cek {small_dataset.people[0].nik}".encode("utf-16-be"),
        headers={"x-kannel-from": PHONE, "content-type": "text/plain; charset=UTF-16BE"},
    )
    assert ucs2.status_code == 200 and ucs2.text.startswith("Terdaftar")
