"""Hostile or broken input (issue 15, items 8 and 9): each case is a real file written into a
salon that built fine, then `salon build` again. Each must end in the diagnostic given here
(file, line, message; a hint), exit 1, no traceback, the previous site byte for byte as it
was and every content file untouched.

Not UTF-8 (salon.toml, a note's body, a file's name as bytes), numbers past Python's
int-string limit, dates that overflow once in UTC, slugs and tags that cannot be folders
(over 255 bytes; Windows device names), URLs that differ only in case, YAML alias bombs.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from salon_gen.cli.main import main
from salon_gen.core.urls import segment_problem
from salon_gen.text import frontmatter

from .conftest import MINIMAL_CONFIG, snapshot

REPO = Path(__file__).resolve().parent.parent
GOOD = {
    "content/notes/good.md": "---\ntitle: Good\ndate: 2026-01-01\ntags: [letters]\n---\nFine.\n",
    "content/people/ada.md": "---\nname: Ada\nurl: https://ada.example/\n"
    "private:\n  notes: Likes tea.\n---\nA friend.\n",
}


def note(*lines: str, body: str = "Words.\n") -> bytes:
    return ("---\n" + "".join(line + "\n" for line in lines) + "---\n" + body).encode()


def person(*lines: str) -> bytes:
    return note("name: Bo", "url: https://bo.example/", *lines, body="A friend.\n")


BIG = "9" * 5000  # past Python's int-string limit of 4300 digits
# (id, files to add (bytes names allowed: os.fsdecode), salon.toml or None, expected output)
CASES: list[tuple[str, dict[str | bytes, bytes], bytes | None, str]] = [
    # --- not UTF-8 ---
    (
        "toml-not-utf8",
        {},
        MINIMAL_CONFIG.replace("Ada Tester", "Ad\xe1 Tester").encode("latin-1"),
        "salon.toml:7:11: error: file is not valid UTF-8 (byte 0xe1)\n"
        "  hint: save the file as UTF-8",
    ),
    (
        "note-body-not-utf8",
        {
            "content/notes/bad.md": note("title: B", "date: 2026-01-02", body="caf\xe9\n").replace(
                "caf\xe9".encode(), b"caf\xe9"
            )
        },
        None,
        "content/notes/bad.md:5:4: error: file is not valid UTF-8 (byte 0xe9)",
    ),
    (
        "person-not-utf8",
        {"content/people/bo.md": person("private:", "  notes: ok").replace(b"ok", b"\xff")},
        None,
        "content/people/bo.md:5:10: error: file is not valid UTF-8 (byte 0xff)",
    ),
    (
        "note-name-not-utf8",
        {b"content/notes/caf\xe9.md": note("title: B", "date: 2026-01-02")},
        None,
        "content/notes/caf\\xe9.md: error: file name is not valid UTF-8",
    ),
    (
        "static-name-not-utf8",
        {b"content/static/\xff\xfe.png": b"\x89PNG"},
        None,
        "content/static/\\xff\\xfe.png: error: file name is not valid UTF-8",
    ),
    # --- numbers past the int-string limit ---
    (
        "yaml-5000-digits",
        {"content/notes/bad.md": note("title: B", "date: 2026-01-02", f"weight: {BIG}")},
        None,
        "content/notes/bad.md:4:9: error: number is too large (salon reads numbers of up to 40 "
        "digits)\n  hint: quote it if it is meant as text",
    ),
    (
        "yaml-huge-hex",  # parses (no limit for base 16), then could never be printed
        {"content/notes/bad.md": note("title: B", "date: 2026-01-02", "weight: 0x" + "f" * 5000)},
        None,
        "content/notes/bad.md:4:9: error: number is too large",
    ),
    (
        "yaml-5000-digits-under-private",
        {"content/people/bo.md": person("private:", f"  notes: {BIG}")},
        None,
        "content/people/bo.md:5:10: error: number is too large",
    ),
    (
        "toml-front-matter-5000-digits",
        {
            "content/notes/bad.md": (
                f'+++\ntitle = "B"\ndate = 2026-01-02\nweight = {BIG}\n+++\nx\n'
            ).encode()
        },
        None,
        "content/notes/bad.md:4:10: error: number is too large",
    ),
    (
        "salon-toml-5000-digits",
        {},
        (MINIMAL_CONFIG + f"\n[feeds]\nitems = {BIG}\n").encode(),
        "salon.toml:11:9: error: number is too large",
    ),
    # --- dates that overflow when converted to UTC ---
    (
        "date-after-9999",
        {"content/notes/bad.md": note("title: B", "date: 9999-12-31T23:59:59-05:00")},
        None,
        "content/notes/bad.md:3: error: date: '9999-12-31T23:59:59-05:00' is out of range: salon "
        "reads dates from 0001-01-04 to 9999-12-28",
    ),
    (
        "date-before-year-1",
        {"content/notes/bad.md": note("title: B", "date: 0001-01-01T00:00:00+05:00")},
        None,
        "content/notes/bad.md:3: error: date: '0001-01-01T00:00:00+05:00' is out of range",
    ),
    (
        "toml-date-after-9999",  # TOML makes the datetime itself: no text to show
        {"content/notes/bad.md": b'+++\ntitle = "B"\ndate = 9999-12-31T23:59:59-05:00\n+++\nx\n'},
        None,
        "content/notes/bad.md:3: error: date: '9999-12-31T23:59:59-05:00' is out of range",
    ),
    (
        "updated-before-year-1",
        {"content/notes/bad.md": note("title: B", "date: 2026-01-02", "updated: 0001-01-01")},
        None,
        "content/notes/bad.md:4: error: updated: '0001-01-01' is out of range",
    ),
    (
        "checkin-after-9999",
        {"content/people/bo.md": person("private:", "  checkins:", "    - {date: 9999-12-31}")},
        None,
        "content/people/bo.md:6: error: checkins: '9999-12-31' is out of range",
    ),
    (
        "birthday-after-9999",  # the calendar's all-day event ends the day after
        {"content/people/bo.md": person("private:", "  birthday: 9999-12-31")},
        None,
        "content/people/bo.md:5: error: birthday: '9999-12-31' is out of range",
    ),
    (
        "checkin-every-9999-years",  # the next check-in would be in the year 12025
        {"content/people/bo.md": person("private:", "  checkin_every: 9999 years")},
        None,
        "content/people/bo.md:5: error: checkin_every: period '9999 years' is too long: "
        "at most 100 years",
    ),
    (
        "fetch-every-400-digits",  # float('1e400') days: timedelta cannot hold it
        {"content/people/bo.md": person("fetch_every: 1" + "0" * 400 + " days")},
        None,
        "content/people/bo.md:4: error: fetch_every: duration '1000",
    ),
    # --- slugs and tags that cannot be folders ---
    (
        "slug-300-bytes",
        {"content/notes/bad.md": note("title: B", "date: 2026-01-02", "slug: " + "a" * 300)},
        None,
        "content/notes/bad.md:4: error: slug '" + "a" * 40 + "...' is 300 bytes long; a file "
        "name may be at most 255 bytes\n  hint: set another, e.g. slug: " + "a" * 60,
    ),
    (
        "slug-130-two-byte-letters",
        {"content/notes/bad.md": note("title: B", "date: 2026-01-02", "slug: " + "é" * 130)},
        None,
        "content/notes/bad.md:4: error: slug '" + "é" * 40 + "...' is 260 bytes long",
    ),
    (
        "tag-300-bytes",
        {"content/notes/bad.md": note("title: B", "date: 2026-01-02", f"tags: [ok, {'t' * 300}]")},
        None,
        "content/notes/bad.md:4: error: tag '"
        + "t" * 40
        + "...' names the folder interests/"
        + "t" * 40
        + ".../, which is 300 bytes long",
    ),
    (
        "interest-300-bytes",
        {"content/people/bo.md": person(f"interests: [{'i' * 300}]")},
        None,
        "content/people/bo.md:4: error: interest '" + "i" * 40 + "...' names the folder",
    ),
    (
        "alias-300-bytes",
        {
            "content/notes/bad.md": note(
                "title: B", "date: 2026-01-02", f"aliases: [/old/{'o' * 300}/]"
            )
        },
        None,
        "content/notes/bad.md:4: error: aliases: '/old/ooo",
    ),
    (
        "file-name-con",
        {"content/notes/con.md": note("title: B", "date: 2026-01-02")},
        None,
        "content/notes/con.md:1: error: the slug made from the file name 'con' is a device name "
        "on Windows (as CON, NUL, COM1 are): no file or folder there can have it\n"
        "  hint: set one, e.g. slug: con-note",
    ),
    (
        "slug-NUL",
        {"content/notes/bad.md": note("title: B", "date: 2026-01-02", "slug: NUL")},
        None,
        "content/notes/bad.md:4: error: slug 'NUL' is a device name on Windows",
    ),
    (
        "tags-aux-com1",
        {"content/notes/bad.md": note("title: B", "date: 2026-01-02", "tags: [Aux, com1]")},
        None,
        "content/notes/bad.md:4: error: tag 'Aux' names the folder interests/aux/, which is a "
        "device name on Windows",
    ),
    (
        "person-lpt1",
        {"content/people/lpt1.md": person()},
        None,
        "content/people/lpt1.md:1: error: person id 'lpt1' (the file name, and the folder "
        "people/lpt1/) is a device name on Windows",
    ),
    (
        "config-interest-prn",
        {},
        (MINIMAL_CONFIG + '\n[interests.aliases]\nprn = ["printing"]\n').encode(),
        "salon.toml:11:1: error: interests.aliases.prn: names the folder interests/prn/, which is "
        "a device name on Windows",
    ),
    # --- URLs that differ only in case: one folder on macOS and Windows ---
    (
        "slugs-differ-in-case",
        {
            "content/notes/a.md": note("title: A", "date: 2026-01-02", "slug: Hello"),
            "content/notes/b.md": note("title: B", "date: 2026-01-02", "slug: hello"),
        },
        None,
        "content/notes/b.md:4: error: URL /notes/hello/ differs from /notes/Hello/ of "
        "content/notes/a.md only in case: on macOS and Windows they are one folder, and one page "
        "would replace the other\n  hint: give one of them a different 'slug:'",
    ),
    (
        "file-names-differ-in-case",
        {
            "content/notes/Note.md": note("title: A", "date: 2026-01-02"),
            "content/notes/note.md": note("title: B", "date: 2026-01-02"),
        },
        None,
        "content/notes/note.md:1: error: URL /notes/note/ is already used by content/notes/Note.md",
    ),
    (
        "page-Notes-vs-notes",
        {"content/pages/p.md": note("title: P", "slug: Notes")},
        None,
        "content/pages/p.md:3: error: URL /Notes/ is reserved for salon's own pages",
    ),
    # --- YAML aliases ---
    (
        "yaml-alias-cycle",
        {"content/notes/bad.md": note("title: B", "date: 2026-01-02", "extra: &x [1, *x]")},
        None,
        "content/notes/bad.md:4:8: error: a YAML alias refers to a value that contains it",
    ),
]


def _write(root: Path, files: dict[str | bytes, bytes]) -> None:
    for rel, data in files.items():
        path = root / (os.fsdecode(rel) if isinstance(rel, bytes) else rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _build(root: Path) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(main, ["build", "--offline", "--source", str(root)])
    return result.exit_code, result.output, result.exception


@pytest.mark.parametrize(
    ("files", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_broken_input_is_a_diagnostic_and_the_site_stays(
    make_salon: Callable[..., Path],
    files: dict[str | bytes, bytes],
    config: bytes | None,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = make_salon(GOOD)
    monkeypatch.chdir(root)  # diagnostics name paths relative to where salon runs
    code, output, _ = _build(root)
    assert code == 0, output
    site = snapshot(root / "site")
    _write(root, files)
    if config is not None:
        (root / "salon.toml").write_bytes(config)
    content = snapshot(root / "content")
    code, output, exc = _build(root)
    assert code == 1, output
    assert isinstance(exc, SystemExit), exc  # not an exception escaping the command
    assert expected in output, output
    assert "Traceback" not in output
    assert snapshot(root / "site") == site
    assert snapshot(root / "content") == content


def _bomb(indent: str) -> list[str]:
    """Nine levels of nine aliases: 9**9 (387 million) strings, in ten lines of YAML."""
    lines = [f"{indent}a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{indent}{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return lines


def _limited_memory() -> None:  # in the child, before exec: a bomb that expands fails fast
    limit = 1024 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("where", ["private", "front-matter"])
def test_a_yaml_alias_bomb_is_refused_without_expanding_it(
    make_salon: Callable[..., Path], where: str
) -> None:
    """Billion laughs under a person's private: (which the privacy checks walk: this hung
    the build before) and in a note's front matter, in a real `salon build` under 1 GB of
    address space: it must end quickly with the line of the alias that expands too far."""
    if where == "private":
        files = {"content/people/bo.md": person("private:", *_bomb("  "))}
        expected = "content/people/bo.md:10:6: error: YAML aliases here expand to more than "
    else:
        files = {"content/notes/bad.md": note("title: B", "date: 2026-01-02", *_bomb(""))}
        expected = "content/notes/bad.md:9:4: error: YAML aliases here expand to more than "
    root = make_salon(GOOD)
    _write(root, files)
    done = subprocess.run(
        [sys.executable, "-m", "salon_gen", "build", "--offline"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,  # a hang fails here rather than holding the suite
        preexec_fn=_limited_memory,
    )
    assert done.returncode == 1, done.stderr
    assert expected + "100,000 values" in done.stderr, done.stderr
    assert "hint: write the values out, without '&' anchors and '*' aliases" in done.stderr
    assert "Traceback" not in done.stderr and not (root / "site").exists()


def test_aliases_within_reason_are_read() -> None:
    """Anchors and aliases are YAML: a few of them, even many, are not a bomb."""
    text = "---\ntitle: T\nbase: &b {a: 1, b: [1, 2]}\nmore: [*b, *b, *b]\n---\nx\n"
    fm, diags = frontmatter.split(text, "n.md")
    assert diags == () and fm is not None
    assert fm.data["more"] == [{"a": 1, "b": [1, 2]}] * 3
    fine = "---\n" + "\n".join(_bomb("")[:4]) + "\n---\n"  # 9**4 = 6561 values
    fm, diags = frontmatter.split(fine, "n.md")
    assert diags == () and fm is not None and len(fm.data["d"]) == 9


def test_the_longest_number_allowed_is_read() -> None:
    fm, diags = frontmatter.split("---\nweight: " + "9" * 40 + "\n---\n", "n.md")
    assert diags == () and fm is not None and fm.data["weight"] == int("9" * 40)
    _, diags = frontmatter.split("---\nweight: " + "9" * 41 + "\n---\n", "n.md")
    assert [d.format() for d in diags] == [
        "n.md:2:9: error: number is too large (salon reads numbers of up to 40 digits)\n"
        "  hint: quote it if it is meant as text"
    ]


@pytest.mark.parametrize(
    ("segment", "problem"),
    [
        ("a" * 255, None),
        ("a" * 256, "is 256 bytes long; a file name may be at most 255 bytes"),
        ("é" * 127, None),  # 254 bytes
        ("é" * 128, "is 256 bytes long; a file name may be at most 255 bytes"),
        *((name, "device") for name in ("con", "CON", "Aux", "nul", "prn", "com1", "lpt9")),
        *((name, "device") for name in ("nul.html", "com\u00b9", "con ")),
        *((name, None) for name in ("console", "con-note", "com10", "lpt", "auxiliary", "nul-")),
    ],
)
def test_which_segments_cannot_be_folders(segment: str, problem: str | None) -> None:
    found = segment_problem(segment)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize(
    "path",
    [
        "/" + "a" * 300,  # one segment over NAME_MAX
        "/" + "%C3%A9" * 200 + "/",  # 400 bytes once decoded
        "/" + "/".join(["b" * 250] * 20),  # each segment fits, the whole is past PATH_MAX
    ],
    ids=["segment-300", "encoded-segment-400", "path-5000"],
)
def test_the_preview_answers_404_to_a_path_too_long_for_the_disk(
    tmp_path: Path, path: str, capfd: pytest.CaptureFixture[str]
) -> None:
    from salon_gen.preview.serve import PreviewServer, Reload

    (tmp_path / "index.html").write_text("<p>home</p>")
    reload = Reload()
    reload.built("/")
    server = PreviewServer(tmp_path, port=0, reload=reload, heartbeat=0.05)
    server.start()
    try:
        for request in (path, "/"):  # and the server still answers afterwards
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
                sock.sendall(f"GET {request} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
            status = data.split(b" ", 2)[1]
            assert status == (b"404" if request == path else b"200"), data[:200]
    finally:
        server.stop()
    assert "Traceback" not in capfd.readouterr().err
