"""salon's own state under `.salon/`: where things live, and the no-change fingerprint.

Owns the layout of `.salon/` and the build fingerprint: a hash of every input's path, size
and modification time (content, theme, config, salon's own code) plus the build options.
When the fingerprint matches the last successful build, no scheduled item has come due and
the output is untouched, the site is already up to date and nothing needs to run. Must not
read file contents or decide what a site contains.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from salon_gen import __version__
from salon_gen.core.errors import Diagnostic

STATE_DIR = ".salon"
PRIVATE_DIR = "private"
CALENDAR_FILE = "salon.ics"  # the private calendar, under PRIVATE_DIR
FEEDS_FILE = "feeds.sqlite"
FEEDS_VERSION_FILE = "feeds.version"
RECEIVED_FILE = "received.json"  # written by receive.py
ENTRY_IDS_FILE = "entry-ids.json"  # the entry-id ledger (content/entry_ids.py)
_PACKAGE = Path(__file__).resolve().parents[1]  # the whole package: code and default theme


@dataclass(frozen=True, slots=True, kw_only=True)
class StatePaths:
    root: Path

    @property
    def dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def render_cache(self) -> Path:
        return self.dir / "render-cache.sqlite"

    def manifest(self, output: Path) -> Path:
        """The record of what a build wrote into `output`: one per output folder, so a
        preview built elsewhere (salon serve, --output) never disturbs site/'s."""
        return self.dir / f"manifest-{_tag(str(output))}.json"

    def fingerprint(self, override: Path | None) -> Path:
        """The last build's fingerprint: one for the configured output, one per --output."""
        if override is None:
            return self.dir / "fingerprint.json"
        return self.dir / f"fingerprint-{_tag(str(override))}.json"

    def engine_record(self, output: Path) -> Path:
        """What the build engine knew after its last good build into `output` (`record`)."""
        return self.dir / f"engine-{_tag(str(output))}.pickle"

    @property
    def entry_ids(self) -> Path:
        """The id each note was first published with (`entry_ids`)."""
        return self.dir / ENTRY_IDS_FILE

    @property
    def feeds(self) -> Path:
        return self.dir / FEEDS_FILE

    def entries_changed(self) -> None:
        """Record that the stored entries changed (a fetch stored some, a feed moved, the
        store was rebuilt): the next build must not trust its no-change fingerprint."""
        self.dir.mkdir(parents=True, exist_ok=True)
        version = self.dir / FEEDS_VERSION_FILE
        try:
            n = int(version.read_text(encoding="ascii")) + 1
        except (OSError, ValueError):
            n = 1
        tmp = version.with_suffix(".tmp")
        tmp.write_text(str(n), encoding="ascii")
        os.replace(tmp, version)


def _stat_tree(digest: hashlib.blake2b, folder: Path, label: str) -> None:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            # surrogateescape: a file name that is not UTF-8 is hashed as its bytes (the
            # build then reports it), not a UnicodeEncodeError here
            line = f"{label}{path}\0{st.st_size}\0{st.st_mtime_ns}\n"
            digest.update(line.encode("utf-8", "surrogateescape"))


@functools.cache
def code_digest() -> str:
    """A hash that changes whenever salon's own code or default theme may have changed
    (as this process found them: the code it runs is the code it loaded)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{__version__}\0{sys.version}\n".encode())
    _stat_tree(digest, _PACKAGE, "p:")
    return digest.hexdigest()


def fingerprint(root: Path, output: Path, options: str) -> str:
    """A hash that changes whenever any input of a build may have changed."""
    root = root.resolve()  # one spelling: `salon build` in it and `-s path/to/it` agree
    digest = hashlib.blake2b(digest_size=20)
    # The salon folder itself: a copy (cp -a keeps every stamp) is another salon, whose
    # recorded output is the original's site/; its fingerprint must never match.
    digest.update(f"{__version__}\0{root}\0{output}\0{options}\n".encode())
    for name in ("salon.toml",):
        try:
            st = os.stat(root / name)
            digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{name}\0missing\n".encode())
    # The feed store: every poll rewrites its schedule, which changes no page; what pages
    # show changes only when entries do, and that is what the version file records.
    store = root / STATE_DIR
    digest.update(f"store\0{(store / FEEDS_FILE).exists()}\0".encode())
    try:
        digest.update((store / FEEDS_VERSION_FILE).read_bytes())
    except OSError:
        digest.update(b"no version")
    # The Webmentions received, shown under notes. (Not the record of those sent: a mention
    # round must not make the site "not up to date"; the tombstones it implies are for posts
    # deleted from content/, and deleting one changes the content already.)
    for name in (RECEIVED_FILE,):
        try:
            st = os.stat(store / name)
            digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"no {name}".encode())
    _stat_tree(digest, root / "content", "c:")
    _stat_tree(digest, root / "themes", "t:")
    _stat_tree(digest, _PACKAGE, "p:")  # salon's own code and default theme
    return digest.hexdigest()


def ledger_stamp(paths: StatePaths) -> str:
    """The entry-id ledger's size and stamp, part of the no-change fingerprint. Apart from
    `fingerprint` because a build writes the ledger: the fingerprint it saves is the one it
    computed first with the ledger as the build left it."""
    try:
        st = os.stat(paths.entry_ids)
    except OSError:
        return ":no ledger"
    return f":{st.st_size}:{st.st_mtime_ns}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Fingerprint:
    """What the last successful build saw, and what it said."""

    value: str
    output: Path
    next_change: datetime | None
    warnings: tuple[Diagnostic, ...] = ()  # replayed by an up-to-date build


def _tag(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def load_fingerprint(paths: StatePaths, override: Path | None) -> Fingerprint | None:
    try:
        data = json.loads(paths.fingerprint(override).read_text(encoding="utf-8"))
        until = datetime.fromisoformat(data["next_change"]) if data["next_change"] else None
        warnings = tuple(Diagnostic(**w) for w in data["warnings"])
        return Fingerprint(
            value=str(data["fingerprint"]),
            output=Path(data["output"]),
            next_change=until,
            warnings=warnings,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_fingerprint(paths: StatePaths, override: Path | None, fingerprint: Fingerprint) -> None:
    paths.dir.mkdir(parents=True, exist_ok=True)
    target = paths.fingerprint(override)
    tmp = target.with_suffix(".tmp")
    until = fingerprint.next_change
    data = {
        "fingerprint": fingerprint.value,
        "output": str(fingerprint.output),
        "next_change": until.isoformat() if until else None,
        "warnings": [
            {
                "path": d.path,
                "message": d.message,
                "severity": d.severity,
                "line": d.line,
                "col": d.col,
                "hint": d.hint,
            }
            for d in fingerprint.warnings
        ],
    }
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, target)
