"""Shared fixtures: a fixed clock, small salons written into temp folders, golden updates."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SALON_SHARED", REPO.parent / "shared"))
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"  # written by test_browser.py
RUN_STARTED = pytest.StashKey[float]()  # when this run began (the controller's clock)

MINIMAL_CONFIG = """\
title = "Test Salon"
base_url = "https://example.org/"
description = "A salon for tests"
timezone = "Europe/Lisbon"

[author]
name = "Ada Tester"
url = "https://example.org/about/"
"""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*/expected from the current build",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Under pytest-xdist every worker is told when the controller began, so that no worker
    # mistakes another's fresh screenshots for a previous run's.
    workerinput = getattr(config, "workerinput", None)
    started = workerinput["salon_run_started"] if workerinput else time.time()
    config.stash[RUN_STARTED] = float(started)


@pytest.hookimpl(optionalhook=True)  # an xdist hook: absent when xdist is not installed
def pytest_configure_node(node: Any) -> None:
    node.workerinput["salon_run_started"] = node.config.stash[RUN_STARTED]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Whatever opens Chromium is a browser test, marked or not, so that `-m "not browser"`
    (the quick subset in the README) never starts one."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) and not item.get_closest_marker(
            "browser"
        ):
            item.add_marker(pytest.mark.browser)


def screenshots_of_this_run(config: pytest.Config) -> list[Path]:
    started = config.stash[RUN_STARTED]
    return [p for p in sorted(SCREENSHOTS.glob("*.png")) if p.stat().st_mtime >= started]


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    taken = len(screenshots_of_this_run(config)) if SCREENSHOTS.is_dir() else 0
    if taken:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{taken} screenshots of the theme in {SCREENSHOTS}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The system's Chromium driven by Playwright, one for the whole session: Playwright's
    sync API allows one instance per thread, so every browser test shares it."""
    chromium = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
    )
    if chromium is None:
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    args = ["--disable-gpu", "--disable-dev-shm-usage"]  # containers have a tiny /dev/shm
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to sandbox as root (CI containers)
    with sync_playwright() as playwright:
        # Playwright's own browser download is not needed: drive the system's Chromium.
        yield playwright.chromium.launch(executable_path=chromium, headless=True, args=args)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo salon of this repository built once (not indexed for search), shared
    read-only by the tests that open it in a browser."""
    from salon_gen.pipeline.build import BuildOptions, build

    root = tmp_path_factory.mktemp("demo") / "salon"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "themes", root / "themes")
    shutil.copy(REPO / "salon.toml", root / "salon.toml")
    return build(root, now=NOW, options=BuildOptions(jobs=1, offline=True)).output


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_salon(tmp_path: Path) -> Callable[..., Path]:
    """Write a salon into a temp folder: salon.toml (minimal unless given) + `files`."""

    def make(
        files: Mapping[str, str | bytes] | None = None,
        config: str = MINIMAL_CONFIG,
        name: str = "salon",
    ) -> Path:
        root = tmp_path / name
        root.mkdir()
        write_tree(root, {"salon.toml": config, **(files or {})})
        return root

    return make


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder` with its bytes and mtime, to prove nothing was touched."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(autouse=True, scope="session")
def _own_user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """salon keeps its record key and compiled templates in the user's cache folder: the
    suite uses a folder of its own (inherited by the `salon` processes it starts), so it
    neither reads nor fills the real one."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before
