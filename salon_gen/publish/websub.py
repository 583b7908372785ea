"""`salon ping`: tell the WebSub hub which of the site's feeds changed since the last ping.

Shell. Owns `ping_hub`: the feeds in the output folder are hashed; each whose bytes differ
from the last successful ping (kept in `.salon/websub.json`), or all of them when the hub
changed, is announced to the hub with a form POST of hub.mode=publish and hub.url=<the
feed's URL>, the de-facto publish request hubs accept (W3C WebSub §5 leaves publishing to
the hub; Google's and Superfeedr's hubs take this form). A feed is recorded only once its
hub answered 2xx, so a failed ping is made again next time. Must not print.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from salon_gen.content import sources
from salon_gen.core import urls
from salon_gen.core.errors import BuildFailed, Diagnostic
from salon_gen.core.model import FetchResult
from salon_gen.following import fetch
from salon_gen.workspace import state

FILE = "websub.json"
# Every feed `syndication.render_feeds` writes that a hub can carry (not the OPML blogroll).
FEED_GLOBS = ("feed.xml", "rss.xml", "feed.json", "shares/feed.xml", "interests/*/feed.xml")
LIMITS = fetch.FetchLimits(
    connect_timeout=10.0, read_timeout=15.0, total_timeout=30.0, max_bytes=64 * 1024
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ping:
    feed: str  # the feed's absolute URL
    status: int | None
    error: str | None  # None: the hub took it


@dataclass(frozen=True, slots=True, kw_only=True)
class PingRound:
    hub: str
    pings: tuple[Ping, ...]
    feeds: int  # feeds looked at

    def summary(self) -> str:
        ok = sum(1 for p in self.pings if p.error is None)
        if not self.pings:
            return f"no feed changed since the last ping ({self.feeds} feeds)"
        failed = len(self.pings) - ok
        return f"pinged {self.hub} for {ok} changed feeds" + (
            f", {failed} failed" if failed else ""
        )


def feed_digests(output: Path, base_url: str) -> dict[str, str]:
    """feed URL -> a digest of its bytes, for every feed file in `output`."""
    found: dict[str, str] = {}
    for pattern in FEED_GLOBS:
        for path in sorted(output.glob(pattern)):
            if path.is_file():
                rel = path.relative_to(output).as_posix()
                found[urls.absolute(base_url, rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def changed_feeds(
    digests: Mapping[str, str], last: Mapping[str, str], *, hub_changed: bool
) -> tuple[str, ...]:
    """The feeds to announce: all when the hub is new, else those whose bytes changed."""
    return tuple(url for url, d in digests.items() if hub_changed or last.get(url) != d)


def publish(hub: str, feed_url: str, limits: fetch.FetchLimits = LIMITS) -> FetchResult:
    """One publish ping: POST hub.mode=publish&hub.url=`feed_url` to `hub`."""
    return fetch.post_form(hub, [("hub.mode", "publish"), ("hub.url", feed_url)], limits)


def ping_hub(
    root: Path,
    *,
    output: Path | None = None,
    post: Callable[[str, str], FetchResult] | None = None,
) -> PingRound:
    """Announce to salon.toml's `hub` each feed of the built site (in `output`, else the
    configured output folder) that changed since the last ping. Raises BuildFailed when no
    hub is configured or the site was never built. `post(hub, feed_url)` defaults to
    `publish`."""
    config, _ = sources.checked_config(root)
    if not config.hub:
        raise BuildFailed(
            [
                Diagnostic(
                    path=sources.CONFIG_FILE,
                    message="no WebSub hub to ping",
                    hint='name one in salon.toml: hub = "https://hub.example.org/"',
                )
            ]
        )
    out = output if output is not None else Path(config.output_dir)
    out = (out if out.is_absolute() else root / out).resolve()
    digests = feed_digests(out, config.base_url) if out.is_dir() else {}
    if not digests:
        raise BuildFailed(
            [
                Diagnostic(
                    path=sources.CONFIG_FILE,
                    message=f"no feeds in {out} to announce",
                    hint="run `salon build` first",
                )
            ]
        )
    path = state.StatePaths(root=root).dir / FILE
    last_hub, last_feeds = _load(path)
    hub_changed = last_hub != config.hub
    known: dict[str, str] = {} if hub_changed else last_feeds
    send = post or publish
    pings: list[Ping] = []
    try:
        for feed in changed_feeds(digests, known, hub_changed=hub_changed):
            answer = send(config.hub, feed)
            pings.append(Ping(feed=feed, status=answer.status, error=answer.error))
            if answer.error is None:
                known[feed] = digests[feed]
    finally:
        _save(path, {"hub": config.hub, "feeds": dict(sorted(known.items()))})
    return PingRound(hub=config.hub, pings=tuple(pings), feeds=len(digests))


def _load(path: Path) -> tuple[str | None, dict[str, str]]:
    """The hub last pinged and the feeds it was told of; unknown (nothing) when the file is
    missing or unreadable: every feed is announced again, which costs the hub little."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        hub, feeds = data["hub"], data["feeds"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, {}
    if not isinstance(hub, str) or not isinstance(feeds, dict):
        return None, {}
    return hub, {str(k): str(v) for k, v in feeds.items()}


def _save(path: Path, data: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
