"""The resident page over HTTP: forms, redirect-after-post, answers, security headers, CSRF,
page weight, compression, and no NIK in any URL the flow produces."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.importer import ImportSummary
from service.settings import Settings
from service.web import pages
from tests.support.factories import DatasetFiles, absent_niks

Client = AsyncTestClient[Litestar]
PAGE_BUDGET = 50 * 1024  # the form page with its stylesheet, uncompressed


@pytest.fixture
async def browser(settings: Settings, published: ImportSummary) -> AsyncIterator[Client]:
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


def csrf_token(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, "every form carries a CSRF token"
    return match.group(1)


async def submit(client: Client, path: str, fields: dict[str, str]) -> tuple[list[str], str, int]:
    """Post a form the way a browser does; follow redirects; return the URLs visited, the final
    page and its status."""
    home = await client.get("/")
    response = await client.post(
        path, data={**fields, "_csrf_token": csrf_token(home.text)}, follow_redirects=False
    )
    urls = [path]
    while response.status_code in (302, 303):
        location = response.headers["location"]
        urls.append(location)
        response = await client.get(location, follow_redirects=False)
    return urls, response.text, response.status_code


async def test_a_registered_nik_gets_its_tps_and_the_nik_never_enters_a_url(
    browser: Client, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[0]
    typed = f"{person.nik[:4]} {person.nik[4:8]} {person.nik[8:12]} {person.nik[12:]}"
    urls, page, status = await submit(browser, "/cek", {"nik": typed})
    assert status == 200 and urls == ["/cek", "/hasil"]
    assert "Anda terdaftar di DPT" in page and f"TPS {person.tps:03d}" in page
    assert "openstreetmap.org" in page
    assert person.nik not in page and person.name not in page  # masked name, no NIK
    assert not any(person.nik in url or person.nik[:8] in url for url in urls)
    # Refresh of the answer page works (a GET), and the NIK is not in the cookie either.
    assert "Anda terdaftar" in (await browser.get("/hasil")).text
    assert all(person.nik not in value for value in browser.cookies.values())


async def test_not_registered_and_malformed_answers(browser: Client) -> None:
    _, page, _ = await submit(browser, "/cek", {"nik": absent_niks(1)[0]})
    assert "tidak ditemukan di DPT" in page and "PPS" in page and "DPTb" in page

    urls, page, status = await submit(browser, "/cek", {"nik": "1872 0154"})
    assert status == 422 and urls == ["/cek"]  # shown again in place, the input kept
    assert 'role="alert"' in page and "NIK harus 16 angka" in page
    assert 'value="1872 0154"' in page and 'aria-invalid="true"' in page

    _, page, _ = await submit(browser, "/cek", {"nik": '"><script>alert(1)</script>'})
    assert "<script>" not in page and "&lt;script&gt;" in page  # what was typed is escaped


async def test_name_search_and_none_found(browser: Client, small_dataset: DatasetFiles) -> None:
    person = small_dataset.people[3]
    fields = {
        "name": person.name.lower(),
        "birth_date": person.birth_date.isoformat(),
        "region": "",
        "kabkota": "18.72",
    }
    urls, page, status = await submit(browser, "/cari", fields)
    assert status == 200 and urls[-1] == "/hasil-cari"
    assert f"TPS {person.tps:03d}" in page and person.name not in page
    _, page, _ = await submit(browser, "/cari", {**fields, "name": "ZZYZX QWERTY"})
    assert "Tidak ada pemilih yang cocok" in page


async def test_english_is_chosen_with_a_visible_switch_and_remembered(browser: Client) -> None:
    assert 'href="/bahasa/en"' in (await browser.get("/")).text
    switched = await browser.get("/bahasa/en", follow_redirects=False)
    assert switched.status_code == 303
    page = (await browser.get("/")).text
    assert '<html lang="en">' in page and "Check with your NIK" in page
    _, page, _ = await submit(browser, "/cek", {"nik": "123"})
    assert "A NIK has 16 digits" in page


async def test_security_headers_csrf_weight_compression_and_cached_assets(browser: Client) -> None:
    home = await browser.get("/")
    csp = home.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "http" not in csp
    assert home.headers["x-content-type-options"] == "nosniff"
    assert home.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in home.text and "//" not in re.sub(
        r"https://www\.openstreetmap\.org", "", home.text.split("<body>")[1]
    )

    forged = await browser.post("/cek", data={"nik": "1872015407530001"})  # no CSRF token
    assert forged.status_code == 403
    # A person sees a page in their language that says what to do, never a JSON body.
    assert forged.headers["content-type"].startswith("text/html")
    assert "Permintaan ditolak" in forged.text and "Muat ulang halaman" in forged.text
    wrong = await browser.post("/cek", data={"nik": "1872015407530001", "_csrf_token": "x" * 64})
    assert wrong.status_code == 403 and "Permintaan ditolak" in wrong.text

    stylesheet = re.search(r'href="(/static/app\.[0-9a-f]{10}\.css)"', home.text)
    assert stylesheet
    css = await browser.get(stylesheet.group(1))
    assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    assert len(home.content) + len(css.content) <= PAGE_BUDGET

    compressed = await browser.get("/", headers={"accept-encoding": "gzip"})
    assert compressed.headers["content-encoding"] == "gzip"
    assert "Cek dengan NIK" in compressed.text


async def test_rate_limited_and_overloaded_visitors_get_a_page_saying_when_to_retry(
    settings: Settings, published: ImportSummary, small_dataset: DatasetFiles
) -> None:
    strict = msgspec.structs.replace(settings, rate_address_per_minute=1.0, rate_address_burst=1)
    async with AsyncTestClient(app=create_app(strict)) as client:
        _, first, _ = await submit(client, "/cek", {"nik": small_dataset.people[0].nik})
        assert "Anda terdaftar" in first
        home = await client.get("/")
        limited = await client.post(
            "/cek", data={"nik": small_dataset.people[1].nik, "_csrf_token": csrf_token(home.text)}
        )
        assert limited.status_code == 429
        assert "Terlalu banyak permintaan" in limited.text and int(limited.headers["retry-after"]) >= 1

    shut = msgspec.structs.replace(settings, max_in_flight=0, max_queued=0)
    async with AsyncTestClient(app=create_app(shut)) as client:
        page = await client.get("/")
        assert page.status_code == 503 and page.headers["retry-after"] == "1"
        assert page.headers["content-type"].startswith("text/html")
        assert "Layanan sedang sangat sibuk" in page.text and "The service is very busy" in page.text
        api = await client.post("/api/v1/nik", json={"nik": small_dataset.people[0].nik})
        assert api.json()["error"]["code"] == "overloaded"  # programs still get JSON


async def test_an_answer_page_expires_after_ten_minutes(
    browser: Client, small_dataset: DatasetFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    await submit(browser, "/cek", {"nik": small_dataset.people[0].nik})
    assert (await browser.get("/hasil", follow_redirects=False)).status_code == 200
    later = time.time() + pages.RESULT_SECONDS + 1
    monkeypatch.setattr(pages, "time", SimpleNamespace(time=lambda: later))
    expired = await browser.get("/hasil", follow_redirects=False)
    assert expired.status_code == 303 and expired.headers["location"] == "/"


async def test_a_tampered_or_garbled_answer_cookie_just_leads_back_to_the_form(browser: Client) -> None:
    for value in ("abc.\u00e9", "not-a-cookie", "e30.0000"):
        cookie = f"hasil={value}".encode()  # raw bytes: a client may send anything
        response = await browser.get("/hasil", headers=[(b"cookie", cookie)], follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/"


async def test_a_missing_page_or_file_is_a_404_page_for_people_and_json_for_programs(browser: Client) -> None:
    for path in ("/static/app.0000000000.css", "/tidak-ada"):
        missing = await browser.get(path)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("text/html")
        assert "Halaman tidak ditemukan" in missing.text
    for path in ("/api/v1/tidak-ada", "/sms/tidak-ada"):
        missing = await browser.get(path)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
