"""Interests: one name for every spelling of a topic.

Owns how a tag, a person's declared interest or a followed entry's category becomes an
interest: its slug, then the owner's aliases from `[interests] aliases` in salon.toml
("ml" and "machine learning" both become "machine-learning"). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from .urls import slugify


def canonical(name: str, aliases: Mapping[str, str]) -> str:
    """The interest `name` belongs to, as a slug ("" when nothing sluggable is left).

    `aliases` maps the slug of a spelling to the slug of its interest, as parsed from
    salon.toml (`Config.interests.aliases`)."""
    slug = slugify(name)
    return aliases.get(slug, slug)
