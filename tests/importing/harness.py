"""Helpers for the importer tests: a fresh `salon init` salon, `salon import` through
CliRunner, an offline build, and the built pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from click.testing import CliRunner

from salon_gen.cli.main import main
from salon_gen.pipeline.build import BuildOptions, BuildResult, build

from ..conftest import NOW

FIXTURES = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def new_salon(tmp_path: Path) -> Path:
    root = tmp_path / "salon"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    # The example page would be "exists already" for every source that has an about page.
    (root / "content" / "pages" / "about.md").unlink()
    return root


def salon_import(root: Path, source: Path, *args: str) -> Run:
    result = CliRunner().invoke(
        main, ["import", "--source", str(root), str(source), "--now", NOW.isoformat(), *args]
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    site = source.as_posix()
    return Run(
        result.exit_code, result.stdout.replace(site, "SITE"), result.stderr.replace(site, "SITE")
    )


def build_offline(root: Path) -> BuildResult:
    """Build the salon offline, as the import tests check the built site."""
    return build(root, now=NOW, options=BuildOptions(offline=True, jobs=1))


def pages(root: Path) -> dict[str, str]:
    site = root / "site"
    return {
        p.relative_to(site).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(site.rglob("*.html"))
    }


_SRC = re.compile(r'<img[^>]*\ssrc="([^"]+)"')


def broken_images(root: Path, built: dict[str, str], base_path: str = "/") -> list[str]:
    """Images of built pages that name no file of the site (remote ones are not checked)."""
    site = root / "site"
    broken = []
    for page, html in built.items():
        url = "/" + page.removesuffix("index.html")
        for src in _SRC.findall(html):
            target = urljoin(url, src)
            if urlsplit(target).scheme:
                continue
            path = unquote(urlsplit(target).path).removeprefix(base_path)
            if not (site / path).is_file():
                broken.append(f"{page}: {src}")
    return broken


_CODE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.S)


def leftovers(built: dict[str, str]) -> set[str]:
    """Template syntax left in built pages, outside code (where it is shown on purpose)."""
    found: set[str] = set()
    for html in built.values():
        text = unescape(_CODE.sub("", html))
        found.update(re.findall(r"\{%.*?%\}|\{\{[<%].*?[>%]\}\}|\{\{.*?\}\}", text))
    return found
