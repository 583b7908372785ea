"""Which Webmentions to send: the (source, target) pairs of the owner's published writing,
weighed against the record of what was sent before.

Pure. Owns `mention_sources` (each published note or share: its absolute URL, a digest of
what it says and the external URLs it links to), `plan_sends` (the pairs to send now) and
`record_round` (the record after a round). W3C Webmention §3.1.3 and §3.1.4: a new source
sends to every target; an updated one sends again to every target it has or had (a removed
link too, so the receiver can drop it); a deleted one sends again to every target it had
notified, and the receiver, fetching the source, finds it gone. Must not fetch, send or
touch the disk (`mention` does, `webmention_store` keeps the record).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import MappingProxyType
from typing import Literal

from salon_gen.core import urls
from salon_gen.core.model import Note, Site

Outcome = Literal["sent", "no-endpoint", "rejected", "refused", "failed"]
Reason = Literal["new", "changed", "deleted", "retry"]
# Only a failure that may pass (no answer, a 5xx) is tried again while the source stays the
# same; a page with no endpoint, an endpoint that said 4xx or a refused address are asked
# again only when the source changes.
RETRIED: frozenset[Outcome] = frozenset({"failed"})


def _empty_targets() -> Mapping[str, Sent]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """One published note or share, as a Webmention sender sees it."""

    url: str  # absolute URL of its page on the owner's site
    digest: str  # of what it says: a change means sending again
    targets: tuple[str, ...]  # external http(s) URLs it links to, in order, no repeats


@dataclass(frozen=True, slots=True, kw_only=True)
class Send:
    source: str
    target: str
    reason: Reason


@dataclass(frozen=True, slots=True, kw_only=True)
class Sent:
    """How the last Webmention for one (source, target) pair went."""

    outcome: Outcome
    at: str  # RFC 3339, UTC
    endpoint: str | None = None
    status: int | None = None
    detail: str | None = None  # for a person: why it failed or was refused


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRecord:
    digest: str
    deleted: bool = False
    targets: Mapping[str, Sent] = field(default_factory=_empty_targets)


Record = Mapping[str, SourceRecord]  # by source URL


def mention_sources(site: Site) -> tuple[Source, ...]:
    """Every published note and share of `site` with the external links it makes: in its
    body, the shared link and a `via` URL. Links to the owner's own site are not sent."""
    base = site.config.base_url
    return tuple(
        Source(
            url=urls.absolute(base, note.url),
            digest=_digest(note),
            targets=external_links(note, base),
        )
        for note in site.notes
    )


def external_links(note: Note, base_url: str) -> tuple[str, ...]:
    found: list[str] = []
    if note.link is not None:
        found.append(note.link.url)
    if note.via is not None and note.via.url:
        found.append(note.via.url)
    collector = _Hrefs()
    collector.feed(note.html)
    collector.close()
    found += collector.hrefs
    own = base_url.rstrip("/")
    kept = [
        url
        for url in found
        if urls.is_http_url(url) and url != own and not url.startswith(base_url)
    ]
    return tuple(dict.fromkeys(kept))


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = next((v for n, v in attrs if n == "href"), None)
            if href:
                self.hrefs.append(href.strip())


def _digest(note: Note) -> str:
    said = [
        note.title,
        note.html,
        note.link.url if note.link else None,
        note.via.url if note.via else None,
    ]
    return hashlib.sha256(json.dumps(said).encode("utf-8")).hexdigest()[:32]


def plan_sends(sources: Sequence[Source], record: Record) -> tuple[Send, ...]:
    """The Webmentions due: new sources' links, every link an updated source has or had,
    every notified link of a source no longer published, and retries of passing failures."""
    sends: list[Send] = []
    current = {s.url for s in sources}
    for source in sources:
        before = record.get(source.url)
        if before is None or before.deleted:
            sends += (Send(source=source.url, target=t, reason="new") for t in source.targets)
        elif before.digest != source.digest:
            targets = dict.fromkeys((*source.targets, *sorted(before.targets)))
            sends += (Send(source=source.url, target=t, reason="changed") for t in targets)
        else:
            sends += (
                Send(source=source.url, target=t, reason="retry")
                for t in source.targets
                if t not in before.targets or before.targets[t].outcome in RETRIED
            )
    for url in sorted(record):
        before = record[url]
        if url in current:
            continue
        for target in sorted(before.targets):
            outcome = before.targets[target].outcome
            # a deletion is told once to every target that heard of the source
            told = outcome in RETRIED if before.deleted else outcome == "sent"
            if told:
                sends.append(Send(source=url, target=target, reason="deleted"))
    return tuple(sends)


def record_round(
    record: Record, sources: Sequence[Source], results: Iterable[tuple[Send, Sent]]
) -> dict[str, SourceRecord]:
    """The record after a round: each current source with its digest and its targets' last
    outcomes (a removed link is forgotten once it was told); each source gone, marked
    deleted, with only the targets it told of its deletion or is still trying to."""
    done: dict[tuple[str, str], Sent] = {(s.source, s.target): sent for s, sent in results}
    out: dict[str, SourceRecord] = {}
    current = {s.url for s in sources}
    for source in sources:
        before = record.get(source.url)
        old = before.targets if before is not None and not before.deleted else {}
        targets: dict[str, Sent] = {}
        for target in source.targets:
            last = done.get((source.url, target)) or old.get(target)
            if last is not None:
                targets[target] = last
        out[source.url] = SourceRecord(digest=source.digest, targets=MappingProxyType(targets))
    for url, before in record.items():
        if url in current:
            continue
        kept = {
            target: done.get((url, target), last)
            for target, last in before.targets.items()
            if (url, target) in done or (before.deleted and last.outcome in RETRIED)
        }
        kept = {t: s for t, s in kept.items() if s.outcome in ("sent", *RETRIED)}
        if kept or not before.deleted:
            out[url] = SourceRecord(
                digest=before.digest, deleted=True, targets=MappingProxyType(kept)
            )
    return dict(sorted(out.items()))
