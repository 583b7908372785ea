"""`salon init`: a new salon folder from the scaffold shipped inside the package.

Owns copying `salon_gen/scaffold/` into a folder. Never overwrites: a folder that already
holds a salon (or any of the files it would write) is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

SCAFFOLD = Path(__file__).parent / "scaffold"
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


def init_salon(target: Path) -> list[Path]:
    """Copy the scaffold into `target` (created if needed); return the files written."""
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
    return [dst for _, dst in pairs]
