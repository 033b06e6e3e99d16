"""Take it with you: the resident answer printed from a real headless Chromium (print emulation and
its PDF printer), on one A5 and one A4 page, without the page's chrome; and the `geo:` link.
Screenshots and PDFs of every printed answer are saved in /tmp/print-shots/ to be looked at."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from playwright.async_api import Browser

from service.importer import import_dataset
from service.nik.parse import NikHasher
from service.settings import Settings
from tests.servers.test_election_answers import _with_access_columns
from tests.support.browser import new_page
from tests.support.factories import DatasetFiles, absent_niks, write_small_dataset
from tests.support.serving import dpt_serve

SHOTS = Path("/tmp/print-shots")  # noqa: S108 - a fixed place to look at them, outside the checkout
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


@pytest.fixture
async def election_data(conn: asyncpg.Connection, tmp_path: Path, hasher: NikHasher) -> DatasetFiles:
    files = write_small_dataset(tmp_path / "print")
    _with_access_columns(files.tps)
    await import_dataset(
        conn, voters_path=files.voters, tps_path=files.tps, hasher=hasher, election="Pilkada Kota Metro 2024",
        polling_date=dt.date(2024, 11, 27), version="print",
    )  # fmt: skip
    return files


@pytest.fixture
def site(settings: Settings, election_data: DatasetFiles) -> Iterator[str]:
    with dpt_serve(settings) as (url, _):
        yield url


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("outcome", ["registered", "not-registered"])
async def test_the_answer_prints_on_one_page_without_the_page_chrome(
    browser: Browser,
    site: str,
    election_data: DatasetFiles,
    language: str,
    outcome: str,
) -> None:
    page = await new_page(browser, viewport={"width": 560, "height": 800})  # about A5's width
    if language == "en":
        await page.goto(f"{site}/bahasa/en")
    nik = election_data.people[0].nik if outcome == "registered" else absent_niks(1)[0]
    await page.goto(site)
    await page.locator("#nik").fill(nik)
    await page.locator("#nik").press("Enter")
    await page.wait_for_load_state()
    heading = page.get_by_role("heading", level=1)
    geo = page.locator('a[href^="geo:"]')
    if outcome == "registered":
        assert await geo.is_visible()  # on screen: opens the phone's map app
    again = page.locator("p.again a")
    assert await again.is_visible() and await page.locator("footer").is_visible()

    await page.emulate_media(media="print")
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = f"{outcome}-{language}"
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert await heading.is_visible()
    for hidden in (again, page.locator("footer"), page.locator(".switch"), page.locator(".print-hint")):
        assert not await hidden.is_visible()
    if outcome == "registered":
        assert not await geo.is_visible()  # links mean nothing on paper
        assert await page.locator("dd.tps").is_visible() and await page.locator("dd.when").is_visible()
        assert "WIB" in await page.locator("dd.when").inner_text()
    else:
        assert await page.locator("ol.steps li").count() == 4  # number, PPS, DPTb, DPK
    for paper in ("A5", "A4"):
        pdf = await page.pdf(format=paper, print_background=False)
        (SHOTS / f"{name}-{paper}.pdf").write_bytes(pdf)
        assert len(_PDF_PAGE.findall(pdf)) == 1, f"{name} on {paper}"
    await page.context.close()
