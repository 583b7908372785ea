"""The `salon` command as users meet it: CliRunner for the details, and the installed
console script as a real subprocess."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from salon_gen import __version__
from salon_gen.cli.main import main

from .conftest import NOW

NOW_ARG = ["--now", NOW.isoformat(), "--offline"]  # no test goes beyond loopback


def test_version_and_help() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).output == f"salon, version {__version__}\n"
    for args in ([], ["build"], ["init"]):
        result = runner.invoke(main, [*args, "--help"], prog_name="salon")
        assert result.exit_code == 0
        assert "Usage: salon" in result.output
    assert "--drafts" in runner.invoke(main, ["build", "--help"]).output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--no-such-flag"]).exit_code == 2
    assert runner.invoke(main, ["frobnicate"]).exit_code == 2
    assert runner.invoke(main, ["init"]).exit_code == 2
    assert runner.invoke(main, ["build", "--now", "yesterday"]).exit_code == 2


def test_init_then_build(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "new-salon"
    result = runner.invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    for rel in (
        "salon.toml",
        ".gitignore",
        "content/notes/hello-salon.md",
        "content/shares/an-example-share.md",
        "content/people/example-friend.md",
        "content/pages/about.md",
    ):
        assert (target / rel).is_file(), rel
    assert "site/" in (target / ".gitignore").read_text()
    built = runner.invoke(main, ["build", "--source", str(target), *NOW_ARG])
    assert built.exit_code == 0, built.output + built.stderr
    assert built.stderr == ""  # the scaffold builds without a single warning
    assert (target / "site/index.html").is_file()
    assert (target / "site/notes/hello-salon/index.html").is_file()
    # init never overwrites
    again = runner.invoke(main, ["init", str(target)])
    assert again.exit_code == 1
    assert "already has a salon.toml" in again.stderr


def test_warnings_do_not_fail_the_build(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "s"
    runner.invoke(main, ["init", str(target)])
    note = target / "content/notes/hello-salon.md"
    note.write_text(note.read_text().replace("title:", "titel: x\ntitle:", 1))
    result = runner.invoke(main, ["build", "--source", str(target), *NOW_ARG])
    assert result.exit_code == 0
    assert "warning: unknown key 'titel' is kept for templates" in result.stderr
    assert "did you mean 'title'?" in result.stderr


def test_installed_command_builds_the_demo(tmp_path: Path) -> None:
    """The console script users run, as a subprocess, on a copy of the demo salon."""
    repo = Path(__file__).resolve().parent.parent
    salon = shutil.which("salon") or str(Path(sys.executable).parent / "salon")
    if not Path(salon).exists():
        pytest.skip("the salon console script is not installed (pip install -e .)")
    shutil.copytree(repo / "content", tmp_path / "content")
    shutil.copy(repo / "salon.toml", tmp_path / "salon.toml")
    shutil.copytree(repo / "themes", tmp_path / "themes")
    first = subprocess.run(
        [salon, "build", *NOW_ARG],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("built site/ in ")
    second = subprocess.run(
        [salon, "build", *NOW_ARG],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 0
    assert "site/ is up to date" in second.stdout
    missing = subprocess.run(
        [salon, "build"],
        cwd=tmp_path / "content",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 1
    assert "salon init" in missing.stderr


def test_output_option_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    runner.invoke(main, ["init", str(tmp_path / "s")])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", "--source", "s", "--output", "out", *NOW_ARG])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "index.html").is_file()
    assert not (tmp_path / "s" / "out").exists()


def test_the_command_list_shows_every_description_whole() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    commands = result.output.split("Commands:\n", 1)[1].splitlines()
    assert len(commands) == len(main.commands)  # one line each: none wraps
    assert all(line.rstrip().endswith(".") and "..." not in line for line in commands), commands


def test_option_help_names_what_the_user_types() -> None:
    build_help = CliRunner().invoke(main, ["build", "--help"]).output
    assert "in SOURCE" not in build_help and "(the --source folder)" in build_help
    serve_help = CliRunner().invoke(main, ["serve", "--help"], terminal_width=100).output
    assert "--port INTEGER RANGE  Port to listen on; 0 picks a free one." in serve_help


def test_a_listen_failure_gets_the_hint_for_its_cause() -> None:
    import errno
    import socket

    from salon_gen.preview.serve import _listen_hint

    unknown = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert _listen_hint(unknown, 8000).startswith("--host takes an address of this machine")
    busy = OSError(errno.EADDRINUSE, "Address already in use")
    assert _listen_hint(busy, 8000) == "another server may be using port 8000; try --port 8001"
    assert "privileges" in _listen_hint(OSError(errno.EACCES, "Permission denied"), 80)


def test_a_drafts_build_says_so_every_time_and_its_manifest_records_it(
    make_salon: Callable[..., Path],
) -> None:
    from salon_gen.pipeline.write import built_with_drafts
    from salon_gen.workspace.state import StatePaths

    root = make_salon(
        {
            "content/notes/wip.md": "---\ntitle: Half a thought\ndate: 2026-01-02\n"
            "draft: true\n---\nx\n"
        }
    )
    runner = CliRunner()
    site = (root / "site").resolve()
    manifest = StatePaths(root=root).manifest(site)
    warning = (
        "site/: warning: this site includes drafts and future-dated items (--drafts): "
        "do not publish it\n  hint: build again without --drafts before you publish"
    )
    outputs = []
    for _ in range(2):  # the second is the no-change fast path
        result = runner.invoke(main, ["build", "-s", str(root), "--drafts", *NOW_ARG])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
        assert warning in result.output
        assert built_with_drafts(manifest, site) is True
    assert "up to date" in outputs[1]
    assert (site / "notes/wip/index.html").exists()  # the draft is in the site
    result = runner.invoke(main, ["build", "-s", str(root), *NOW_ARG])
    assert result.exit_code == 0 and "do not publish" not in result.output
    assert built_with_drafts(manifest, site) is False
    assert not (site / "notes/wip/index.html").exists()
    assert built_with_drafts(manifest, root / "elsewhere") is None  # no record: cannot know


def test_output_refuses_a_folder_salon_did_not_build(
    make_salon: Callable[..., Path], tmp_path: Path
) -> None:
    """Issue 15, item 6: --output into an existing folder deleted its files."""
    root = make_salon({"content/notes/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nA.\n"})
    mine = tmp_path / "Documents"
    mine.mkdir()
    (mine / "thesis.odt").write_bytes(b"years of work")
    args = ["build", "-s", str(root), "--offline", "--now", NOW.isoformat(), "-o", str(mine)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert f"{mine}/: error: refusing to build into a folder salon did not build" in result.output
    assert "hint: choose an empty or new folder, or add --output-overwrite" in result.output
    assert [p.name for p in mine.iterdir()] == ["thesis.odt"]
    # An empty folder, or one salon built, is fine; so is the owner's explicit consent.
    empty = tmp_path / "empty"
    empty.mkdir()
    ok = CliRunner().invoke(main, [*args[:-1], str(empty)])
    assert ok.exit_code == 0, ok.output
    (empty / "notes/a/index.html").write_text("edited by hand")  # salon's own: rebuilt
    assert CliRunner().invoke(main, [*args[:-1], str(empty)]).exit_code == 0
    forced = CliRunner().invoke(main, [*args, "--output-overwrite"])
    assert forced.exit_code == 0, forced.output
    assert not (mine / "thesis.odt").exists() and (mine / "index.html").is_file()
