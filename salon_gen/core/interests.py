"""Interests: one name for every spelling of a topic.

Owns how a tag, a person's declared interest or a followed entry's category becomes an
interest: its slug (`urls.interest_slug`: case folds, but `C`, `C#` and `C++` stay apart),
then the owner's aliases from `[interests] aliases` in salon.toml ("ml" and "machine
learning" both become "machine-learning"), and `gather`, which meets them into the salon's
`Interest`s. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from salon_gen.core.model import FeedEntry, Interest, Note, Person
from salon_gen.core.urls import interest_slug


def canonical(name: str, aliases: Mapping[str, str]) -> str:
    """The interest `name` belongs to, as a slug ("" when nothing sluggable is left).

    `aliases` maps the slug of a spelling to the slug of its interest, as parsed from
    salon.toml (`Config.interests.aliases`)."""
    slug = interest_slug(name)
    return aliases.get(slug, slug)


# A person's latest entries that say what they write about lately. A count, not a time
# window: the same stored entries always teach the same interests, however much time passes,
# so the site changes only when its inputs do (the no-change fast path relies on it).
RECENT_ENTRIES = 20


def learned(entries: Sequence[FeedEntry], aliases: Mapping[str, str]) -> dict[str, set[str]]:
    """Person id -> the interests (slugs) their RECENT_ENTRIES latest entries are filed under.

    `entries` newest first, each with its `person_id`, as `Site.entries` holds them."""
    seen: dict[str, int] = {}
    found: dict[str, set[str]] = {}
    for entry in entries:
        count = seen[entry.person_id] = seen.get(entry.person_id, 0) + 1
        if count <= RECENT_ENTRIES:
            slugs = {canonical(c, aliases) for c in entry.categories} - {""}
            found.setdefault(entry.person_id, set()).update(slugs)
    return found


def gather(
    notes: Sequence[Note],
    people: Sequence[Person],
    entries: Sequence[FeedEntry],
    aliases: Mapping[str, str],
) -> tuple[Interest, ...]:
    """Every interest of the salon, by slug.

    An interest exists when the owner's published writing is tagged with it or a public person
    declares it. Followed entries' categories only attach to those: a friend filing posts under
    hundreds of categories adds no pages. Keeps the order of `notes` and `entries` (newest
    first) and of `people` (by name); give it public people and their entries only."""
    spelled: dict[str, dict[str, int]] = {}  # slug -> spelling -> how often it is used

    def spell(name: str) -> str:
        slug = canonical(name, aliases)
        if slug:
            counts = spelled.setdefault(slug, {})
            counts[name] = counts.get(name, 0) + 1
        return slug

    on_notes: dict[str, dict[str, Note]] = {}  # by source: two spellings on one note count once
    for note in notes:
        for tag in note.tags:
            if slug := spell(tag):
                on_notes.setdefault(slug, {}).setdefault(note.source, note)
    declared: dict[str, dict[str, Person]] = {}
    for person in people:
        for name in person.interests:
            if slug := spell(name):
                declared.setdefault(slug, {}).setdefault(person.id, person)
    on_entries: dict[str, list[FeedEntry]] = {}
    for entry in entries:
        for slug in sorted({canonical(c, aliases) for c in entry.categories} & spelled.keys()):
            on_entries.setdefault(slug, []).append(entry)
    lately = learned(entries, aliases)
    return tuple(
        Interest(
            name=_display_name(slug, spelled[slug]),
            slug=slug,
            url=f"interests/{slug}/",
            notes=tuple(on_notes.get(slug, {}).values()),
            entries=tuple(on_entries.get(slug, ())),
            people=tuple(declared.get(slug, {}).values()),
            learned_people=tuple(
                p
                for p in people
                if slug in lately.get(p.id, ()) and p.id not in declared.get(slug, {})
            ),
            aliases=tuple(sorted(s for s in spelled[slug] if interest_slug(s) != slug)),
        )
        for slug in sorted(spelled)
    )


def _display_name(slug: str, counts: Mapping[str, int]) -> str:
    """The most used spelling of the interest's own name ("machine learning" over "ml"), ties
    alphabetically; the slug itself when only other spellings are used."""
    own = [(-n, name) for name, n in counts.items() if interest_slug(name) == slug]
    return min(own)[1] if own else slug
