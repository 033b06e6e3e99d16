"""Fixtures of the page tests: the service on a free port with the test dataset, and Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, async_playwright

from service.importer import ImportSummary
from service.settings import Settings
from tests.support.browser import CHROMIUM, ensure_chromium
from tests.support.serving import dpt_serve


@pytest.fixture
def site(settings: Settings, published: ImportSummary) -> Iterator[str]:
    """`dpt serve` on a free port with the test dataset."""
    with dpt_serve(settings) as (url, _):
        yield url


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    ensure_chromium()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        await chromium.close()
