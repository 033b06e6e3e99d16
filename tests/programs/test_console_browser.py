"""The help-desk console in a real headless Chromium (Debian's package, driven by Playwright),
with JavaScript off: log in with the keyboard alone, check a NIK, search a name, check a family,
upload a batch and download its answer, print a notice (print media, A4 and A5), switch to
English and log out. Screenshots go to `test-artifacts/screenshots/console/`."""

from __future__ import annotations

import csv
from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import Browser, Page

from tests.support.browser import SCREENSHOTS, shot
from tests.support.console import PASSWORD, add_operator, kk_of, write_dataset_with_kk
from tests.support.factories import DatasetFiles

SHOTS = SCREENSHOTS / "console"
A4 = {"width": 794, "height": 1123}  # 210 x 297 mm at 96 dpi
A5 = {"width": 559, "height": 794}  # 148 x 210 mm


@pytest.fixture
def small_dataset(tmp_path: Path) -> DatasetFiles:
    return write_dataset_with_kk(tmp_path / "kk")


async def focused_id(page: Page) -> str:
    return str(await page.evaluate("document.activeElement && document.activeElement.id"))


async def test_an_officer_s_desk_work_in_the_browser(
    browser: Browser, site: str, conn: asyncpg.Connection, small_dataset: DatasetFiles, tmp_path: Path
) -> None:
    await add_operator(conn, "pusat", "18.72.01")
    context = await browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = await context.new_page()
    await page.goto(f"{site}/helpdesk")
    assert page.url.endswith("/helpdesk/login")
    await shot(page, "01-login", SHOTS)
    # Keyboard only: the username field has focus; Tab to the password; Enter sends the form.
    assert await focused_id(page) == "username"
    await page.keyboard.type("pusat")
    await page.keyboard.press("Tab")
    assert await focused_id(page) == "password"
    await page.keyboard.type(PASSWORD)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url == f"{site}/helpdesk"
    assert "pusat" in await page.locator(".console-who").inner_text()
    await shot(page, "02-desk", SHOTS)

    person = small_dataset.people[0]
    await page.get_by_label("NIK (16 angka)").fill(person.nik)
    await page.locator("form[action='/helpdesk/nik'] button").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("heading", level=1).inner_text() == "Terdaftar di DPT"
    assert await page.locator("dd.name").inner_text() == f"{person.name} ({person.gender})"
    assert await page.get_by_role("link", name="Lihat di peta (OpenStreetMap)").is_visible()
    await shot(page, "03-nik", SHOTS)

    await page.get_by_role("link", name="Cetak pemberitahuan").click()
    await page.wait_for_load_state()
    assert await page.locator("svg.qr").is_visible()
    await page.emulate_media(media="print")
    for paper, size in (("a4", A4), ("a5", A5)):
        await page.set_viewport_size(size)
        assert not await page.locator(".console-nav").is_visible()  # menus do not print
        assert await page.locator("svg.qr").is_visible()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"the notice is wider than {paper}"
        await shot(page, f"04-notice-print-{paper}")
    await page.goto(f"{site}/helpdesk/tps?kelurahan=18.72.01.1001&tps=1")
    listed = await page.locator("table.console-table tbody").inner_text()
    assert person.name in listed and person.nik not in listed and person.nik[:6] + "*" * 10 in listed
    await page.set_viewport_size(A4)
    await shot(page, "04-tps-list-print-a4", SHOTS)
    await page.emulate_media(media="screen")
    await page.set_viewport_size({"width": 1280, "height": 800})

    await page.goto(f"{site}/helpdesk")
    await page.get_by_label("Nama", exact=True).fill(person.name.lower())
    await page.get_by_role("button", name="Cari").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("heading", level=1).inner_text() == "Hasil pencarian"
    table = await page.locator("table.console-table").inner_text()
    # The factory's names repeat, so several BUDI SANTOSO tie at 100 and none is confident.
    assert person.name in table and "\t100\t" in table and "Belum yakin: Terlalu dekat" in table
    await shot(page, "05-search", SHOTS)

    await page.goto(f"{site}/helpdesk")
    await page.get_by_label("Nomor KK (16 angka").fill(kk_of(0))
    await page.locator("form[action='/helpdesk/family'] button").click()
    await page.wait_for_load_state()
    members = await page.locator("table.console-table tbody tr").count()
    assert members == 2 and kk_of(0) not in await page.content()  # one of three lives outside 18.72.01
    await shot(page, "06-family", SHOTS)

    upload = tmp_path / "daftar.csv"
    upload.write_text(
        "nama,nik\n" + "\n".join(f"{p.name},{p.nik}" for p in small_dataset.people[:6]) + "\nX,123\n"
    )
    await page.goto(f"{site}/helpdesk")
    await page.get_by_label("atau unggah berkas CSV").set_input_files(str(upload))
    await page.get_by_role("button", name="Periksa daftar").click()
    await page.wait_for_load_state()
    summary = await page.get_by_role("status").inner_text()
    assert summary.startswith("4 terdaftar") and "1 baris tidak sah" in summary
    await shot(page, "07-batch", SHOTS)
    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Unduh hasil (CSV)").click()
    download = await download_info.value
    saved = tmp_path / "hasil.csv"
    await download.save_as(saved)
    rows = list(csv.DictReader(saved.open(encoding="utf-8")))
    assert [row["status"] for row in rows].count("registered") == 4 and rows[-1]["alasan"] == "nik_length"

    await page.goto(f"{site}/helpdesk")
    await page.locator(".console-lang").get_by_role("link", name="English").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("heading", name="Check a NIK").is_visible()
    await shot(page, "08-desk-en", SHOTS)
    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_load_state()
    assert page.url.endswith("/helpdesk/login")
    await shot(page, "09-logged-out", SHOTS)
    await page.goto(f"{site}/helpdesk")
    assert page.url.endswith("/helpdesk/login")
    await context.close()
