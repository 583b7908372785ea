"""The record of Webmentions sent, kept in `.salon/webmentions.json`.

Shell. Owns reading and writing the record that `webmention.plan_sends` weighs: JSON, one
entry per source URL, written whole to a temporary file and renamed, so a crash leaves the
old record or the new, never half of one. A record that cannot be read is an error, not an
empty record: starting over would send every Webmention again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from salon_gen.conversation.targets import Outcome, Record, Sent, SourceRecord
from salon_gen.core.errors import BuildFailed, Diagnostic

FILE = "webmentions.json"
VERSION = 1


def load(path: Path) -> dict[str, SourceRecord]:
    """The record at `path`; empty when there is none yet. Raises BuildFailed when the file
    is there but is not a record salon wrote."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(text)
        if data.get("version") != VERSION:
            raise ValueError(f"version {data.get('version')!r}, expected {VERSION}")
        return {url: _source(entry) for url, entry in data["sources"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BuildFailed(
            [
                Diagnostic(
                    path=str(path),
                    message=f"cannot read the record of Webmentions sent ({exc})",
                    hint="restore it from a backup; deleting it sends every Webmention again",
                )
            ]
        ) from None


def save(path: Path, record: Record) -> None:
    data = {
        "version": VERSION,
        "sources": {
            url: {
                "digest": entry.digest,
                "deleted": entry.deleted,
                "targets": {t: _sent_json(s) for t, s in sorted(entry.targets.items())},
            }
            for url, entry in sorted(record.items())
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _source(entry: dict[str, Any]) -> SourceRecord:
    targets = {t: _sent(s) for t, s in entry["targets"].items()}
    return SourceRecord(
        digest=str(entry["digest"]),
        deleted=bool(entry["deleted"]),
        targets=MappingProxyType(targets),
    )


def _sent(entry: dict[str, Any]) -> Sent:
    outcome = entry["outcome"]
    if outcome not in ("sent", "no-endpoint", "rejected", "refused", "failed"):
        raise ValueError(f"unknown outcome {outcome!r}")
    return Sent(
        outcome=cast(Outcome, outcome),
        at=str(entry["at"]),
        endpoint=entry.get("endpoint"),
        status=entry.get("status"),
        detail=entry.get("detail"),
    )


def _sent_json(sent: Sent) -> dict[str, Any]:
    out: dict[str, Any] = {"outcome": sent.outcome, "at": sent.at}
    for key in ("endpoint", "status", "detail"):
        value = getattr(sent, key)
        if value is not None:
            out[key] = value
    return out
