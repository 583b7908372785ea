"""The site as people see it: every kind of page in a real Chromium, driven by Playwright.

Two salons are built with a fixed clock: the demo salon of this repository (small, its
reading river fed by three local feed files) and a larger generated one
(tests/sample_salon.py: a paginated river, long archives, awkward titles). Each is served
by a real HTTP server on 127.0.0.1 that answers a missing URL with the theme's 404.html
and status 404, as a web host would.

Every page kind is visited at 375 px and 1280 px, in the light and the dark colour scheme,
and must show: no console errors, no failed requests, no sideways scrolling, alt text on
every image, every interactive element reachable with Tab and visibly focused, and no
serious or critical axe-core violation. A full-page screenshot of each visit is written to
test-artifacts/screenshots/ (git-ignored) for people to look at.

Page URLs are found in the built site by the `kind-...` class of each page's <body>, not
written down here, so the tests follow the theme when URLs change.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.publish import search

from . import sample_salon
from .conftest import NOW, REPO, RUN_STARTED, SCREENSHOTS

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
    )
    from playwright.sync_api import Request as PwRequest
    from playwright.sync_api import Response as PwResponse

    HAVE_PLAYWRIGHT = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_PLAYWRIGHT = False


def _chromium() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


CHROMIUM = _chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed: apt-get install chromium (see README, Browser tests)",
    ),
    pytest.mark.skipif(
        not HAVE_PLAYWRIGHT,
        reason="Playwright is not importable: pip install -e '.[test]' -c tests/constraints.txt",
    ),
]

WIDTHS = (375, 1280)
SCHEMES = ("light", "dark")
SERIOUS = ("serious", "critical")
MISSING = "no-such-page/"  # asked for to get the 404 page


@dataclass(frozen=True, slots=True)
class Visit:
    """A kind of page to visit: the body classes it may carry, and which one to take."""

    label: str
    kinds: tuple[str, ...]  # the `kind-...` classes of <body> it may carry
    choose: Callable[[dict[str, int]], str]  # {path: file size} of that kind -> path

    def pick(self, found: dict[str, dict[str, int]]) -> str:
        pages = {p: s for kind in self.kinds for p, s in found.get(kind, {}).items()}
        assert pages, f"no page of kind {'/'.join(self.kinds)} in the built site"
        return self.choose(pages)


def richest(pages: dict[str, int]) -> str:
    """The largest page of its kind: the one with the most for the theme to get right."""
    return max(sorted(pages), key=lambda p: pages[p])


def shortest_path(pages: dict[str, int]) -> str:
    return min(pages, key=lambda p: (len(p), p))


def matching(pattern: str, then: Callable[[dict[str, int]], str] = richest) -> Callable[..., str]:
    def choose(pages: dict[str, int]) -> str:
        hits = {p: s for p, s in pages.items() if re.search(pattern, p)}
        assert hits, f"no page matches {pattern!r} among {sorted(pages)}"
        return then(hits)

    return choose


EVERY_SITE = (
    Visit("home", ("home",), shortest_path),
    Visit("note", ("note",), richest),
    Visit("share", ("share",), richest),
    Visit("shares", ("shares",), shortest_path),
    Visit("interest", ("interest",), richest),
    Visit("interests", ("interests",), shortest_path),
    Visit("archive", ("archive",), shortest_path),
    Visit("archive-year", ("archive",), matching(r"/\d{4}/$")),
    Visit("people", ("people",), shortest_path),
    Visit("person", ("person",), richest),
    Visit("reading", ("reading",), shortest_path),
    Visit("page", ("page",), matching(r"^about/$")),
    Visit("search", ("search",), shortest_path),
    Visit("404", ("404",), lambda pages: MISSING),
)
LARGER_ONLY = (
    Visit("person-empty", ("person",), matching(rf"/{sample_salon.EMPTY_PERSON}/$")),
    Visit("person-quiet", ("person",), matching(rf"/{sample_salon.QUIET_PERSON}/$")),
    Visit("reading-page-2", ("reading",), matching(r"/page/2/$")),
)
VISITS = {"demo": EVERY_SITE, "larger": EVERY_SITE + LARGER_ONLY}

CASES = [
    pytest.param(site, visit, width, scheme, id=f"{site}-{visit.label}-{width}px-{scheme}")
    for site, visits in VISITS.items()
    for visit in visits
    for width in WIDTHS
    for scheme in SCHEMES
]


# --- the sites, built and served ---------------------------------------------------------


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files, with the theme's 404.html (and status 404) for anything missing."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Served:
    url: str  # ends with "/"
    kinds: dict[str, dict[str, int]]  # body kind -> {site path: size of its index.html}


def kinds_of(site: Path) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        kind = re.search(r'<body class="[^"]*\bkind-([\w-]+)', text)
        assert kind, f"{page}: no kind-... class on <body>"
        rel = page.relative_to(site).as_posix()
        path = "" if rel == "index.html" else rel.removesuffix("index.html")
        found.setdefault(kind.group(1), {})[path] = len(text)
    return found


@contextmanager
def serving(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def built(name: str, root: Path) -> Path:
    if name == "demo":
        shutil.copytree(REPO / "content", root / "content")
        shutil.copy(REPO / "salon.toml", root / "salon.toml")
        shutil.copytree(REPO / "themes", root / "themes")
    else:
        sample_salon.write(root, NOW)
    result = build(root, now=NOW, options=BuildOptions(jobs=1, offline=True))
    assert result.warnings == ()
    indexed = search.index_site(result.output, label="site/")  # as `salon build` does after
    assert indexed.diagnostics == ()
    return result.output


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Served]]:
    with ExitStack() as stack:
        sites = {}
        for name in VISITS:
            site = built(name, tmp_path_factory.mktemp(name) / "salon")
            sites[name] = Served(url=stack.enter_context(serving(site)), kinds=kinds_of(site))
        yield sites


# --- the browser ---------------------------------------------------------------------------


# `browser` (one Chromium for the session, shared with tests/test_serve.py) is in conftest.py:
# Playwright's sync API runs one instance per thread.


@pytest.fixture(scope="session")
def contexts(browser: Browser, axe: Axe) -> Iterator[Callable[[int, str], BrowserContext]]:
    """One browser context per width and colour scheme, shared by every page visited.

    axe-core is loaded into every page as it opens, rather than sent over for each one."""
    made: dict[tuple[int, str], BrowserContext] = {}

    def get(width: int, scheme: str) -> BrowserContext:
        if (width, scheme) not in made:
            made[width, scheme] = browser.new_context(
                viewport={"width": width, "height": 900},
                color_scheme=scheme,  # type: ignore[arg-type]
                reduced_motion="reduce",  # screenshots without a transition half-way
            )
            made[width, scheme].add_init_script(axe.axe_script)
        return made[width, scheme]

    yield get
    for context in made.values():
        context.close()
    browser.close()


@pytest.fixture(scope="session")
def screenshots(request: pytest.FixtureRequest) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # only this run's pictures: no stale kinds (and, under pytest-xdist, not another
    # worker's pictures of this run either)
    started = request.config.stash[RUN_STARTED]
    for old in SCREENSHOTS.glob("*.png"):
        with suppress(FileNotFoundError):  # another worker removed it first
            if old.stat().st_mtime < started:
                old.unlink()
    return SCREENSHOTS


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


# --- what a page must show -----------------------------------------------------------------

# Run in the page before tabbing: number every element that must take focus, note how each
# looks unfocused, and log every focus with how the element looks then.
WATCH_FOCUS = """() => {
  const selector = 'a[href], area[href], button, input:not([type=hidden]), select, textarea,'
    + ' summary, iframe, [contenteditable=""], [contenteditable="true"],'
    + ' [tabindex]:not([tabindex^="-"])';
  const ring = el => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
      ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : '';
    const shadow = s.boxShadow !== 'none' ? s.boxShadow : '';
    return [outline, shadow].filter(Boolean).join(' + ');
  };
  // a radio group is one stop for Tab (its checked radio); arrow keys move inside it
  const expected = [...document.querySelectorAll(selector)].filter(el =>
    !el.matches(':disabled, input[type=radio]:not(:checked)') && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden');
  expected.forEach((el, i) => { el.dataset.focusIndex = i; el.dataset.ringBefore = ring(el); });
  window.__focused = [];
  document.addEventListener('focusin', event => {
    const el = event.target;
    window.__focused.push({index: el.dataset.focusIndex ?? null, ring: ring(el),
                           before: el.dataset.ringBefore ?? '', html: el.outerHTML.slice(0, 120)});
  }, true);
  return expected.map(el => el.outerHTML.slice(0, 120));
}"""

WIDER_THAN_THE_WINDOW = """() => {
  const root = document.documentElement, width = root.clientWidth;
  if (root.scrollWidth <= width) return [];
  return [...document.body.querySelectorAll('*')]
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .slice(-5).map(el => `${el.outerHTML.slice(0, 100)} (right edge ${
      Math.round(el.getBoundingClientRect().right)} > ${width})`);
}"""

AXE_RUN = "() => axe.run(document, {resultTypes: ['violations']})"

# Lazy images load only near the viewport; load them all now, so each is checked.
LOAD_IMAGES = """() => Promise.all([...document.images].map(img => {
  img.loading = 'eager';
  return img.complete ? null : new Promise(done => { img.onload = img.onerror = done; });
})).then(() => [...document.images]
  .filter(img => !img.hasAttribute('alt') || img.naturalWidth === 0)
  .map(img => img.outerHTML.slice(0, 120)))"""


@dataclass
class Watch:
    """Everything that went wrong on a page while it was open."""

    console: list[str]
    requests: list[str]


def watch(page: Page, target: str, status: int) -> Watch:
    seen = Watch(console=[], requests=[])

    def on_console(message: ConsoleMessage) -> None:
        where = message.location.get("url", "")
        # Chromium logs the deliberate 404 of the page itself as a failed resource
        if message.type == "error" and not (status == 404 and where == target):
            seen.console.append(f"{message.text} ({where})")

    def on_response(response: PwResponse) -> None:
        if response.status >= 400 and not (response.url == target and status == 404):
            seen.requests.append(f"HTTP {response.status} {response.url}")

    def on_failed(request: PwRequest) -> None:
        seen.requests.append(f"{request.failure} {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.console.append(f"uncaught: {error}"))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    return seen


def tab_through(page: Page) -> tuple[list[str], list[dict[str, str | None]]]:
    """Press Tab until focus has been everywhere it should go (and a little further)."""
    expected: list[str] = page.evaluate(WATCH_FOCUS)
    for _ in range(len(expected) + 2):
        page.keyboard.press("Tab")
    focused: list[dict[str, str | None]] = page.evaluate("() => window.__focused")
    return expected, focused


@pytest.mark.parametrize(("site", "visit", "width", "scheme"), CASES)
def test_page_in_a_real_browser(
    site: str,
    visit: Visit,
    width: int,
    scheme: str,
    served: dict[str, Served],
    contexts: Callable[[int, str], BrowserContext],
    screenshots: Path,
) -> None:
    salon = served[site]
    path = visit.pick(salon.kinds)
    status = 404 if visit.label == "404" else 200
    target = salon.url + path
    page = contexts(width, scheme).new_page()
    try:
        seen = watch(page, target, status)
        response = page.goto(target, wait_until="load")
        assert response is not None
        assert response.status == status, target
        kind = page.evaluate("() => document.body.className")
        assert any(f"kind-{k}" in kind.split() for k in visit.kinds), (target, kind)

        assert page.evaluate(LOAD_IMAGES) == [], "images without alt text, or not loaded"
        name = f"{site}-{visit.label}-{width}px-{scheme}.png"
        page.screenshot(path=screenshots / name, full_page=True)

        assert page.evaluate(WIDER_THAN_THE_WINDOW) == [], "the page scrolls sideways"

        expected, focused = tab_through(page)
        reached = {f["index"] for f in focused if f["index"] is not None}
        missed = [html for i, html in enumerate(expected) if str(i) not in reached]
        assert missed == [], f"{len(missed)} of {len(expected)} never received focus"
        unseen = [f["html"] for f in focused if not f["ring"] or f["ring"] == f["before"]]
        assert unseen == [], "focused without a visible focus indicator"

        results = page.evaluate(AXE_RUN)
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in results["violations"]
            if v["impact"] in SERIOUS
        ]
        assert serious == [], "axe-core: serious or critical violations"

        assert seen.console == [], "console errors"
        assert seen.requests == [], "failed requests"
    finally:
        page.close()


def test_every_page_kind_of_the_theme_is_visited(served: dict[str, Served]) -> None:
    """A new kind of page in the theme must be added to VISITS, or it goes unchecked."""
    for site, visits in VISITS.items():
        covered = {kind for visit in visits for kind in visit.kinds}
        assert set(served[site].kinds) <= covered, site


# --- the search page -----------------------------------------------------------------------


def _results(page: Page) -> list[tuple[str, str]]:
    page.wait_for_function(
        "() => /results? for/.test(document.getElementById('search-status').textContent)"
    )
    links = page.locator("#search-results .entry-title a")
    return [
        (links.nth(i).inner_text(), links.nth(i).get_attribute("href") or "")
        for i in range(links.count())
    ]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_search_finds_a_note_and_a_friends_entry_by_keyboard(
    scheme: str,
    served: dict[str, Served],
    contexts: Callable[[int, str], BrowserContext],
    screenshots: Path,
) -> None:
    """The larger salon, whose reading river comes from the feed store: search its notes,
    then (arrow keys in the "Search in" group) its friends' entries, with the keyboard only;
    each source finds only its own, the result leads to the entry, and axe is satisfied
    with the results shown."""
    salon = served["larger"]
    page = contexts(1280, scheme).new_page()
    try:
        seen = watch(page, salon.url + "search/", 200)
        page.goto(salon.url + "search/", wait_until="load")
        page.keyboard.press("Tab")  # the skip link, then the navigation, then the form
        for _ in range(20):
            if page.evaluate("() => document.activeElement.id") == "search-q":
                break
            page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "search-q"
        page.keyboard.type("long table number 12")
        page.keyboard.press("Enter")
        mine = _results(page)
        assert any(
            "long table, number 12" in title and "/notes/" in href for title, href in mine
        ), mine
        assert not any("/reading/" in href for _, href in mine)

        page.keyboard.press("Tab")  # the button
        page.keyboard.press("Tab")  # the checked radio of "Search in"
        assert page.evaluate("() => document.activeElement.value") == "mine"
        page.keyboard.press("ArrowDown")  # selects "friends" and searches again
        page.wait_for_function("() => /friends/.test(location.search)")
        page.locator("#search-q").fill("dispatch")
        page.locator("#search-q").press("Enter")
        friends = _results(page)
        assert friends, "no friend's entry found"
        assert all("/reading/" in href and "#day-" in href for _, href in friends), friends
        assert any("A dispatch from" in title for title, _ in friends), friends
        page.locator("#search-q").fill("long table number 12")
        page.locator("#search-q").press("Enter")
        assert not any("/notes/" in href for _, href in _results(page))

        page.locator("#search-q").fill("dispatch")
        page.locator("#search-q").press("Enter")
        first_title, first_href = _results(page)[0]
        page.screenshot(path=screenshots / f"larger-search-results-{scheme}.png", full_page=True)
        results = page.evaluate(AXE_RUN)
        serious = [v["id"] for v in results["violations"] if v["impact"] in SERIOUS]
        assert serious == [], "axe-core: serious or critical violations"
        page.locator("#search-results .entry-title a").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/reading/**")
        anchor = first_href.split("#", 1)[1]
        assert page.locator(f"[id='{anchor}']").inner_text().strip() == first_title.strip()
        assert seen.console == [] and seen.requests == []
    finally:
        page.close()


def test_search_page_says_when_there_is_no_index(
    demo_site: Path, contexts: Callable[[int, str], BrowserContext]
) -> None:
    """Built but not indexed (Pagefind missing or failed): the page says search is
    unavailable rather than failing silently."""
    assert not (demo_site / "pagefind").exists()
    with serving(demo_site) as url:
        page = contexts(1280, "light").new_page()
        try:
            page.goto(url + "search/?q=letters", wait_until="load")
            page.wait_for_function(
                "() => /not available/.test(document.getElementById('search-status').textContent)"
            )
        finally:
            page.close()
