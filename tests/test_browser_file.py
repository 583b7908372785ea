"""The demo opened from disk, as the quick start says: site/index.html over file://.

A real Chromium opens the built demo with no server at all and must find its stylesheet
applied, follow links to a note, an interest page, the archive and back home, and load the
image of the bundle note. A screenshot of the home page is written to
test-artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def _styled(page: Any) -> None:
    # Only the theme's stylesheet defines --font-body and sets body's font from it; without
    # it Chromium shows its default serif ("Times New Roman").
    # (waited for: on a loaded machine the first file:// page can report before its style)
    probe = "getComputedStyle(document.documentElement).getPropertyValue('--font-body')"
    page.wait_for_function(f"({probe}).trim() !== ''", timeout=15_000)
    font = page.evaluate(probe)
    assert font.strip()
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "".join(family.split()) == "".join(font.split()), (family, font)


def test_the_demo_works_opened_from_disk(demo_site: Path, page: Any) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    home = (demo_site / "index.html").as_uri()
    page.goto(home)
    _styled(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "file-home.png", full_page=False)

    page.click("main a.u-url.p-name[href*='notes/the-arithmetic-of-introductions/']")
    assert page.url.endswith("/notes/the-arithmetic-of-introductions/index.html")
    assert page.url.startswith("file://")
    _styled(page)
    image = page.locator("main img[src*='five-friends']").first
    assert image.evaluate("i => i.complete && i.naturalWidth > 0")

    page.locator("main a[href$='interests/introductions/index.html']").first.click()
    assert "/interests/" in page.url and page.url.endswith("/index.html")
    _styled(page)
    assert page.locator("body.kind-interest").count() == 1

    page.click("nav a:text-is('Archive')")
    assert page.url.endswith("/archive/index.html")
    _styled(page)
    page.click("a[rel=home]")
    assert page.url == home
    assert failed == []
