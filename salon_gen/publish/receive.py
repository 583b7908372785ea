"""`salon mention --receive`: fetch the Webmentions a service collected for the site.

Shell. Owns `fetch_received`: one GET of salon.toml's `[webmention] api` (a jf2 feed, as
webmention.io's /api/mentions.jf2 serves it) with the token from the environment variable
`token_env` names, bounded like every fetch; the mentions `received.parse_jf2` keeps
(sanitized, checked to target this site, not hidden) are written to
`.salon/received.json`. The token is never written anywhere: not in the store, not in a
message. A failed fetch leaves the last good store as it was. Must not print.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from salon_gen.content import sources
from salon_gen.conversation import received
from salon_gen.core.errors import BuildFailed, Diagnostic
from salon_gen.following import fetch
from salon_gen.workspace import state

LIMITS = fetch.FetchLimits(total_timeout=60.0, max_bytes=5 * 1024 * 1024)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReceiveRound:
    mentions: tuple[received.Received, ...]
    skipped: tuple[str, ...]  # why each mention left out was left out


def fetch_received(root: Path, *, limits: fetch.FetchLimits = LIMITS) -> ReceiveRound:
    """Fetch, check and store the mentions received. Raises BuildFailed when no API is
    configured, the token is not set, or the fetch fails."""
    config, _ = sources.checked_config(root)
    options = config.webmention
    if not options.api:
        raise BuildFailed(
            [
                _problem(
                    "no [webmention] api to fetch mentions from",
                    'add: [webmention] api = "https://webmention.io/api/mentions.jf2"',
                )
            ]
        )
    token = os.environ.get(options.token_env, "")
    if not token:
        raise BuildFailed(
            [
                _problem(
                    f"the environment variable {options.token_env} is not set",
                    "set it to the API token of your Webmention service",
                )
            ]
        )
    url = options.api + ("&" if "?" in options.api else "?") + urlencode({"token": token})
    answer = fetch.fetch_one(
        fetch.FetchRequest(url=url, accept="application/jf2feed+json, application/json"), limits
    )
    if answer.body is None:
        error = (answer.error or "no answer").replace(token, "<token>")
        raise BuildFailed([_problem(f"cannot fetch the mentions from {options.api}: {error}")])
    mentions, skipped = received.parse_jf2(answer.body, config.base_url, options.hidden)
    received.save(state.StatePaths(root=root).dir / state.RECEIVED_FILE, mentions)
    return ReceiveRound(mentions=mentions, skipped=skipped)


def _problem(message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(path=sources.CONFIG_FILE, message=message, hint=hint)
