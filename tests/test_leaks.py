"""The leak guard in real builds (issue 15, item 3): what got past it — markup between the
words of a name, a date written another way, an output file it did not read — now fails
`salon build` with a diagnostic naming the file (and line), exit 1, the previous site whole.

Each case starts from a salon that builds clean (so the guard is no false alarm on it),
adds one file, and builds again with the real `salon build`.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from salon_gen.cli.main import main

from .conftest import MINIMAL_CONFIG, NOW, REPO, snapshot, write_tree

ELSA = "---\nname: Elsa Lindqvist\npublic: false\n---\nMy oldest friend.\n"
MAYA = """\
---
name: Maya
url: https://maya.example.net/
private:
  surname: Okonkwo-Hale
  birthday: 1991-12-08
  phone: +44 7700 900123
  address: 12 Quarry Lane, Stroud
---
Maya writes letters.
"""
# Published text that must not fail the build: a date of 8 December with no word saying
# birth, other numbers, Maya's public name, a photo's worth of bytes with short words.
CLEAN = {
    "content/people/elsa.md": ELSA,
    "content/people/maya.md": MAYA,
    "content/notes/2026-12-08-supper.md": (
        "---\ntitle: Supper on 8 December\ndate: 2026-12-08\n---\n"
        "On 8 December we ate soup with **Maya**; Elsa sent a card. Call 0800 123 456.\n"
        "December 8th was cold, and 1991 was a long time ago.\n"
    ),
}

SURNAME = "private.surname of content/people/maya.md"
BIRTHDAY = "private.birthday of content/people/maya.md"
PHONE = "private.phone of content/people/maya.md"
ADDRESS = "private.address of content/people/maya.md"
ELSA_NAME = "the name of a private person (content/people/elsa.md, public: false)"
SECRETS = ("Lindqvist", "Okonkwo", "1991", "7700", "900123", "Quarry")


def _note(body: str) -> str:
    return f"---\ntitle: A walk\ndate: 2026-11-01\n---\nWe walked.\n{body}\n"


def _png(text: bytes) -> bytes:
    """A real 1x1 PNG with a tEXt chunk (as cameras and editors write an author)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", text)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


NOTE = "content/notes/2026-11-01-walk.md"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"  # the binary comment PDF writers put second
CASES: list[tuple[str, str, str | bytes, str, int | None]] = [
    # (case, file added, its content, what is reported, line blamed)
    ("strong", NOTE, _note("We met **Elsa** Lindqvist."), ELSA_NAME, 6),
    ("em-hyphen", NOTE, _note("Maya *Okonkwo*-Hale came."), SURNAME, 6),
    ("soft-hyphen", NOTE, _note("Elsa Lind&shy;qvist came."), ELSA_NAME, 6),
    ("link", NOTE, _note("[Elsa](https://e.example/) Lindqvist"), ELSA_NAME, 6),
    ("line-break", NOTE, _note("Elsa\\\nLindqvist"), ELSA_NAME, 6),
    ("ordinal", NOTE, _note("Maya was born 8th December 1991."), BIRTHDAY, 6),
    ("month-first", NOTE, _note("Since December 8, 1991."), BIRTHDAY, 6),
    ("month-ordinal", NOTE, _note("Since December 8th, 1991."), BIRTHDAY, 6),
    ("short-month", NOTE, _note("Since 8 Dec 1991."), BIRTHDAY, 6),
    ("dotted", NOTE, _note("Since 08.12.1991."), BIRTHDAY, 6),
    ("us", NOTE, _note("Since 12/08/1991."), BIRTHDAY, 6),
    ("iso-in-markup", NOTE, _note("Since `1991-12-08`."), BIRTHDAY, 6),
    ("birthday-no-year", NOTE, _note("Her birthday is on the 8th of December."), BIRTHDAY, 6),
    ("born-no-year", NOTE, _note("Maya (born *Dec 8*) came."), BIRTHDAY, 6),
    ("phone-bare", NOTE, _note("Ring +447700900123."), PHONE, 6),
    ("phone-national", NOTE, _note("Ring 07700 900 123."), PHONE, 6),
    ("address-lines", NOTE, _note("12 Quarry Lane  \nStroud"), ADDRESS, 6),
    ("csv", "content/static/friends.csv", "name,town\nElsa Lindqvist,Uppsala\n", ELSA_NAME, None),
    ("ics", "content/static/maya.ics", "BEGIN:VEVENT\nDTSTART:19911208\n", BIRTHDAY, None),
    ("png", "content/static/photo.png", _png(b"Author\x00Elsa Lindqvist"), ELSA_NAME, None),
    ("pdf", "content/static/cv.pdf", PDF + b"(Okonkwo-Hale) Tj\n", SURNAME, None),
    ("no-suffix", "content/static/notes", b"\x00\x01 +44 7700 900123 \x02", PHONE, None),
]  # fmt: skip


def _salon(tmp_path: Path) -> Path:
    root = tmp_path / "salon"
    root.mkdir()
    write_tree(root, {"salon.toml": MINIMAL_CONFIG, **CLEAN})
    return root


def _cli(root: Path) -> tuple[int, str]:
    args = ["build", "--source", str(root), "--offline", "--now", NOW.isoformat()]
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    ("case", "rel", "content", "what", "line"), CASES, ids=[c[0] for c in CASES]
)
def test_a_leak_fails_the_build_and_names_its_file(
    tmp_path: Path, case: str, rel: str, content: str | bytes, what: str, line: int | None
) -> None:
    root = _salon(tmp_path)
    code, err = _cli(root)
    assert code == 0, err  # the clean salon is no false alarm
    before = snapshot(root / "site")
    write_tree(root, {rel: content})
    code, err = _cli(root)
    assert code == 1, err
    where = f"{rel}:{line}" if line else rel
    assert err.startswith(f"{where}: error: {what} is published in site/"), err
    assert "\n  hint: " in err
    assert "nothing was written, the previous site is untouched" in err
    assert not any(s.casefold() in err.casefold() for s in SECRETS)  # named, never quoted
    assert snapshot(root / "site") == before


def _salon_command(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "salon_gen",
            "build",
            "--offline",
            "--now",
            NOW.isoformat(),
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_three_bypasses_of_the_issue_fail_the_salon_command(tmp_path: Path) -> None:
    """Issue 15's own words, through the `salon` command: `**Elsa** Lindqvist`, `born 8th
    December 1991`, `content/static/friends.csv`; all three reported at once."""
    root = _salon(tmp_path)
    assert _salon_command(root).returncode == 0
    before = snapshot(root / "site")
    files: Mapping[str, str] = {
        "content/notes/2026-11-01-elsa.md": _note("A walk with **Elsa** Lindqvist."),
        "content/pages/maya.md": "---\ntitle: Maya\n---\nMaya was born 8th December 1991.\n",
        "content/static/friends.csv": "name,town\nElsa Lindqvist,Uppsala\n",
    }
    write_tree(root, files)
    done = _salon_command(root)
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if ": error: " in line]
    assert errors == [
        f"content/notes/2026-11-01-elsa.md:6: error: {ELSA_NAME} is published in "
        "site/feed.json and 4 more files",
        f"content/pages/maya.md:4: error: {BIRTHDAY} is published in site/maya/index.html",
        f"content/static/friends.csv: error: {ELSA_NAME} is published in site/static/friends.csv",
    ]
    assert done.stderr.count("\n  hint: ") == 3
    assert snapshot(root / "site") == before
    for rel in files:  # each out again: the site builds
        (root / rel).unlink()
    assert _salon_command(root).returncode == 0


def test_a_big_static_file_is_searched_in_parts_across_their_seam(tmp_path: Path) -> None:
    """A static file is read 16 MB at a time: a name that straddles two parts is found."""
    from salon_gen.pipeline.leaks import CHUNK

    root = _salon(tmp_path)
    assert _cli(root)[0] == 0
    name = b"Elsa Lindqvist"
    data = b"\x00" * (CHUNK - 5) + name + b"\x00" * 1000  # "Elsa " in one part, the rest next
    write_tree(root, {"content/static/film.bin": data})
    code, err = _cli(root)
    assert code == 1
    assert err.startswith(f"content/static/film.bin: error: {ELSA_NAME} is published in site/")
