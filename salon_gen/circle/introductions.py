"""Introductions: which two people in the salon would enjoy each other, and what to say.

Pure. Owns what a person's interests are for this purpose (declared in their file, and
learned from the categories of their latest entries as `interests.learned` says, both
through `interests.canonical` and the owner's aliases),
how strongly two people overlap, which pairs are never suggested, and the text of an
introduction. Must not write: `circle` prints the suggestions and writes drafts.

The score of a pair is the sum, over the interests they share, of
`weight(a) * weight(b) * 2 / holders`: a declared interest weighs 2, a learned one 1, one both
declared and learned 3; `holders` is how many people in the salon hold the interest, so two
people sharing something only they care about (2 holders: * 1) rank above two of the many who
share the salon's common ground (4 holders: * 1/2).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal

from salon_gen.circle.contacts import Contact
from salon_gen.core.interests import canonical, learned
from salon_gen.core.model import FeedEntry, Person
from salon_gen.text.sanitize import plain_text

Holding = Literal["declared", "learned", "both"]
WEIGHT: Mapping[Holding, int] = {"declared": 2, "learned": 1, "both": 3}
_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Shared:
    interest: str  # the canonical slug
    a: Holding
    b: Holding
    holders: int  # people in the salon who hold it
    weight: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class Suggestion:
    a: Person
    b: Person
    shared: tuple[Shared, ...]  # strongest first, then by name
    score: Fraction

    @property
    def interests(self) -> tuple[str, ...]:
        return tuple(s.interest for s in self.shared)


def held_interests(
    people: Sequence[Person], entries: Sequence[FeedEntry], aliases: Mapping[str, str]
) -> dict[str, dict[str, Holding]]:
    """Person id -> interest slug -> how they hold it. Learned interests are those the
    interest pages show too (`interests.learned`: the categories of their latest entries),
    so a suggestion never disagrees with the site."""
    owner = {url: p.id for p in people for url in p.feeds}
    theirs = [replace(e, person_id=owner[e.feed_url]) for e in entries if e.feed_url in owner]
    lately = learned(theirs, aliases)
    held: dict[str, dict[str, Holding]] = {}
    for person in people:
        mine: dict[str, Holding] = {}
        for name in person.interests:
            if slug := canonical(name, aliases):
                mine[slug] = "declared"
        for slug in lately.get(person.id, ()):
            mine[slug] = "both" if slug in mine else "learned"
        held[person.id] = mine
    return held


def introduced(contacts: Mapping[str, Contact], a: str, b: str) -> bool:
    """Whether either of the two has `b`/`a` in their `introduced:` log."""
    ca, cb = contacts.get(a), contacts.get(b)
    return bool((ca and ca.was_introduced_to(b)) or (cb and cb.was_introduced_to(a)))


def suggest(
    people: Sequence[Person],
    contacts: Mapping[str, Contact],
    entries: Sequence[FeedEntry],
    aliases: Mapping[str, str],
    *,
    person_id: str | None = None,
) -> tuple[Suggestion, ...]:
    """Every pair worth introducing, best first (score, then more shared interests, then
    names). Never a person with `introducible: false`, never a pair already introduced
    (either way round), never a pair with nothing in common. People with `public: false`
    are suggested too: the suggestion is printed for the owner alone. With `person_id`,
    only pairs with that person, who then comes first in each pair."""
    held = held_interests(people, entries, aliases)
    holders = Counter(slug for mine in held.values() for slug in mine)
    pool = sorted((p for p in people if p.introducible), key=lambda p: (p.name, p.id))
    found: list[Suggestion] = []
    for i, a in enumerate(pool):
        for b in pool[i + 1 :]:
            if person_id is not None and person_id not in (a.id, b.id):
                continue
            if introduced(contacts, a.id, b.id):
                continue
            first, second = (b, a) if person_id == b.id else (a, b)
            shared = [
                Shared(
                    interest=slug,
                    a=held[first.id][slug],
                    b=held[second.id][slug],
                    holders=holders[slug],
                    weight=Fraction(
                        WEIGHT[held[first.id][slug]] * WEIGHT[held[second.id][slug]] * 2,
                        holders[slug],
                    ),
                )
                for slug in held[first.id].keys() & held[second.id].keys()
            ]
            if not shared:
                continue
            shared.sort(key=lambda s: (-s.weight, s.interest))
            found.append(
                Suggestion(
                    a=first,
                    b=second,
                    shared=tuple(shared),
                    score=sum((s.weight for s in shared), Fraction(0)),
                )
            )
    found.sort(key=lambda s: (-s.score, -len(s.shared), s.a.name, s.b.name, s.a.id, s.b.id))
    return tuple(found)


# --- what to say ---------------------------------------------------------------------------------


def interest_name(slug: str) -> str:
    return slug.replace("-", " ")


def and_list(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _first_name(person: Person) -> str:
    return person.name.split()[0] if person.name.split() else person.name


def _about(person: Person) -> str:
    """One sentence about them: the first of their public description, else their interests."""
    text = plain_text(person.html).strip()
    if m := _SENTENCE.match(text):
        return m.group(1)
    if text:
        return text
    if person.interests:
        return f"{person.name} writes about {and_list(list(person.interests))}."
    return ""


def _markdown_link(text: str, url: str) -> str:
    label = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    target = f"<{url}>" if any(c in url for c in " ()<>") else url
    return f"[{label}]({target})"


def introduction_text(s: Suggestion, *, owner: str, markdown: bool = False) -> str:
    """A message to both of them, ready to send (plain text), or the body of a draft note
    (`markdown`: their names link to their sites, or to their pages in the salon)."""
    a, b = _first_name(s.a), _first_name(s.b)
    if a == b:
        a, b = s.a.name, s.b.name
    topics = and_list([interest_name(i) for i in s.interests])
    lines = [
        f"Hi {a} and {b},",
        "",
        "I have been meaning to introduce you to each other. You share an interest in "
        f"{topics}, and I think you would enjoy each other's company.",
    ]
    for person in (s.a, s.b):
        about = _about(person)
        if markdown:
            who = _markdown_link(person.name, person.url or f"/{person.url_path}")
        else:
            who = f"{person.name} ({person.url})" if person.url else person.name
        lines += ["", f"{who}: {about}" if about else who]
    lines += [
        "",
        "I'll let you take it from here.",
        "",
        owner.split()[0] if owner.split() else owner,
    ]
    return "\n".join(lines) + "\n"
