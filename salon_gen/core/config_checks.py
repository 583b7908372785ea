"""What each salon.toml value must be: the value checks, and `SCHEMA`, one row per key."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from salon_gen.core.config_schema import (
    BOOLEAN,
    INTEGER,
    NAMED_STRINGS,
    STRING,
    STRINGS,
    Check,
    Key,
    Problem,
    Table,
    show_value,
    toml_key,
)
from salon_gen.core.durations import parse_duration
from salon_gen.core.errors import did_you_mean
from salon_gen.core.model import (
    Author,
    Config,
    DeployOptions,
    FeedOptions,
    FetchOptions,
    InterestOptions,
    ReadingOptions,
    WebmentionOptions,
)
from salon_gen.core.urls import interest_slug, is_http_url, segment_problem, slugify

# --- value checks -------------------------------------------------------------------------


def _non_empty(value: str) -> Problem | None:
    return None if value.strip() else Problem(message="must not be empty")


def _url_hint(value: str) -> str | None:
    """For "example.org/blog" or "ftp://example.org/": the https URL probably meant."""
    if re.match(r"^(?:[\w-]+\.)+[a-zA-Z]{2,}(?::\d+)?(?:/\S*)?$", value):
        return f"did you mean {show_value('https://' + value)}?"
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.netloc and parts.scheme.lower() not in ("http", "https"):
        # Another scheme with a host (ftp://, ws://); "javascript:" and friends have none.
        return f"did you mean {show_value('https://' + value.split('://', 1)[-1])}?"
    return None


def _http_url(value: str) -> Problem | None:
    if is_http_url(value):
        return None
    return Problem(
        message=f"expected an http or https URL, got {show_value(value)}", hint=_url_hint(value)
    )


def _base_url(value: str) -> Problem | None:
    if problem := _http_url(value):
        return problem
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return Problem(message=f"has an invalid port: {show_value(value)}")
    if "?" in value or "#" in value:
        clean = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        return Problem(
            message="must not have a query (?) or fragment (#)",
            hint=f"did you mean {show_value(clean)}?",
        )
    if parts.username is not None or parts.password is not None:
        # Every link on the site is built from base_url: credentials would be published.
        return Problem(message="must not contain a user name or password")
    return None


def _normalize_base_url(value: str) -> str:
    # Scheme and host are case-insensitive (RFC 3986 §6.2.2.1); lower case keeps feed ids stable.
    parts = urlsplit(value)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def _identity(value: str) -> Problem | None:
    if is_http_url(value) or re.match(r"^mailto:[^@\s]+@[^@\s]+$", value):
        return None
    return Problem(
        message=f"expected an http(s) or mailto: URL, got {show_value(value)}",
        hint=_url_hint(value),
    )


def _language(value: str) -> Problem | None:
    # BCP 47, loosely: a 2-3 letter language, then subtags (script, region, variant).
    if re.match(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$", value):
        return None
    fixed = value.replace("_", "-")
    hint = f"did you mean {show_value(fixed)}?" if fixed != value and not _language(fixed) else None
    return Problem(
        message=f'expected a language tag like "en" or "pt-BR", got {show_value(value)}', hint=hint
    )


def _timezone(value: str) -> Problem | None:
    message = f"unknown time zone {show_value(value)}"
    if value == "localtime":
        # Valid on most machines, but means a different zone on each: builds would differ.
        return Problem(message=message, hint='name the zone, such as "Europe/London"')
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        names = available_timezones()
        same_case = [n for n in names if n.lower() == value.lower()]
        hint = f"did you mean '{same_case[0]}'?" if same_case else did_you_mean(value, names)
        return Problem(message=message, hint=hint or 'use an IANA name, such as "Europe/London"')
    return None


_FOLDER_NAME = re.compile(r"[A-Za-z0-9_-]+")


def _theme(value: str) -> Problem | None:
    if _FOLDER_NAME.fullmatch(value):
        return None
    last = re.split(r"[/\\]", value.rstrip("/\\"))[-1]  # "themes/mine" -> "mine"
    hint = f"did you mean {show_value(last)}?" if _FOLDER_NAME.fullmatch(last) else None
    return Problem(
        message=f"expected a folder name under themes/, got {show_value(value)}",
        hint=hint or 'use only letters, digits, "-" and "_"',
    )


# Folders (and the file) of the salon that the build must never replace with the site.
_RESERVED_OUTPUT = frozenset({"content", "themes", "private", ".salon", "salon.toml"})


def _output_dir(value: str) -> Problem | None:
    if re.match(r"^(?:[/\\]|[A-Za-z]:[/\\])", value):
        return None  # absolute: the owner chose a place outside the salon folder
    segments = [s for s in re.split(r"[/\\]", value) if s not in ("", ".")]
    if ".." in segments:
        return Problem(message=f'must not contain "..", got {show_value(value)}')
    if not segments:
        return Problem(message="cannot be the salon folder itself")
    if segments[0].lower() in _RESERVED_OUTPUT:
        return Problem(
            message=f"would overwrite the salon's own {show_value(segments[0])}", hint='use "site"'
        )
    return None


def _env_name(value: str) -> Problem | None:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        return None
    # The token itself must never be written in salon.toml, which may be published.
    return Problem(
        message=f"expected the name of an environment variable, got {show_value(value)}",
        hint='put the token in the environment and name it here: token_env = "WEBMENTION_TOKEN"',
    )


def _email(value: str) -> Problem | None:
    if re.match(r"^[^@\s]+@[^@\s]+$", value) and not value.startswith("mailto:"):
        return None
    hint = f"did you mean {show_value(value[7:])}?" if value.startswith("mailto:") else None
    return Problem(message=f"expected an email address, got {show_value(value)}", hint=hint)


def _avatar(value: str) -> Problem | None:
    # "//host/x" starts with "/" but is a protocol-relative URL to another site.
    if (value.startswith("/") and not value.startswith("//")) or is_http_url(value):
        return None
    if value.startswith("//"):
        hint = f"did you mean {show_value('https:' + value)}?"
    elif re.match(r"^[\w.-]+/", value):
        hint = f"did you mean {show_value('/' + value)}?"
    else:
        hint = 'a site path starts with "/", like "/static/me.jpg"'
    return Problem(
        message=f"expected a site path or http(s) URL, got {show_value(value)}", hint=hint
    )


_TARGET = re.compile(r"(folder|rsync|git):(.+)", re.DOTALL)


def deploy_target_problem(value: str) -> Problem | None:
    """What is wrong with a deploy target (`[deploy] target`, `salon deploy --to`)."""
    hint = 'write "folder:/srv/www", "rsync:me@host:/var/www/salon/" or "git:gh-pages"'
    found = _TARGET.fullmatch(value)
    if found is None:
        return Problem(message=f"expected KIND:WHERE, got {show_value(value)}", hint=hint)
    kind, where = found.groups()
    if where.startswith("-") or any(c in where for c in "\0\n\r"):
        return Problem(message=f"{show_value(value)} is not a place to deploy to", hint=hint)
    if kind == "rsync" and ":" not in where and not where.startswith("/"):
        return Problem(
            message=f"expected HOST:PATH or an absolute path, got {show_value(where)}", hint=hint
        )
    if kind == "git" and (not re.fullmatch(r"[A-Za-z0-9._/-]+", where) or ".." in where):
        return Problem(message=f"{show_value(where)} is not a branch name", hint='e.g. "gh-pages"')
    return None


def _between(low: int, high: int) -> Check:
    def check(value: int) -> Problem | None:
        ok = low <= value <= high
        return None if ok else Problem(message=f"must be between {low} and {high}, got {value}")

    return check


def _duration(minimum: timedelta) -> Check:
    def check(value: str) -> Problem | None:
        try:
            length = parse_duration(value)
        except ValueError as e:
            return Problem(message=str(e), hint='write e.g. "1 hour", "30 minutes", "1 day"')
        if length < minimum:
            return Problem(
                message=f"{value!r} is too often: be polite to the people you follow",
                hint=f"poll at most every {int(minimum.total_seconds() // 60)} minutes",
            )
        return None

    return check


def _sluggable(value: str) -> Problem | None:
    if not slugify(value):
        return Problem(message=f"{show_value(value)} has no letters or digits")
    if problem := segment_problem(interest_slug(value)):
        return Problem(
            message=f"names the folder interests/{interest_slug(value)[:40]}/, which {problem}",
            hint="use another word for it",
        )
    return None


def _alias_problems(aliases: Mapping[str, tuple[str, ...]]) -> Iterator[tuple[str, Problem]]:
    """Spellings that would make an interest ambiguous: each spelling names one interest, and
    an interest is never itself a spelling of another (no chains to follow)."""
    interests: dict[str, str] = {}  # slug of an interest -> its name as written
    for name in aliases:
        first = interests.setdefault(interest_slug(name), name)
        if first != name:
            yield (
                name,
                Problem(
                    message=f"is the same interest as {show_value(first)}",
                    hint=f"list all its spellings on one line: {toml_key(first)} = [...]",
                ),
            )
    owner: dict[str, str] = {}  # slug of a spelling -> the interest it was first listed under
    for name, spellings in aliases.items():
        for spelling in spellings:
            slug = interest_slug(spelling)
            if slug == interest_slug(name) or owner.get(slug) == name:
                continue  # the interest's own name, or a repeat: harmless
            if slug in interests:
                other = interests[slug]
                yield (
                    name,
                    Problem(
                        message=f"{show_value(spelling)} is itself an interest with aliases",
                        hint=f"list every spelling under one name: merge {toml_key(name)} and "
                        f"{toml_key(other)} into one line",
                    ),
                )
            elif slug in owner:
                yield (
                    name,
                    Problem(
                        message=f"{show_value(spelling)} is already a spelling of "
                        f"{show_value(owner[slug])}",
                        hint="a spelling can belong to one interest only: remove it from one line",
                    ),
                )
            else:
                owner[slug] = name


def _normalize_aliases(aliases: Mapping[str, tuple[str, ...]]) -> Mapping[str, str]:
    """The slug of each spelling -> the slug of its interest (the shape interests.py uses)."""
    pairs = {
        interest_slug(s): interest_slug(name)
        for name, spellings in aliases.items()
        for s in spellings
    }
    return MappingProxyType({k: v for k, v in sorted(pairs.items()) if k != v})


def _alias_hint(name: str, value: Any) -> str | None:
    if isinstance(value, str) and slugify(value):
        # `ml = "machine-learning"` reads as "ml means machine-learning": turn it around.
        return f"name the interest, then its spellings: {toml_key(value)} = [{show_value(name)}]"
    return f'write an array of strings: {toml_key(name)} = ["another spelling"]'


SCHEMA = Table(
    name="",
    make=Config,
    entries=(
        Key(name="title", kind=STRING, required=True, check=_non_empty, example='"My Salon"'),
        Key(
            name="base_url",
            kind=STRING,
            required=True,
            check=_base_url,
            normalize=_normalize_base_url,
            example='"https://example.org/"',
        ),
        Key(name="description", kind=STRING, example='"Notes, links and friends"'),
        Key(name="language", kind=STRING, check=_language, example='"en"'),
        Key(name="timezone", kind=STRING, check=_timezone, example='"Europe/London"'),
        Key(
            name="identities", kind=STRINGS, check=_identity, example='["https://example.org/@me"]'
        ),
        Key(name="theme", kind=STRING, check=_theme, example='"mytheme"'),
        Key(name="output_dir", kind=STRING, check=_output_dir, example='"site"'),
        Key(name="search", kind=BOOLEAN, example="true"),
        Key(name="hub", kind=STRING, check=_http_url, example='"https://hub.example.org/"'),
        Table(
            name="author",
            make=Author,
            required=True,
            entries=(
                Key(
                    name="name", kind=STRING, required=True, check=_non_empty, example='"Your Name"'
                ),
                Key(
                    name="url", kind=STRING, check=_http_url, example='"https://example.org/about/"'
                ),
                Key(name="email", kind=STRING, check=_email, example='"me@example.org"'),
                Key(name="avatar", kind=STRING, check=_avatar, example='"/static/me.jpg"'),
            ),
        ),
        Table(
            name="feeds",
            make=FeedOptions,
            entries=(
                Key(name="items", kind=INTEGER, check=_between(1, 1000), example="20"),
                Key(name="full_content", kind=BOOLEAN, example="true"),
            ),
        ),
        Table(
            name="fetch",
            make=FetchOptions,
            entries=(
                Key(
                    name="interval",
                    kind=STRING,
                    check=_duration(timedelta(minutes=5)),
                    normalize=parse_duration,
                    example='"1 hour"',
                ),
                Key(name="concurrency", kind=INTEGER, check=_between(1, 64), example="8"),
                Key(name="timeout", kind=INTEGER, check=_between(1, 600), example="60"),
                Key(name="max_size_mb", kind=INTEGER, check=_between(1, 200), example="10"),
            ),
        ),
        Table(
            name="reading",
            make=ReadingOptions,
            entries=(Key(name="per_page", kind=INTEGER, check=_between(5, 500), example="50"),),
        ),
        Table(
            name="deploy",
            make=DeployOptions,
            entries=(
                Key(
                    name="target",
                    kind=STRING,
                    check=deploy_target_problem,
                    example='"git:gh-pages"',
                ),
                Key(name="repository", kind=STRING, check=_non_empty, example='"."'),
            ),
        ),
        Table(
            name="interests",
            make=InterestOptions,
            hint='spellings go in [interests.aliases]: machine-learning = ["ml"]',
            entries=(
                Key(
                    name="aliases",
                    kind=NAMED_STRINGS,
                    check=_sluggable,
                    relate=_alias_problems,
                    normalize=_normalize_aliases,
                    item_hint=_alias_hint,
                    example='{ machine-learning = ["ml", "machine learning"] }',
                ),
            ),
        ),
        Table(
            name="webmention",
            make=WebmentionOptions,
            entries=(
                Key(
                    name="endpoint",
                    kind=STRING,
                    check=_http_url,
                    example='"https://webmention.io/example.org/webmention"',
                ),
                Key(
                    name="api",
                    kind=STRING,
                    check=_http_url,
                    example='"https://webmention.io/api/mentions.jf2"',
                ),
                Key(name="token_env", kind=STRING, check=_env_name, example='"WEBMENTION_TOKEN"'),
                Key(name="hidden", kind=STRINGS, check=_http_url, example='["https://..."]'),
            ),
        ),
    ),
)
