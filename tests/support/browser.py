"""A real headless Chromium for the page tests (Debian's package, driven by Playwright): where it
is, how it is installed, a page that records where it navigated, and screenshots to look at."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page

from tests.support.system_packages import ensure_debian_packages

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def ensure_chromium() -> None:
    ensure_debian_packages(("chromium",), (CHROMIUM,))


def visited_urls(page: Page) -> list[str]:
    """Every URL the page navigated to, recorded by the `framenavigated` listener below."""
    return list(page.context.visited)  # type: ignore[attr-defined]


async def new_page(browser: Browser, **options: object) -> Page:
    context = await browser.new_context(**options)  # type: ignore[arg-type]
    context.visited = []  # type: ignore[attr-defined]
    page = await context.new_page()
    page.on("framenavigated", lambda frame: context.visited.append(frame.url))  # type: ignore[attr-defined]
    return page


async def shot(page: Page, name: str, folder: Path = SCREENSHOTS) -> None:
    """A full-page screenshot, `folder`/`name`.png."""
    folder.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
