"""`salon feeds --fix`: every person file's feed that moved permanently, replaced by its new URL,
touching only that feed's line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from salon_gen.core.errors import BuildFailed, Diagnostic
from salon_gen.core.model import FeedState
from salon_gen.following.follow import open_store, read_people
from salon_gen.workspace.state import StatePaths


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedFix:
    """One person file's permanent redirects, applied: `text` is `read` (the file's text
    exactly as read) with each moved feed's URL replaced in `feeds:` and nothing else."""

    path: Path
    read: str
    text: str
    moves: tuple[tuple[str, str], ...]  # (old URL, new URL)


def plan_feed_fixes(root: Path) -> list[FeedFix]:
    """Every person file that lists a feed seen moving permanently, with the edit that
    follows it. Nothing is written; BuildFailed, with each file's reason, when an edit
    cannot be made safely (then none is made)."""
    from salon_gen.writing.personedit import EditRefused, replace_feed

    people, _ = read_people(root)
    paths = StatePaths(root=root)
    states: dict[str, FeedState] = {}
    if paths.feeds.exists():
        with open_store(paths) as store:
            states = store.states()
    fixes: list[FeedFix] = []
    refused: list[Diagnostic] = []
    for person in sorted(people, key=lambda p: p.id):
        moves = tuple(
            (url, moved)
            for url in person.feeds
            if (state := states.get(url)) is not None and (moved := state.moved_to)
        )
        if not moves:
            continue
        path = root / person.source
        try:
            read = path.read_bytes().decode("utf-8")  # as it is: line endings included
            text = read
            for old, new in moves:
                text = replace_feed(text, old, new)
        except (OSError, UnicodeDecodeError) as e:
            refused.append(Diagnostic(path=person.source, message=f"cannot fix its feeds: {e}"))
        except EditRefused as e:
            refused.append(
                Diagnostic(
                    path=person.source, message=f"cannot fix its feeds: {e.message}", hint=e.hint
                )
            )
        else:
            fixes.append(FeedFix(path=path, read=read, text=text, moves=moves))
    if refused:
        raise BuildFailed(refused)
    return fixes


def apply_feed_fixes(root: Path, fixes: Sequence[FeedFix]) -> list[str]:
    """Write each fix, refusing a file that changed since it was read (an editor saved it:
    replacing it would drop that save), and move each feed's history to its new URL."""
    from salon_gen.writing.personedit import EditRefused, write_text

    changes: list[str] = []
    paths = StatePaths(root=root)
    for fix in fixes:
        where = fix.path.relative_to(root).as_posix()
        try:
            write_text(fix.path, fix.text, expected=fix.read)
        except EditRefused as e:
            raise BuildFailed(
                [Diagnostic(path=where, message=f"cannot fix its feeds: {e.message}", hint=e.hint)]
            ) from None
        with open_store(paths) as store:
            for old, new in fix.moves:
                store.rename_feed(old, new)  # keep the history under the new URL
        paths.entries_changed()
        changes += [f"{where}: {old} -> {new}" for old, new in fix.moves]
    return changes


def fix_moved_feeds(root: Path) -> list[str]:
    """Apply every permanent redirect seen to the person files; say what changed."""
    return apply_feed_fixes(root, plan_feed_fixes(root)) or ["no feed has moved"]
