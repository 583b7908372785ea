"""Feed entry ids that never change: the id each note was first published with.

Pure. Owns the ledger (`Ledger`: what `.salon/entry-ids.json` holds, as bytes in and out)
and the choice of every note's id (`assign`). RFC 4287 §4.2.6: an atom:id must never
change, or a feed reader shows the note again as new. The id a note is first published
with is a `tag:` URI made of base_url's host, the note's date and its file's path
(`notes._entry_id`); each of those can change (a date fixed, a file renamed or moved into a
folder, a new domain), so the ledger remembers, for every published note, the id it went out
with and what it looked like, and a later build gives it that id again:
- an explicit `id:` in front matter always wins (and is remembered);
- a note whose file is still there keeps the id remembered for that file;
- a note whose file is new is matched to a remembered note whose file went since the last
  build (a rename or a move) when at least two of its title, date, URL, link and body are
  the same, and no other note is as good a match on either side; a weaker or a shared
  match is not guessed at: the note gets a new id and a warning gives the exact `id:` line
  that would keep the old one. The warning stays until the owner writes an `id:`.

Must not read or write files: the engine reads the ledger and writes what `assign` returns
after a good build.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo

from salon_gen.core.errors import Diagnostic
from salon_gen.core.model import Note

VERSION = 1
_KEYS = ("title", "day", "url", "link", "body")


@dataclass(frozen=True, slots=True, kw_only=True)
class Known:
    """One published note as the ledger remembers it: its id, and how to recognise it."""

    source: str  # "content/notes/x.md" when it was last seen
    id: str
    title: str  # casefolded, whitespace collapsed
    day: str  # its date, in the site's zone: "2026-03-05"
    url: str  # "notes/x/"
    link: str  # a share's link, else ""
    body: str  # `digest` of its Markdown body ("" when it has none)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ledger:
    notes: tuple[Known, ...] = ()  # by source
    damaged: bool = False  # the file could not be read: it must not be replaced


EMPTY = Ledger()  # a salon's ledger before its first build


@dataclass(frozen=True, slots=True, kw_only=True)
class Assigned:
    ids: Mapping[str, str]  # source -> entry id, for every note given
    diagnostics: tuple[Diagnostic, ...]
    # What `ledger()` is made of: only a build that writes it needs it (not a preview).
    notes: tuple[Note, ...] = ()  # the notes to remember
    orphans: tuple[Known, ...] = ()  # gone notes remembered until an uncertain match is decided
    zone: tzinfo = UTC
    damaged: bool = False

    def ledger(self) -> Ledger:
        """What to remember once this build is written."""
        keep = [_known(n, self.ids[n.source], self.zone) for n in self.notes]
        keep += self.orphans
        return Ledger(notes=tuple(sorted(keep, key=lambda k: k.source)), damaged=self.damaged)


def digest(body: str) -> str:
    """What recognises a body across a rename: its words, whitespace aside."""
    words = " ".join(body.split())
    return hashlib.blake2b(words.encode(), digest_size=12).hexdigest() if words else ""


def parse(
    data: bytes | None, path: str, *, problem: str | None = None
) -> tuple[Ledger, tuple[Diagnostic, ...]]:
    """The ledger in `data` (None: there is none yet, or it could not be read: `problem`).
    A damaged one is a warning and an empty ledger that must not be written over (the
    owner may still repair it)."""
    if data is None and problem is None:
        return Ledger(), ()
    try:
        if problem is not None or data is None:
            raise ValueError(problem)
        raw = json.loads(data.decode("utf-8"))
        if raw["version"] != VERSION:
            raise ValueError(f"version {raw['version']!r}, salon reads {VERSION}")
        notes = tuple(
            Known(**{k: str(n[k]) for k in ("source", "id", *_KEYS)}) for n in raw["notes"]
        )
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        damaged = Diagnostic(
            path=path,
            severity="warning",
            message=f"cannot read the entry-id ledger ({e}); every note gets the id its date "
            "and file make, and the ledger is left as it is",
            hint=f"repair {path}, or delete it to start a new one from this build's ids",
        )
        return Ledger(damaged=True), (damaged,)
    return Ledger(notes=tuple(sorted(notes, key=lambda k: k.source))), ()


def dump(ledger: Ledger) -> bytes:
    """The ledger as the file holds it: sorted, one note a line, the same bytes for the same
    ledger."""
    lines = [
        json.dumps({k: getattr(n, k) for k in ("source", "id", *_KEYS)}, ensure_ascii=False)
        for n in sorted(ledger.notes, key=lambda k: k.source)
    ]
    body = ",\n".join(f"  {line}" for line in lines)
    return f'{{"version": {VERSION}, "notes": [\n{body}\n]}}\n'.encode()


def _known(note: Note, entry_id: str, zone: tzinfo) -> Known:
    return Known(
        source=note.source,
        id=entry_id,
        title=" ".join(note.title.casefold().split()),
        day=note.date.astimezone(zone).date().isoformat(),
        url=note.url,
        link=note.link.url if note.link is not None else "",
        body=note.body_digest,
    )


def _agree(a: Known, b: Known) -> tuple[str, ...]:
    """The keys on which two notes agree (an empty body or link is no evidence)."""
    return tuple(k for k in _KEYS if getattr(a, k) and getattr(a, k) == getattr(b, k))


def _score(a: Known, b: Known) -> int:
    """2 or more: the same note. 1: perhaps (but a day alone says nothing). 0: no."""
    agree = _agree(a, b)
    return 0 if agree == ("day",) else len(agree)


def _unused(wanted: str, used: Collection[str]) -> str:
    """`wanted`, or `wanted-2`, `-3`... when another note already has it."""
    n, candidate = 1, wanted
    while candidate in used:
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def assign(
    ledger: Ledger,
    notes: Sequence[Note],
    shown: Collection[str],
    lines: Mapping[str, int],
    zone: tzinfo,
) -> Assigned:
    """The id of every note in `notes` (by source), the ledger to keep after this build and
    what the owner should know. `shown`: the sources the site publishes (they are
    remembered); `lines`: the line in each source where an `id:` would go."""
    remembered = {k.source: k for k in ledger.notes}
    ids: dict[str, str] = {}
    for note in notes:
        if note.explicit_id:
            ids[note.source] = note.entry_id
        elif note.source in remembered:  # its file is still there: it is that note
            ids[note.source] = remembered[note.source].id
    present = {n.source for n in notes}
    claimed = set(ids.values())
    orphans = [k for k in ledger.notes if k.source not in present and k.id not in claimed]
    newcomers = sorted((n for n in notes if n.source not in ids), key=lambda n: n.source)
    looks = {n.source: _known(n, n.entry_id, zone) for n in newcomers}
    scores = {
        (n.source, o.source): s
        for n in newcomers
        for o in orphans
        if (s := _score(looks[n.source], o)) > 0
    }
    adopted = _adopt(scores)
    diags: list[Diagnostic] = []
    by_source = {o.source: o for o in orphans}
    for new, old in adopted.items():
        ids[new] = by_source[old].id
    used = {k.id for k in ledger.notes} | set(ids.values())
    pending: set[str] = set()  # newcomers left undecided: not remembered yet
    kept_orphans: set[str] = set()  # orphans they may be: remembered until it is decided
    for note in newcomers:
        if note.source in adopted:
            continue
        ids[note.source] = fresh = _unused(note.entry_id, used)
        used.add(fresh)
        maybe = sorted(
            (
                (s, o)
                for (n, o), s in scores.items()
                if n == note.source and o not in adopted.values()
            ),
            key=lambda so: (-so[0], so[1]),
        )
        if maybe:
            pending.add(note.source)
            kept_orphans.update(o for _, o in maybe)
            diags.append(_ambiguous(note, [by_source[o] for _, o in maybe], fresh, lines))
    diags += _duplicates(notes, ids, {k.source: k.id for k in ledger.notes}, lines)
    return Assigned(
        ids=ids,
        diagnostics=tuple(diags),
        notes=tuple(
            n
            for n in notes
            if n.source not in pending
            and (n.source in remembered or n.source in adopted or n.source in shown)
        ),
        orphans=tuple(o for o in orphans if o.source in kept_orphans),
        zone=zone,
        damaged=ledger.damaged,
    )


def _adopt(scores: Mapping[tuple[str, str], int]) -> dict[str, str]:
    """New source -> gone source, for every pair that agrees on two keys or more and where
    neither side has another match as good (one rename each, no guessing between two)."""
    best_new: dict[str, int] = {}
    best_old: dict[str, int] = {}
    for (new, old), s in scores.items():
        best_new[new] = max(best_new.get(new, 0), s)
        best_old[old] = max(best_old.get(old, 0), s)
    adopted: dict[str, str] = {}
    for (new, old), s in sorted(scores.items()):
        if s < 2 or s != best_new[new] or s != best_old[old]:
            continue
        rivals = [
            pair
            for pair, t in scores.items()
            if t == s and pair != (new, old) and (pair[0] == new or pair[1] == old)
        ]
        if not rivals:
            adopted[new] = old
    return adopted


def _ambiguous(
    note: Note, olds: Sequence[Known], fresh: str, lines: Mapping[str, int]
) -> Diagnostic:
    if len(olds) == 1:
        was = f"{olds[0].source} (gone since the last build)"
    else:
        was = "one of " + ", ".join(o.source for o in olds) + " (gone since the last build)"
    choices = [f"if it is {o.source}, add this line to its front matter: id: {o.id}" for o in olds]
    return Diagnostic(
        path=note.source,
        line=lines.get(note.source, 1),
        severity="warning",
        message=f"this note may be {was} renamed, moved or redated; salon cannot tell, so it "
        f"gets a new feed id and readers may show it twice",
        hint="; ".join(choices) + f"; if it is a new note: id: {fresh}",
    )


def _duplicates(
    notes: Sequence[Note],
    ids: Mapping[str, str],
    had: Mapping[str, str],
    lines: Mapping[str, int],
) -> list[Diagnostic]:
    """Two notes with one id: readers keep only one of them (an `id:` copied with a file).
    Said of the one that did not have the id before (`had`: source -> remembered id)."""
    first: dict[str, str] = {}
    found: list[Diagnostic] = []
    for note in sorted(notes, key=lambda n: (had.get(n.source) != ids[n.source], n.source)):
        entry_id = ids[note.source]
        if entry_id not in first:
            first[entry_id] = note.source
            continue
        found.append(
            Diagnostic(
                path=note.source,
                line=lines.get(note.source, 1),
                severity="warning",
                message=f"feed id {entry_id} is also the id of {first[entry_id]}: feed readers "
                "show only one of them",
                hint="give one of them another id: line (or remove the one copied with the file)",
            )
        )
    return found
