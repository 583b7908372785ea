"""Writing the built site: atomically, and without touching what did not change.

Owns the output folder. The new site is assembled in a sibling temporary folder and swapped
in with renames, so a failed or killed build leaves the previous site whole. Files whose
bytes are unchanged are hard-linked from the previous build (same inode, same mtime: rsync
and deploy tools see no change); files that are gone disappear with the old folder. Must not
decide what the site contains.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from salon_gen.core.errors import BuildFailed, Diagnostic
from salon_gen.core.urls import safe_output_path
from salon_gen.workspace.stopping import signals_held

if TYPE_CHECKING:  # types only: the no-change fast path should not import the model
    from salon_gen.core.model import OutputFile, StaticFile

MANIFEST_VERSION = 1
# The default theme's static files live in the package: always a place statics may come from.
_PACKAGE = os.path.realpath(Path(__file__).parents[1])


@dataclass(frozen=True, slots=True, kw_only=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int
    files: int


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _siblings(out_dir: Path) -> tuple[Path, Path]:
    return (
        out_dir.parent / f".{out_dir.name}.salon-new",
        out_dir.parent / f".{out_dir.name}.salon-old",
    )


def cannot_write(folder: Path, error: OSError) -> BuildFailed:
    """The diagnostic for a write the machine refused (disk full, read-only, no permission)."""
    try:
        shown = folder.relative_to(Path.cwd()).as_posix()
    except ValueError:
        shown = str(folder)
    reason = error.strerror or str(error)
    if error.filename:
        reason += f" ({error.filename})"
    return BuildFailed(
        [
            Diagnostic(
                path=f"{shown}/",
                message=f"cannot write: {reason}",
                hint="free some space, or make the folder writable (chmod -R u+w), then build "
                "again; the previous site is as it was",
            )
        ]
    )


def recover(out_dir: Path) -> None:
    """Undo a swap that a killed build left half done: put the previous site back."""
    new, old = _siblings(out_dir)
    try:
        if old.exists() and not out_dir.exists():
            old.rename(out_dir)
        for leftover in (new, old):
            if leftover.exists():
                shutil.rmtree(leftover)
    except OSError as e:
        raise cannot_write(out_dir, e) from None


def _check_writable(out_dir: Path) -> None:
    """The old site must be deletable once the new one is in: say so before writing."""
    for dirpath, _, _ in os.walk(out_dir):
        if not os.access(dirpath, os.W_OK | os.X_OK):
            raise cannot_write(out_dir, PermissionError(13, "Permission denied", dirpath))


def load_manifest(path: Path, out_dir: Path) -> dict[str, list[int | str]]:
    """The previous build's files: path -> [digest, size, mtime_ns]; {} when unknown."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION or data.get("output") != str(out_dir):
            return {}
        files = data["files"]
        return files if isinstance(files, dict) else {}
    except (OSError, ValueError, KeyError, AttributeError):
        return {}


def built_with_drafts(path: Path, out_dir: Path) -> bool | None:
    """Whether the last build into `out_dir` (its manifest at `path`) included drafts: what a
    deploy must refuse. None when there is no such record (no build, another output, an
    older manifest): a deploy must refuse that too, as it cannot know."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION or data.get("output") != str(out_dir):
            return None
        drafts = data.get("drafts")
    except (OSError, ValueError, AttributeError):
        return None
    return drafts if isinstance(drafts, bool) else None


def output_intact(manifest: dict[str, list[int | str]], out_dir: Path) -> bool:
    """True if every file the manifest lists is in `out_dir` untouched (by size and mtime)."""
    if not manifest:
        return False
    base = str(out_dir)
    for rel, (_, size, mtime) in manifest.items():
        try:
            st = os.stat(os.path.join(base, rel))  # str paths: 2x faster than pathlib here
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime:
            return False
    return True


def write_site(
    out_dir: Path,
    files: Sequence[OutputFile],
    statics: Sequence[StaticFile],
    manifest_path: Path,
    *,
    within: Path | None = None,
    drafts: bool = False,
) -> WriteReport:
    """Replace `out_dir` with exactly `files` + `statics`, reusing unchanged files. The
    manifest records `drafts` (the site shows drafts and future-dated items: see
    `built_with_drafts`).

    With `within` (the salon folder), a static file that resolves outside it (and outside
    salon's own package) is refused, before anything is written: `sources` reports such
    symlinks already, this is the belt to its braces."""
    _check_sources(statics, within)
    recover(out_dir)
    _check_writable(out_dir)
    previous = load_manifest(manifest_path, out_dir)
    new, old = _siblings(out_dir)
    try:
        return _write_site(out_dir, files, statics, manifest_path, previous, drafts)
    except OSError as e:  # disk full, read-only: the new folder goes, the old one stays
        shutil.rmtree(new, ignore_errors=True)
        if old.exists() and not out_dir.exists():
            old.rename(out_dir)
        # the manifest lives in salon's own folder (.salon/): name that, not the site's
        where = manifest_path.parent if isinstance(e, _ManifestFailed) else out_dir
        raise cannot_write(where, e) from None


class _ManifestFailed(OSError):
    """The manifest could not be saved (it is in .salon/, not in the site folder)."""


def _write_site(
    out_dir: Path,
    files: Sequence[OutputFile],
    statics: Sequence[StaticFile],
    manifest_path: Path,
    previous: dict[str, list[int | str]],
    drafts: bool,
) -> WriteReport:
    new, old = _siblings(out_dir)
    new.mkdir(parents=True)
    made: set[Path] = {new}
    manifest: dict[str, list[int | str]] = {}
    written = unchanged = 0

    def place(rel: str, digest: str, produce: Path | bytes) -> None:
        nonlocal written, unchanged
        if not safe_output_path(rel):
            raise ValueError(f"refusing to write outside the site folder: {rel!r}")
        target = new / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        before = previous.get(rel)
        if before is not None and before[0] == digest and _reuse(out_dir / rel, target, before):
            unchanged += 1
        elif isinstance(produce, bytes):
            target.write_bytes(produce)
            written += 1
        else:
            shutil.copy2(produce, target)
            written += 1
        st = target.stat()
        manifest[rel] = [digest, st.st_size, st.st_mtime_ns]

    for f in files:
        place(f.path, _digest(f.data), f.data)
    for s in statics:
        st = os.stat(s.source)
        place(s.dest, f"src:{st.st_size}:{st.st_mtime_ns}", Path(s.source))

    # The manifest before the swap: when .salon/ has no room for it, the build fails with
    # the previous site still in place (after the swap it would be half a success). A swap
    # that failed after it is caught by the next build's `output_intact`.
    _save_manifest(manifest_path, out_dir, manifest, drafts)
    with signals_held():  # a SIGTERM between the renames would leave no site folder
        if out_dir.exists():
            out_dir.rename(old)
        new.rename(out_dir)
    if old.exists():
        shutil.rmtree(old)
    removed = len(previous.keys() - manifest.keys())
    return WriteReport(written=written, unchanged=unchanged, removed=removed, files=len(manifest))


def _save_manifest(
    path: Path, out_dir: Path, manifest: dict[str, list[int | str]], drafts: bool
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    data = {"version": MANIFEST_VERSION, "output": str(out_dir), "drafts": drafts}
    try:
        tmp.write_text(json.dumps(data | {"files": manifest}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:  # no room: leave no half-written file to keep the disk full
        tmp.unlink(missing_ok=True)
        raise _ManifestFailed(e.errno, e.strerror, str(path)) from e


def _check_sources(statics: Sequence[StaticFile], within: Path | None) -> None:
    """ValueError for the first static file whose real path (symlinks followed, as
    `shutil.copy2` follows them) is outside `within` and the package, or is no regular
    file (a FIFO would hang the copy, a device fill the disk: `sources` reports them)."""
    for s in statics:
        try:
            regular = stat.S_ISREG(os.stat(s.source).st_mode)
        except OSError:
            regular = True  # gone since it was listed: the copy says so
        if not regular:
            raise ValueError(f"refusing to copy what is not a regular file: {s.source!r}")
    if within is None:
        return
    allowed = tuple(r.rstrip(os.sep) + os.sep for r in (os.path.realpath(within), _PACKAGE))
    for s in statics:
        real = os.path.realpath(s.source)
        if not real.startswith(allowed):
            raise ValueError(f"refusing to publish a file from outside the salon: {real!r}")


def _reuse(old: Path, target: Path, before: list[int | str]) -> bool:
    try:
        st = os.stat(old)
        if st.st_size != before[1] or st.st_mtime_ns != before[2]:
            return False  # changed by hand since: write it afresh
        os.link(old, target)
        return True
    except OSError:
        return False


def update_site(
    out_dir: Path,
    changed: Sequence[OutputFile],
    removed: Sequence[str],
    statics: Sequence[StaticFile],
    *,
    within: Path | None = None,
    manifest_path: Path | None = None,
    drafts: bool = False,
) -> WriteReport:
    """Bring a site folder that only salon writes up to date in place: write `changed`,
    copy `statics`, delete `removed`, each file replaced atomically so a reader never sees
    half a page. Unlike `write_site`, the folder is not swapped: an incremental build
    rewrites the few files an edit touched (a build stopped half-way leaves each file whole,
    old or new; the engine then starts over). `within`: as for `write_site`. With
    `manifest_path`, the manifest `write_site` made is brought up to date too."""
    _check_sources(statics, within)
    manifest = load_manifest(manifest_path, out_dir) if manifest_path is not None else {}
    written = 0
    for rel, produce in [(f.path, f.data) for f in changed] + [
        (s.dest, Path(s.source)) for s in statics
    ]:
        if not safe_output_path(rel):
            raise ValueError(f"refusing to write outside the site folder: {rel!r}")
        target = out_dir / rel
        tmp = target.with_name(f".{target.name}.salon-tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(produce, bytes):
                tmp.write_bytes(produce)
                digest = _digest(produce)
            else:
                shutil.copy2(produce, tmp)
                st = os.stat(produce)
                digest = f"src:{st.st_size}:{st.st_mtime_ns}"
            os.replace(tmp, target)
        except OSError as e:  # each file is whole, old or new; the half-written one goes
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise cannot_write(out_dir, e) from None
        st = target.stat()
        manifest[rel] = [digest, st.st_size, st.st_mtime_ns]
        written += 1
    gone = 0
    for rel in removed:
        if not safe_output_path(rel):
            continue
        manifest.pop(rel, None)
        with contextlib.suppress(FileNotFoundError):
            (out_dir / rel).unlink()
            gone += 1
        folder = (out_dir / rel).parent
        while folder != out_dir:  # the folders a removed page leaves empty go with it
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
    if manifest_path is None:
        return WriteReport(written=written, unchanged=0, removed=gone, files=written)
    _save_manifest(manifest_path, out_dir, manifest, drafts)
    return WriteReport(
        written=written, unchanged=len(manifest) - written, removed=gone, files=len(manifest)
    )
