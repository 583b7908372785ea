"""Recording check-ins and introductions in person files: one line added under `private:`,
every other byte kept; refused, with a way out, when that cannot be done safely."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from salon_gen.cli.main import main
from salon_gen.text.frontmatter import split
from salon_gen.writing.personedit import EditRefused, append_entry, entry_text

from .conftest import NOW

ENTRY = {"date": "2026-11-22", "note": "Tea: at last"}
LINE = '{date: 2026-11-22, note: "Tea: at last"}'


NEW = f"  checkins:\n    - {LINE}\n"

CASES = [
    # no private: at all
    ("---\nname: Priya\ninterests: [letters]  # kept\n---\nBody.\n",
     f"---\nname: Priya\ninterests: [letters]  # kept\nprivate:\n{NEW}---\nBody.\n"),
    # private: with other keys, comments, blank lines and a block scalar; deeper indentation
    ("---\nname: Maya\nprivate:\n    birthday: --04-12   # no year\n\n"
     "    notes: |\n      Two\n      lines\n# a comment\n---\n",
     "---\nname: Maya\nprivate:\n    birthday: --04-12   # no year\n\n"
     f"    notes: |\n      Two\n      lines\n    checkins:\n      - {LINE}\n# a comment\n---\n"),
    # a log already there (two styles of entry), followed by another key
    ("---\nname: Maya\nprivate:\n  checkins:\n    - {date: 2026-01-01}\n"
     "    - date: 2026-02-01\n      note: x\n  notes: n\npublic: true\n---\n",
     "---\nname: Maya\nprivate:\n  checkins:\n    - {date: 2026-01-01}\n"
     f"    - date: 2026-02-01\n      note: x\n    - {LINE}\n  notes: n\npublic: true\n---\n"),
    # a compact sequence (items at the key's own indentation)
    ("---\nname: M\nprivate:\n  checkins:\n  - {date: 2026-01-01}\n---\n",
     f"---\nname: M\nprivate:\n  checkins:\n  - {{date: 2026-01-01}}\n  - {LINE}\n---\n"),
    # an empty log written inline; an empty private:
    ("---\nname: M\nprivate:\n  checkins: []\n---\n", f"---\nname: M\nprivate:\n{NEW}---\n"),
    ("---\nname: M\nprivate:\n---\nBody\n", f"---\nname: M\nprivate:\n{NEW}---\nBody\n"),
    # Windows line ends and a byte-order mark stay
    ("\ufeff---\r\nname: M\r\nprivate:\r\n  notes: n\r\n---\r\nBody\r\n",
     "\ufeff---\r\nname: M\r\nprivate:\r\n  notes: n\r\n"
     f"  checkins:\r\n    - {LINE}\r\n---\r\nBody\r\n"),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after"), CASES)
def test_one_line_is_added_and_nothing_else_changes(before: str, after: str) -> None:
    assert append_entry(before, "checkins", ENTRY) == after


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("+++\nname = 'M'\n+++\n", "the front matter is TOML; salon edits YAML front matter only"),
        ("---\nname: M\nprivate: {notes: n}\n---\n", "'private:' is written on one line"),
        ("---\nname: M\nprivate:\n  checkins: [{date: 2026-01-01}]\n---\n",
         "'checkins:' is written on one line"),
        ("---\nname: M\nprivate:\n  checkins: soon\n---\n", "private.checkins is not a list"),
        ("---\nname: M\nprivate: secret\n---\n", "private: is not a mapping"),
        ("---\nname: M\nprivate:\n\tnotes: n\n---\n", "malformed YAML"),
        ("No front matter\n", "the file has no YAML front matter"),
        ("---\nname: M\nprivate:\n  notes: n\r\n---\n", "the file mixes line endings"),
    ],
)  # fmt: skip
def test_what_cannot_be_edited_safely_is_refused(text: str, message: str) -> None:
    with pytest.raises(EditRefused) as refused:
        append_entry(text, "checkins", ENTRY)
    assert refused.value.message.startswith(message)


def test_entries_read_back_as_text() -> None:
    assert entry_text({"person": "priya-raman", "date": "2026-06-12"}) == (
        "{person: priya-raman, date: 2026-06-12}"
    )
    text = append_entry("---\nname: M\n---\n", "checkins", {"date": "2026-01-01", "note": "yes"})
    fm, _ = split(text, "m.md")
    assert fm is not None
    assert fm.data["private"] == {"checkins": [{"date": "2026-01-01", "note": "yes"}]}


MAYA = """\
---
name: Maya Okafor   # the potter
url: https://maya.example.net/
private:
  birthday: 1988-04-12
  checkin_every: 6 weeks
---
Maya is a potter.
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--now", NOW.isoformat()])
    return result.exit_code, result.stdout, result.stderr


def test_checkin_and_introduced_edit_the_files(make_salon: Callable[..., Path]) -> None:
    root = make_salon(
        {
            "content/people/maya.md": MAYA,
            "content/people/priya.md": "---\nname: Priya\n---\nPriya.\n",
        }
    )
    maya = root / "content/people/maya.md"
    code, out, err = run("checkin", "--source", str(root), "maya", "--note", "Tea,  finally")
    assert code == 0, err
    assert out == "recorded a check-in with maya on 2026-11-22\n  updated content/people/maya.md\n"
    code, _, err = run("checkin", "--source", str(root), "maya", "--date", "2026-10-01")
    assert code == 0, err
    code, _, err = run("introduced", "--source", str(root), "priya", "maya", "--date", "2026-06-12")
    assert code == 0, err
    assert maya.read_text() == MAYA.replace(
        "---\nMaya",
        '  checkins:\n    - {date: 2026-11-22, note: "Tea, finally"}\n'
        "    - {date: 2026-10-01}\n"
        "  introduced:\n    - {person: priya, date: 2026-06-12}\n---\nMaya",
    )
    assert (root / "content/people/priya.md").read_text() == (
        "---\nname: Priya\nprivate:\n  introduced:\n    - {person: maya, date: 2026-06-12}\n"
        "---\nPriya.\n"
    )
    code, out, _ = run("introduced", "--source", str(root), "maya", "priya")
    assert (code, out) == (0, "maya and priya: already recorded in both files\n")


def test_checkin_refusals(make_salon: Callable[..., Path]) -> None:
    root = make_salon(
        {
            "content/people/maya.md": MAYA,
            "content/people/flow.md": "---\nname: Flow\nprivate: {notes: n}\n---\n",
        }
    )
    before = (root / "content/people/flow.md").read_bytes()
    code, _, err = run("checkin", "--source", str(root), "flow")
    assert code == 1
    assert err.startswith(
        "content/people/flow.md: error: cannot record this: 'private:' is written on one line"
    )
    assert (root / "content/people/flow.md").read_bytes() == before
    code, _, err = run("checkin", "--source", str(root), "mya")
    assert code == 1 and "nobody with the id 'mya'" in err and "did you mean 'maya'?" in err
    code, _, err = run("checkin", "--source", str(root), "maya", "--date", "2026-12-01")
    assert code == 2 and "is in the future" in err
    code, _, err = run("checkin", "--source", str(root), "maya", "--date", "1 May")
    assert code == 2
    assert (root / "content/people/maya.md").read_text() == MAYA
