"""Sending Webmentions: the pure plan (tables of record and sources), then whole rounds of
`send_mentions` on a built salon whose notes link pages on a loopback "friend" server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import pytest

from salon_gen.conversation.sent import load, save
from salon_gen.conversation.targets import (
    Send,
    Sent,
    Source,
    SourceRecord,
    plan_sends,
    record_round,
)
from salon_gen.core.errors import BuildFailed
from salon_gen.pipeline.build import BuildOptions, build
from salon_gen.publish.mention import send_mentions
from tests.mentionserver import Web, serve_web

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
AT = "2026-11-22T12:00:00Z"
SITE = "http://127.0.0.1:9/"  # a loopback salon: its notes may mention loopback pages


def _sent(outcome: str = "sent") -> Sent:
    return Sent(outcome=outcome, at=AT)  # type: ignore[arg-type]


def _rec(digest: str, targets: dict[str, str], deleted: bool = False) -> SourceRecord:
    return SourceRecord(
        digest=digest,
        deleted=deleted,
        targets=MappingProxyType({t: _sent(o) for t, o in targets.items()}),
    )


# --- the plan --------------------------------------------------------------------------------


def test_a_new_source_sends_to_every_target() -> None:
    sources = [Source(url="s", digest="d1", targets=("a", "b"))]
    assert plan_sends(sources, {}) == (
        Send(source="s", target="a", reason="new"),
        Send(source="s", target="b", reason="new"),
    )


def test_an_unchanged_source_sends_nothing_but_retries_passing_failures() -> None:
    sources = [Source(url="s", digest="d1", targets=("a", "b", "c", "d"))]
    record = {"s": _rec("d1", {"a": "sent", "b": "no-endpoint", "c": "failed", "d": "rejected"})}
    assert plan_sends(sources, record) == (Send(source="s", target="c", reason="retry"),)


def test_a_changed_source_sends_to_what_it_links_and_what_it_linked() -> None:
    sources = [Source(url="s", digest="d2", targets=("b", "c"))]
    record = {"s": _rec("d1", {"a": "sent", "b": "no-endpoint"})}
    assert [(s.target, s.reason) for s in plan_sends(sources, record)] == [
        ("b", "changed"),
        ("c", "changed"),
        ("a", "changed"),  # removed: told, so it can drop the mention
    ]


def test_a_deleted_source_tells_the_targets_that_heard_of_it_once() -> None:
    record = {"s": _rec("d1", {"a": "sent", "b": "no-endpoint", "c": "failed"})}
    due = plan_sends([], record)
    assert due == (Send(source="s", target="a", reason="deleted"),)
    after = record_round(record, [], [(due[0], _sent())])
    assert after == {"s": _rec("d1", {"a": "sent"}, deleted=True)}
    assert plan_sends([], after) == ()
    assert record_round(after, [], []) == {}  # told: forgotten


def test_a_failed_deletion_notice_is_tried_again() -> None:
    record = {"s": _rec("d1", {"a": "sent"})}
    due = plan_sends([], record)
    after = record_round(record, [], [(due[0], _sent("failed"))])
    assert plan_sends([], after) == (Send(source="s", target="a", reason="deleted"),)


def test_a_source_that_comes_back_is_new_again() -> None:
    record = {"s": _rec("d1", {"a": "sent"}, deleted=True)}
    sources = [Source(url="s", digest="d1", targets=("a",))]
    assert plan_sends(sources, record) == (Send(source="s", target="a", reason="new"),)


def test_the_record_keeps_the_last_outcome_and_forgets_removed_links() -> None:
    record = {"s": _rec("d1", {"a": "sent", "b": "sent"})}
    sources = [Source(url="s", digest="d2", targets=("a",))]
    due = plan_sends(sources, record)
    after = record_round(record, sources, [(d, _sent("no-endpoint")) for d in due])
    assert after == {"s": _rec("d2", {"a": "no-endpoint"})}


def test_the_record_survives_a_round_trip_through_json(tmp_path: Path) -> None:
    record = {
        "s": SourceRecord(
            digest="d",
            targets=MappingProxyType(
                {"a": Sent(outcome="sent", at=AT, endpoint="http://e/?q=1", status=202)}
            ),
        ),
        "t": _rec("e", {"b": "failed"}, deleted=True),
    }
    path = tmp_path / "webmentions.json"
    save(path, record)
    assert load(path) == record


def test_a_damaged_record_is_an_error_not_a_fresh_start(tmp_path: Path) -> None:
    path = tmp_path / "webmentions.json"
    path.write_text('{"version": 1, "sources": {"s": {"digest": 1}}}')
    with pytest.raises(BuildFailed) as failed:
        load(path)
    assert "deleting it sends every Webmention again" in (failed.value.diagnostics[0].hint or "")


# --- whole rounds on loopback ------------------------------------------------------------------


@pytest.fixture
def friend() -> Iterator[Web]:
    with serve_web() as web:
        web.html("/post", '<html><head><link rel="webmention" href="/endpoint?k=1"></head></html>')
        web.html("/quiet", "<html><body>no endpoint here</body></html>")
        yield web


def _config(base: str) -> str:
    return f'title = "T"\nbase_url = "{base}"\n[author]\nname = "Ada"\n'


def _note(*links: str, words: str = "Hello") -> str:
    body = " ".join(f"[link {i}]({u})" for i, u in enumerate(links))
    return f"---\ntitle: Hello\ndate: 2026-11-01\n---\n{words} {body} and [me](/about/).\n"


def _build(root: Path) -> None:
    build(root, now=NOW, options=BuildOptions(offline=True))


@pytest.fixture
def salon(make_salon: Callable[..., Path], friend: Web) -> Path:
    note = _note(friend.url("/post"), friend.url("/quiet"))
    root = make_salon({"content/notes/hello.md": note}, config=_config(SITE))
    _build(root)
    return root


def _outcomes(root: Path) -> list[tuple[str, str, str]]:
    done = send_mentions(root, now=NOW)
    return [(s.reason, s.target.rsplit("/", 1)[1], sent.outcome) for s, sent in done.results]


def test_a_round_sends_once_per_link(salon: Path, friend: Web) -> None:
    assert _outcomes(salon) == [("new", "post", "sent"), ("new", "quiet", "no-endpoint")]
    source = SITE + "notes/hello/"
    assert friend.posts == [
        ("/endpoint?k=1", [("source", source), ("target", friend.url("/post"))])
    ]
    assert _outcomes(salon) == []  # nothing twice
    assert len(friend.posts) == 1


def test_an_edited_note_is_sent_again_and_a_removed_link_told(salon: Path, friend: Web) -> None:
    _outcomes(salon)
    (salon / "content/notes/hello.md").write_text(_note(friend.url("/quiet"), words="Edited"))
    _build(salon)
    assert _outcomes(salon) == [("changed", "quiet", "no-endpoint"), ("changed", "post", "sent")]
    assert len(friend.posts) == 2
    assert _outcomes(salon) == []


def test_a_deleted_note_is_sent_again_once(salon: Path, friend: Web) -> None:
    _outcomes(salon)
    (salon / "content/notes/hello.md").unlink()
    _build(salon)
    assert _outcomes(salon) == [("deleted", "post", "sent")]
    assert [p[0] for p in friend.posts] == ["/endpoint?k=1", "/endpoint?k=1"]
    assert _outcomes(salon) == []
    assert load(salon / ".salon/webmentions.json") == {}


def test_a_note_not_yet_built_is_not_mentioned(salon: Path, friend: Web) -> None:
    (salon / "content/notes/later.md").write_text(_note(friend.url("/post")))
    assert [t for _, t, _ in _outcomes(salon)] == ["post", "quiet"]  # hello's, not later's


def test_a_dry_run_sends_and_records_nothing(salon: Path, friend: Web) -> None:
    done = send_mentions(salon, now=NOW, dry_run=True)
    assert len(done.results) == 2
    assert friend.posts == []
    assert not (salon / ".salon/webmentions.json").exists()


def test_a_public_site_never_mentions_a_private_address(
    make_salon: Callable[..., Path], friend: Web
) -> None:
    root = make_salon(
        {"content/notes/hello.md": _note(friend.url("/post"))},
        config=_config("https://example.org/"),
    )
    _build(root)
    assert _outcomes(root) == [("new", "post", "refused")]
    assert friend.gets == [] and friend.posts == []


def test_mentioning_an_unbuilt_salon_says_build_first(make_salon: Callable[..., Path]) -> None:
    root = make_salon({"content/notes/hello.md": _note()}, config=_config(SITE))
    with pytest.raises(BuildFailed) as failed:
        send_mentions(root, now=NOW)
    assert "salon build" in (failed.value.diagnostics[0].hint or "")
