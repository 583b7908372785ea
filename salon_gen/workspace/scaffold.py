"""`salon init`: a new salon folder from the scaffold shipped inside the package.

Owns copying `salon_gen/scaffold/` into a folder, and writing a CI workflow from
`salon_gen/ci/` (`--ci github`: .github/workflows/salon.yml), into a new salon or an
existing one. Never overwrites: a folder that already holds a salon (or any of the files it
would write) is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from salon_gen import __version__

SCAFFOLD = Path(__file__).resolve().parents[1] / "scaffold"
CI = Path(__file__).resolve().parents[1] / "ci"
WORKFLOWS = {"github": ("github.yml", ".github/workflows/salon.yml")}
# Files in the package that must be renamed on copy (a packaged ".gitignore" would be
# ignored by the tools that build the package).
_RENAMES = {"gitignore": ".gitignore"}


class ScaffoldError(Exception):
    pass


def plan(target: Path) -> list[tuple[Path, Path]]:
    pairs = []
    for src in sorted(p for p in SCAFFOLD.rglob("*") if p.is_file()):
        rel = src.relative_to(SCAFFOLD)
        name = _RENAMES.get(rel.as_posix(), rel.as_posix())
        pairs.append((src, target / name))
    return pairs


def init_salon(target: Path, *, ci: str | None = None) -> list[Path]:
    """Copy the scaffold into `target` (created if needed); return the files written.
    With `ci` (a key of WORKFLOWS), also write that CI's workflow; into a folder that
    already holds a salon, only the workflow."""
    if ci is not None and (target / "salon.toml").exists():
        return [write_workflow(target, ci)]
    if (target / "salon.toml").exists():
        raise ScaffoldError(f"{target} already has a salon.toml")
    pairs = plan(target)
    clashes = [dst for _, dst in pairs if dst.exists()]
    if clashes:
        raise ScaffoldError(f"{clashes[0]} already exists; salon init never overwrites files")
    for src, dst in pairs:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    (target / "content" / "static").mkdir(parents=True, exist_ok=True)
    written = [dst for _, dst in pairs]
    return [*written, write_workflow(target, ci)] if ci is not None else written


def write_workflow(target: Path, ci: str) -> Path:
    """Write the workflow that fetches, builds and deploys the salon on a schedule."""
    name, dest = WORKFLOWS[ci]
    path = target / dest
    if path.exists():
        raise ScaffoldError(f"{path} already exists; salon init never overwrites files")
    text = (CI / name).read_text(encoding="utf-8").replace("@SALON_VERSION@", __version__)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
