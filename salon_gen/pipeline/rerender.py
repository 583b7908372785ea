"""Which pages a rebuild must render again, from what each page read the last time.

Pure. Owns `PageRecord` (what a page was rendered from) and the rule: a page is rendered
again when it is new, its template or <head> changed, it used a template that changed, the
public people changed, or a field its template read (of its variables or of `site`) changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from salon_gen.pipeline.depends import FrozenReads, same

if TYPE_CHECKING:
    from salon_gen.core.model import Site
    from salon_gen.pipeline.render import PageJob, PageMeta


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRecord:
    """What a page was rendered from, to tell whether it must be rendered again."""

    template: str
    meta: PageMeta
    variables: Mapping[str, Any]
    reads: FrozenReads | None  # the fields its template read; None: it may show anything


def pages_to_render(
    site: Site,
    before: Site,
    pages: Mapping[str, PageRecord],
    jobs: Sequence[PageJob],
    templates: frozenset[str],
) -> list[PageJob]:
    """The pages whose output may differ from what the output folder holds: a new page, a
    new template or <head>, a page that used one of the changed `templates`, or a change in
    a field the page's template read, whether of its own variables or of `site`."""
    if site.people != before.people:  # people_by_id: what a page reads of it is not kept
        return list(jobs)
    site_same: dict[FrozenReads, bool] = {}
    out: list[PageJob] = []
    for job in jobs:
        p = pages.get(job.output)
        if (
            p is None
            or p.reads is None
            or p.template != job.template
            or p.meta != job.meta
            or (templates and p.reads.uses_template(templates))
        ):
            out.append(job)
            continue
        if p.variables != job.variables and not same(p.variables, job.variables, p.reads):
            out.append(job)
            continue
        unchanged = site_same.get(p.reads)
        if unchanged is None:
            unchanged = site_same[p.reads] = same(before, site, p.reads)
        if not unchanged:
            out.append(job)
    return out


def described(
    jobs: Sequence[PageJob],
    reads: Mapping[str, FrozenReads | None],
    before: Mapping[str, PageRecord] | None,
) -> dict[str, PageRecord]:
    """What each page now in the output was rendered from: this rebuild's record for the
    pages it rendered, the previous one for the rest (still true: nothing they read changed)."""
    pages: dict[str, PageRecord] = {}
    for job in jobs:
        if job.output in reads:
            pages[job.output] = PageRecord(
                template=job.template,
                meta=job.meta,
                variables=job.variables,
                reads=reads[job.output],
            )
        elif before is not None:
            pages[job.output] = before[job.output]
    return pages
