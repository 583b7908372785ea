"""Whether a note or page is published: every way Hugo, Jekyll, Pelican and WordPress say
"not (yet, any more)", and the old URLs that must keep working.

Pure. Owns the publication keys (`draft`, `published`, `status`, `private`, `publishDate`,
`expiryDate` and their aliases) and the alias keys (`aliases`, `redirect_from`,
`permalink`). A value it cannot read is an error, never a reason to publish. Must not decide
what is shown when: that is `Note.is_live` and `assemble`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from types import MappingProxyType
from urllib.parse import unquote, urlsplit

from salon_gen.content.fields import TRUTH, Fields, shown
from salon_gen.core.urls import is_http_url, safe_output_path, segment_problem
from salon_gen.text.frontmatter import parse_datetime

PUBLICATION_KEYS = frozenset(
    {
        "draft",
        "published",
        "status",
        "private",
        "publishdate",
        "pubdate",
        "expirydate",
        "unpublishdate",
    }
)
ALIAS_KEYS = ("aliases", "redirect_from", "permalink")  # old URLs that must keep working
_STATUS = MappingProxyType(
    {
        "published": "live",
        "publish": "live",
        "future": "live",  # WordPress: scheduled; the date decides
        "draft": "draft",
        "pending": "draft",  # WordPress: awaiting review
        "hidden": "draft",  # Pelican: built but listed nowhere; salon has no unlisted pages
        "skip": "private",  # Pelican: not processed at all
        "private": "private",
        "trash": "private",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Publication:
    draft: bool = False
    private: bool = False
    publish_date: datetime | None = None
    expires: datetime | None = None


def read_publication(reader: Fields, zone: tzinfo) -> Publication:
    """Every way Hugo, Jekyll, Pelican and WordPress say "not published (yet, any more)".
    A value salon cannot read is an error, never a reason to publish."""
    data = reader.fm.data
    draft = reader.flag("draft", False)
    private = reader.flag("private", False) if "private" in data else False
    publish_date: datetime | None = None
    published = data.get("published")
    if published is not None:
        if isinstance(published, bool) or (
            isinstance(published, str) and published.strip().lower() in TRUTH
        ):
            draft = draft or not reader.flag("published", True)  # Jekyll: published: false
        else:  # Hugo reads `published` as its publishDate
            try:
                publish_date = parse_datetime(published, zone)
            except ValueError:
                reader.error(
                    "published",
                    f"published: expected true, false or a date, got {shown(published)}",
                    hint="published: false keeps it unpublished; a date publishes it then",
                )
                draft = True
    for key in ("publishdate", "pubdate"):
        if key in data:
            publish_date = reader.when(key, zone, required=False) or publish_date
    expires = None
    for key in ("expirydate", "unpublishdate"):
        if key in data:
            expires = reader.when(key, zone, required=False) or expires
    status = data.get("status")
    if status is not None:
        meaning = _STATUS.get(str(status).strip().lower()) if isinstance(status, str) else None
        if meaning is None:
            reader.error(
                "status",
                f"status: unknown value {shown(status)}; refusing to guess whether to publish",
                hint="use draft, hidden, skip or published",
            )
            draft = True
        draft = draft or meaning == "draft"
        private = private or meaning == "private"
    return Publication(draft=draft, private=private, publish_date=publish_date, expires=expires)


def read_aliases(reader: Fields, own_url: str) -> tuple[str, ...]:
    """Old URLs (`aliases`, `redirect_from`, `permalink`) as safe site-relative paths.
    A full URL counts by its path: a redirect page can only live on this site."""
    found: dict[str, None] = {}
    for key in ALIAS_KEYS:
        for value in reader.words(key):
            path = urlsplit(value).path if is_http_url(value) else value
            path = unquote(path.split("#", 1)[0].split("?", 1)[0]).lstrip("/")
            if path and not safe_output_path(path.rstrip("/")):
                reader.error(
                    key,
                    f"{key}: '{value}' is not a path on this site",
                    hint="write old URLs as paths, e.g. /2019/03/05/old-title.html",
                )
                continue
            bad = next((q for part in path.split("/") if (q := segment_problem(part))), None)
            if bad is not None:
                reader.error(
                    key,
                    f"{key}: '{value[:60]}' cannot be written as a file: a part of it {bad}",
                    hint="leave this old URL out (a redirect there cannot be written)",
                )
                continue
            if path and path != own_url:
                found.setdefault(path, None)
    return tuple(found)
