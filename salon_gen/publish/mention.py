"""`salon mention`: send the Webmentions the owner's published writing owes, once each.

Shell. Owns discovering a target's endpoint over the network (`discover_endpoint`), sending
one Webmention (`send_webmention`) and a whole round (`send_mentions`): read the salon as
`salon build` does, keep the notes whose pages are in the output folder, plan against the
record in `.salon/`, send, save the record. Politeness: every request is bounded by
`fetch.FetchLimits` (timeouts, a size cap on the page read for discovery), and no request
goes from a public page into a private network: a public site's note linking a private
address, or a public target naming a private endpoint, is refused. Must not print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from salon_gen.conversation import sent as webmention_store
from salon_gen.conversation import targets
from salon_gen.conversation.discover import find_endpoint
from salon_gen.conversation.targets import Send, Sent
from salon_gen.core import urls
from salon_gen.core.errors import BuildFailed, Diagnostic, has_errors
from salon_gen.core.model import Site
from salon_gen.following import fetch
from salon_gen.workspace import state

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
# A page read only for its endpoint: the head of a real page is well under this.
PAGE_LIMITS = fetch.FetchLimits(
    connect_timeout=10.0, read_timeout=15.0, total_timeout=30.0, max_bytes=2 * 1024 * 1024
)
POST_LIMITS = fetch.FetchLimits(
    connect_timeout=10.0, read_timeout=15.0, total_timeout=30.0, max_bytes=64 * 1024
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """What discovery found for one target: the endpoint, or why there is none."""

    target: str
    endpoint: str | None
    outcome: targets.Outcome | None = None  # set when there is no endpoint to use
    detail: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MentionRound:
    results: tuple[tuple[Send, Sent], ...]
    sources: int  # published notes and shares looked at

    def count(self, outcome: targets.Outcome) -> int:
        return sum(1 for _, sent in self.results if sent.outcome == outcome)

    def summary(self) -> str:
        if not self.results:
            return f"no Webmentions due ({self.sources} notes and shares looked at)"
        parts = [
            f"{n} {name}"
            for name in ("sent", "no-endpoint", "rejected", "refused", "failed")
            if (n := self.count(name))
        ]
        return f"{len(self.results)} Webmentions: " + ", ".join(parts)


def discover_endpoint(target: str, limits: fetch.FetchLimits = PAGE_LIMITS) -> Endpoint:
    """Fetch `target` (redirects followed) and find its Webmention endpoint, resolved
    against the final URL (W3C Webmention §3.1.2)."""
    page = fetch.fetch_one(fetch.FetchRequest(url=target, accept=PAGE_ACCEPT), limits)
    if page.status is None or page.status >= 500:
        return Endpoint(target=target, endpoint=None, outcome="failed", detail=page.error)
    if page.status != 200:
        return Endpoint(target=target, endpoint=None, outcome="no-endpoint", detail=page.error)
    found = find_endpoint(page.final_url, page.links, page.body, page.content_type)
    if found is None:
        return Endpoint(target=target, endpoint=None, outcome="no-endpoint")
    if not urls.is_http_url(found):
        return Endpoint(
            target=target,
            endpoint=None,
            outcome="refused",
            detail=f"the endpoint is not an http(s) URL: {found}",
        )
    if fetch.is_private_url(found) and not fetch.is_private_url(page.final_url):
        # Webmention §4.3 (security): a public page must not make us POST into the
        # owner's own network.
        return Endpoint(
            target=target,
            endpoint=None,
            outcome="refused",
            detail=f"a public page names an endpoint in a private network: {found}",
        )
    return Endpoint(target=target, endpoint=found)


def send_webmention(
    source: str,
    target: str,
    *,
    now: datetime,
    page_limits: fetch.FetchLimits = PAGE_LIMITS,
    post_limits: fetch.FetchLimits = POST_LIMITS,
) -> Sent:
    """Discover `target`'s endpoint and POST source=`source`&target=`target` to it (the
    endpoint's own query string kept). Never raises: the outcome says how it went."""
    at = now.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if fetch.is_private_url(target) and not fetch.is_private_url(source):
        return Sent(
            outcome="refused",
            at=at,
            detail=f"a public page's link into a private network is not followed: {target}",
        )
    found = discover_endpoint(target, page_limits)
    if found.endpoint is None:
        return Sent(outcome=found.outcome or "no-endpoint", at=at, detail=found.detail)
    answer = fetch.post_form(found.endpoint, [("source", source), ("target", target)], post_limits)
    status = answer.status
    if status is not None and 200 <= status < 300:
        outcome: targets.Outcome = "sent"
    elif status is not None and 400 <= status < 500 and status not in (408, 429):
        outcome = "rejected"  # §3.2.3: the receiver said no; asking again will not help
    else:
        outcome = "failed"
    return Sent(outcome=outcome, at=at, endpoint=found.endpoint, status=status, detail=answer.error)


def published_site(root: Path, now: datetime) -> tuple[Site, Path, tuple[Diagnostic, ...]]:
    """The salon at `root` as `salon build` (no drafts) sees it at `now`, and its output
    folder. Raises BuildFailed when the salon has errors or was never built."""
    from salon_gen.content import sources
    from salon_gen.pipeline import stages

    config, diags = sources.checked_config(root)
    tree, problems = sources.read_content(root)
    files = stages.content_files(tree)
    zone = stages.config_zone(config)
    paths = state.StatePaths(root=root)
    parsed, _, general = stages.parse_sources(files, config, zone, paths, 1, cached=False)
    found = [*diags, *problems, *general, *(d for p in parsed for d in p.diagnostics)]
    assembled = stages.assemble_site(
        config, parsed, tree.statics, (), now=now, drafts=False, resources=tree.resources
    )
    found += assembled.diagnostics
    if has_errors(found):
        raise BuildFailed(found)
    out = Path(config.output_dir)
    out = (out if out.is_absolute() else root / out).resolve()
    if not out.is_dir():
        raise BuildFailed(
            [
                Diagnostic(
                    path=sources.CONFIG_FILE,
                    message=f"no site in {out} to send Webmentions for",
                    hint="run `salon build` (and publish the site) first",
                )
            ]
        )
    return assembled.site, out, tuple(d for d in found if d.severity == "warning")


def send_mentions(
    root: Path,
    *,
    now: datetime,
    send: Callable[[str, str], Sent] | None = None,
    dry_run: bool = False,
) -> MentionRound:
    """One round of `salon mention`: every Webmention due for the published site at `root`,
    sent (unless `dry_run`) and recorded in `.salon/webmentions.json`. Only notes whose page
    is in the output folder count as published. `send(source, target)` defaults to
    `send_webmention`."""
    site, out, _ = published_site(root, now)
    live = tuple(n for n in site.notes if (out / urls_path(n.url)).is_file())
    sources = targets.mention_sources(replace(site, notes=live))
    path = state.StatePaths(root=root).dir / webmention_store.FILE
    record = webmention_store.load(path)
    due = targets.plan_sends(sources, record)
    if dry_run:
        at = now.astimezone(UTC).isoformat()
        return MentionRound(
            results=tuple((s, Sent(outcome="failed", at=at, detail="dry run")) for s in due),
            sources=len(sources),
        )
    do = send or (lambda source, target: send_webmention(source, target, now=now))
    results: list[tuple[Send, Sent]] = []
    try:
        for item in due:
            results.append((item, do(item.source, item.target)))
    finally:  # what was sent stays sent, even if the round is cut short
        webmention_store.save(path, _after(record, sources, due, results))
    return MentionRound(results=tuple(results), sources=len(sources))


def urls_path(note_url: str) -> str:
    """The output file of a note's page: "notes/x/" -> "notes/x/index.html"."""
    path = urlsplit(note_url).path.lstrip("/")
    return path + "index.html" if path.endswith("/") or not path else path


def _after(
    record: targets.Record,
    sources: tuple[targets.Source, ...],
    due: tuple[Send, ...],
    results: list[tuple[Send, Sent]],
) -> dict[str, targets.SourceRecord]:
    """The record after a round, even one cut short: a source with sends still pending
    keeps its old entry, so they are due again next time."""
    pending = {s.source for s in due[len(results) :]}
    new = targets.record_round(
        {url: entry for url, entry in record.items() if url not in pending},
        [s for s in sources if s.url not in pending],
        [(s, sent) for s, sent in results if s.source not in pending],
    )
    return dict(sorted((new | {u: record[u] for u in pending if u in record}).items()))
