"""A larger, lived-in salon generated for the browser tests.

Enough notes and shares over three years to fill the archive and the interest pages, a dozen
people (with photos and without, with feeds and without, one with nothing at all), and a feed
store holding 130 entries from their feeds, so the reading river runs to several pages.
The awkward cases a theme meets in real life are here on purpose: very long titles, a word
with no place to break, right-to-left text, an untitled entry, a share with no title, a note
with a table, code, math, a footnote and an image.

Deterministic: the same `now` gives the same salon. Entries go into the real feed store
(`FeedStore.upsert_entries`), as a fetch would put them there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from salon_gen.core.model import FeedEntry
from salon_gen.following.store import FeedStore

from .conftest import write_tree

CONFIG = """\
title = "The Long Table"
base_url = "https://table.example.org/"
description = "A larger salon, generated for the browser tests: many notes, many friends."
language = "en"
timezone = "Europe/Lisbon"

[author]
name = "Inês Duarte"
url = "https://table.example.org/about/"
avatar = "/static/owner.svg"

[reading]
per_page = 50
"""

TOPICS = (
    "letters",
    "gardening",
    "bookbinding",
    "cooking",
    "poetry",
    "translation",
    "walking",
    "personal websites",
    "zines",
    "hosting",
)

SENTENCE = (
    "friendship asks for very little and gives back more than it ever takes; a postcard, "
    "a question remembered, an evening kept free."
)

AVATAR = """\
<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">
<rect width="96" height="96" fill="{fill}"/>
<circle cx="48" cy="38" r="18" fill="#fff" fill-opacity=".85"/>
<rect x="20" y="62" width="56" height="34" rx="17" fill="#fff" fill-opacity=".85"/>
</svg>
"""

# (id, name, has an avatar, number of feeds, full_text, interests)
PEOPLE = (
    ("amara-nwosu", "Amara Nwosu", True, 1, True, ("letters", "poetry")),
    ("bruno-castelo", "Bruno Castelo", False, 2, False, ("cooking", "hosting")),
    ("chen-wei", "Chen Wei", True, 1, False, ("translation", "poetry", "zines")),
    ("dalia-haddad", "Dalia Haddad", False, 1, True, ("gardening", "walking")),
    ("eero-virtanen", "Eero Virtanen", False, 1, False, ("bookbinding",)),
    ("farah-qureshi", "Farah Qureshi", True, 1, False, ("personal websites", "zines")),
    ("gus-oyelaran", "Gus Oyelaran", False, 1, False, ("walking", "cooking", "letters")),
    ("helga-brandt", "Helga Brandt", False, 1, False, ("hosting",)),
    ("ivo-marques", "Ivo Marques", False, 1, False, ("gardening",)),  # followed, nothing yet
    ("june-park", "June Park", False, 0, False, ()),  # nothing at all: the empty person
    (
        "maximiliana-von-hohenzollern-sigmaringen",
        "Maximiliana von Hohenzollern-Sigmaringen",
        False,
        0,
        False,
        ("letters", "translation"),
    ),
    ("yusuf-demir", "Yusuf Demir", False, 1, False, ("poetry", "walking")),
)
EMPTY_PERSON = "june-park"
LONG_WORD = "Antidisestablishmentarianismcorrespondencesocietiesofeighteenthcenturylondon"
QUIET_PERSON = "ivo-marques"  # followed, but the store holds nothing from them

FILLS = ("#8a4b2f", "#2f5d8a", "#4f7a3a", "#7a3a6b")

RICH_BODY = """\
The long version, with everything Markdown offers, so the theme shows what it does with it.

## A table of who brings what

| Who | Brings | Since |
| --- | --- | --- |
| Amara | bread | 2024 |
| Bruno | soup, and the big pot for it | 2023 |
| Chen | poems to read aloud | 2025 |

## Some code

```python
def invite(friend: str) -> str:
    return f"Dear {friend}, come on Thursday."
```

## Some math

Seats grow as $s_n = 2n + 2$ for $n$ tables, and $$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$ so
a long display must scroll in its own box on a phone:

$$
\\int_0^\\infty e^{-x^2}\\,dx = \\frac{\\sqrt{\\pi}}{2}
  + \\sum_{k=0}^{\\infty} \\frac{(-1)^k}{k!\\,(2k+1)}
  + \\sum_{k=0}^{\\infty} \\frac{(-1)^k}{k!\\,(2k+1)} + \\cdots
$$

> A letter is a conversation with the slow parts left in.

![A table laid for eight, candles lit](/static/table.svg)

Footnotes work too.[^1] And a long link: <https://very-long-domain-name.example.org/a/path/that/goes/on/and/on/without/a/break/anywhere/at/all>

[^1]: Like this one, at the bottom of the note.
"""

TABLE_SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" width="640" height="240" viewBox="0 0 640 240">
<rect width="640" height="240" fill="#e9dfd0"/>
<rect x="80" y="90" width="480" height="60" rx="8" fill="#8a4b2f"/>
<circle cx="160" cy="70" r="10" fill="#f0a07a"/><circle cx="320" cy="70" r="10" fill="#f0a07a"/>
<circle cx="480" cy="70" r="10" fill="#f0a07a"/>
</svg>
"""


def _text(i: int, length: int) -> str:
    """`length` words of filler, starting at word `i` of the sentence."""
    words = SENTENCE.split()
    return " ".join(words[(i + k) % len(words)] for k in range(length)).capitalize() + "."


def _tags(i: int) -> list[str]:
    return [TOPICS[i % len(TOPICS)], TOPICS[(i * 3 + 1) % len(TOPICS)]]


def _person(
    pid: str, name: str, avatar: bool, feeds: int, full: bool, interests: tuple[str, ...]
) -> str:
    lines = ["---", f"name: {name}"]
    if pid != EMPTY_PERSON:
        lines.append(f"url: https://{pid}.example.net/")
    if feeds:
        urls = [f"https://{pid}.example.net/feed{n or ''}.xml" for n in range(feeds)]
        lines.append(f"feeds: [{', '.join(urls)}]")
    if interests:
        lines.append(f"interests: [{', '.join(interests)}]")
    if avatar:
        lines.append(f"avatar: /static/people/{pid}.svg")
    if full:
        lines.append("full_text: true")
    lines.append("---")
    if pid != EMPTY_PERSON:
        lines.append(f"{name.split()[0]} {_text(len(pid), 24).lower()}")
    return "\n".join(lines) + "\n"


def write(root: Path, now: datetime) -> Path:
    """Write the salon into `root` (which must not exist yet) and fill its feed store."""
    files: dict[str, str] = {
        "salon.toml": CONFIG,
        "content/static/owner.svg": AVATAR.format(fill=FILLS[0]),
        "content/static/table.svg": TABLE_SVG,
        "content/pages/about.md": (
            "---\ntitle: About\n---\nI keep a long table and a longer list of friends.\n\n"
            "## Why a salon\n\n" + _text(3, 60) + "\n"
        ),
    }
    for n, (pid, name, avatar, feeds, full, interests) in enumerate(PEOPLE):
        files[f"content/people/{pid}.md"] = _person(pid, name, avatar, feeds, full, interests)
        if avatar:
            files[f"content/static/people/{pid}.svg"] = AVATAR.format(fill=FILLS[n % 4])
    start = now - timedelta(days=3 * 365)
    for i in range(70):  # notes, every ~two weeks
        date = start + timedelta(days=i * 15 + 1, hours=i % 9)
        title = f"Notes from the long table, number {i + 1}"
        if i == 7:
            title = (
                "On the etiquette of the second helping, the late guest, and the friend who "
                "always brings more wine than anyone could reasonably drink"
            )
        people = f"people: [{PEOPLE[i % 9][0]}]\n" if i % 4 == 0 else ""
        body = RICH_BODY if i == 69 else f"{_text(i, 70)}\n\n{_text(i + 5, 50)}\n"
        files[f"content/notes/{date:%Y-%m-%d}-table-{i + 1}.md"] = (
            f'---\ntitle: "{title}"\ndate: {date:%Y-%m-%d %H:%M}\n'
            f"tags: [{', '.join(_tags(i))}]\n{people}---\n{body}"
        )
    for i in range(45):  # shares
        date = start + timedelta(days=i * 23 + 4, hours=3)
        via = f"via: {PEOPLE[i % 8][0]}\n" if i % 3 == 0 else ""
        if i == 5:
            via = "via: https://elsewhere.example.com/a-friend-of-a-friend\n"
        title = f'title: "Why we still write to each other, part {i + 1}"\n'
        if i == 11:
            title = ""  # the share is then called by its domain
        if i == 44:
            title = f'title: "{LONG_WORD}"\n'
        files[f"content/shares/{date:%Y-%m-%d}-share-{i + 1}.md"] = (
            f"---\nlink: https://site{i % 7}.example.com/essays/{i + 1}\n{title}"
            f"date: {date:%Y-%m-%d %H:%M}\n{via}tags: [{TOPICS[(i + 2) % len(TOPICS)]}]\n---\n"
            f"{_text(i + 2, 45)}\n"
        )
    write_tree(root, files)
    _fill_store(root, now)
    return root


def _fill_store(root: Path, now: datetime) -> None:
    followed = [p for p in PEOPLE if p[3] and p[0] != QUIET_PERSON]
    (root / ".salon").mkdir(exist_ok=True)
    with FeedStore(root / ".salon" / "feeds.sqlite") as store:
        for n in range(130):
            pid, _, _, feeds, full, interests = followed[n % len(followed)]
            feed = f"https://{pid}.example.net/feed{(n // len(followed)) % feeds or ''}.xml"
            published = now - timedelta(hours=5 + n * 9)
            title = f"A dispatch from {pid.split('-')[0].title()}, number {n + 1}"
            if n == 3:
                title = "رسالة من الحديقة: عن البذور والصبر"  # right to left
            if n == 4:
                title = ""  # untitled: called by its summary
            if n == 6:
                title = LONG_WORD
            entry = FeedEntry(
                feed_url=feed,
                entry_id=f"{feed}#{n}",
                title=title,
                link=None if n == 9 else f"https://{pid}.example.net/posts/{n}/",
                published=published.astimezone(UTC),
                updated=published.astimezone(UTC),
                summary=_text(n, 40 if n % 5 else 12),
                content_html=(
                    f"<p>{_text(n, 60)}</p><h2>A heading of theirs</h2><p>{_text(n + 1, 40)}</p>"
                    if full
                    else ""
                ),
                categories=interests[:1],
            )
            store.upsert_entries(feed, [entry], now)
