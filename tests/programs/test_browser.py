"""The resident page in a real headless Chromium (Debian's package, driven by Playwright): check a
NIK, a NIK not on the DPT, a malformed one, a name search, the language switch, the whole flow
with JavaScript off, and a 320 px screen. A screenshot of each answer page is saved in
`test-artifacts/screenshots/`."""

from __future__ import annotations

from playwright.async_api import Browser, Page

from tests.support.browser import new_page, shot, visited_urls
from tests.support.factories import DatasetFiles, absent_niks


async def check_nik(page: Page, site: str, nik: str) -> None:
    await page.goto(site)
    await page.get_by_label("NIK (16").fill(nik)
    await page.get_by_role("button", name="Cek", exact=True).click()
    await page.wait_for_load_state()


async def test_a_registered_nik_shows_the_tps(
    browser: Browser, site: str, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[0]
    page = await new_page(browser)
    await check_nik(page, site, f"{person.nik[:4]} {person.nik[4:8]} {person.nik[8:12]} {person.nik[12:]}")
    assert await page.get_by_role("heading", level=1).inner_text() == "Anda terdaftar di DPT"
    assert await page.locator("dd.tps").inner_text() == f"TPS {person.tps:03d}"
    assert await page.get_by_role("link", name="Lihat di peta (OpenStreetMap)").is_visible()
    await shot(page, "registered-id")
    assert all(person.nik not in url and person.nik[:8] not in url for url in visited_urls(page))


async def test_a_nik_not_on_the_dpt_says_what_to_do(browser: Browser, site: str) -> None:
    page = await new_page(browser)
    await check_nik(page, site, absent_niks(1)[0])
    assert "tidak ditemukan" in await page.get_by_role("heading", level=1).inner_text()
    assert "PPS" in await page.content()
    await shot(page, "not-registered-id")


async def test_a_malformed_nik_is_explained_next_to_the_field_with_the_input_kept(
    browser: Browser, site: str
) -> None:
    page = await new_page(browser)
    await check_nik(page, site, "1872 0154")
    alert = page.get_by_role("alert")
    assert "16 angka" in await alert.inner_text()
    field = page.get_by_label("NIK (16")
    assert await field.input_value() == "1872 0154"
    assert await field.get_attribute("aria-invalid") == "true"
    assert "nik-error" in (await field.get_attribute("aria-describedby") or "")
    await shot(page, "malformed-id")


async def test_name_search_lists_masked_candidates(
    browser: Browser, site: str, small_dataset: DatasetFiles
) -> None:
    person = small_dataset.people[3]
    page = await new_page(browser)
    await page.goto(site)
    await page.get_by_label("Nama lengkap").fill(person.name.title())
    await page.get_by_label("Tanggal lahir").fill(person.birth_date.isoformat())
    await page.get_by_role("button", name="Cari").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("heading", level=1).inner_text() == "Hasil pencarian"
    assert f"TPS {person.tps:03d}" in await page.locator("ol.results").inner_text()
    assert person.name not in await page.content()
    await shot(page, "search-id")


async def test_the_language_switch_is_remembered(
    browser: Browser, site: str, small_dataset: DatasetFiles
) -> None:
    page = await new_page(browser)
    await page.goto(site)
    await page.get_by_role("link", name="English").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("heading", level=2, name="Check with your NIK").is_visible()
    await page.get_by_label("NIK (16").fill(small_dataset.people[1].nik)
    await page.get_by_role("button", name="Check", exact=True).click()
    await page.wait_for_load_state()
    assert await page.get_by_role("heading", level=1).inner_text() == "You are on the voter list"
    await shot(page, "registered-en")
    await page.goto(site)  # a new visit keeps English
    assert await page.locator("html").get_attribute("lang") == "en"


async def test_everything_works_without_javascript(
    browser: Browser, site: str, small_dataset: DatasetFiles
) -> None:
    page = await new_page(browser, java_script_enabled=False)
    await check_nik(page, site, small_dataset.people[2].nik)
    assert await page.get_by_role("heading", level=1).inner_text() == "Anda terdaftar di DPT"
    await page.go_back()
    await page.reload()  # back and refresh behave: the form again, no resubmission
    assert await page.get_by_role("heading", level=2, name="Cek dengan NIK").is_visible()
    await shot(page, "no-javascript")


async def test_a_320_pixel_screen_needs_no_sideways_scrolling(
    browser: Browser, site: str, small_dataset: DatasetFiles
) -> None:
    page = await new_page(browser, viewport={"width": 320, "height": 640})
    await page.goto(site)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    await shot(page, "form-320")
    await check_nik(page, site, small_dataset.people[0].nik)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    await shot(page, "registered-320")
