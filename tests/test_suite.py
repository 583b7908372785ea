"""The test suite's own promises (README, Development): CI runs the README's test command,
and the documented quick subset leaves out exactly the browser and the slow tests, so that
a contributor who runs it skips nothing else."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")

# The files that hold slow or browser tests, and what the quick subset must leave out of
# them: a test that loses its mark (or a new slow one left unmarked here) fails below.
SLOW = {
    "tests/test_concurrent_edits.py::test_three_checkins_at_once_keep_every_entry",
    "tests/test_engine_record.py::test_a_build_killed_while_writing_is_followed_by_a_correct_build",
    *(
        "tests/test_engine_record.py::"
        f"test_every_kind_of_edit_built_by_a_new_process_matches_a_clean_build[{case}]"
        for case in ("just-written", "aged")
    ),
    "tests/test_lock.py::test_a_second_writer_waits_then_says_who_holds_the_salon",
    *(f"tests/test_lock.py::test_every_writing_command_takes_the_lock[args{i}]" for i in range(6)),
    "tests/test_lock.py::test_serve_starts_only_when_it_holds_the_lock",
}
BROWSER_FILES = ("tests/test_browser.py", "tests/test_browser_file.py")
BROWSER_IN_SERVE = {
    "tests/test_serve.py::test_the_overlay_in_a_real_browser",
    "tests/test_serve.py::test_the_overlay_is_readable_in_both_colour_schemes[light]",
    "tests/test_serve.py::test_the_overlay_is_readable_in_both_colour_schemes[dark]",
}
FILES = sorted({i.split("::")[0] for i in SLOW | BROWSER_IN_SERVE} | set(BROWSER_FILES))


def quick_selection() -> str:
    """The -m expression of the quick subset the README documents."""
    found = re.findall(r'`python3 -m pytest -m "(not browser[^"]*)"`', README)
    assert len(found) == 1, found
    return found[0]


NO_XDIST = ("-n", "0")  # collecting only: no workers


def collected(*args: str, cwd: Path = REPO) -> set[str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            *NO_XDIST,
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: all deselected
    return {line for line in done.stdout.splitlines() if "::" in line}


def test_ci_runs_the_readme_test_command() -> None:
    command = 'python3 -m pip install -e ".[test]" -c tests/constraints.txt && python3 -m pytest'
    assert f"\n{command}\n" in README
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == command


def test_the_markers_are_registered_and_a_typo_in_one_is_an_error() -> None:
    pytest_ini = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "pytest"
    ]["ini_options"]
    names = {marker.split(":")[0] for marker in pytest_ini["markers"]}
    assert {"browser", "slow"} <= names
    assert "--strict-markers" in pytest_ini["addopts"].split()
    assert quick_selection() == "not browser and not slow"


def test_the_quick_subset_leaves_out_exactly_the_browser_and_the_slow_tests() -> None:
    every = collected(*FILES)
    quick = collected("-m", quick_selection(), *FILES)
    left_out = every - quick
    browser = {i for i in every if i.split("::")[0] in BROWSER_FILES} | BROWSER_IN_SERVE
    assert every >= SLOW | BROWSER_IN_SERVE
    assert left_out == SLOW | browser
    assert quick, "the quick subset of these files is empty"


def test_a_test_that_opens_chromium_is_a_browser_test_even_unmarked(tmp_path: Path) -> None:
    """The `browser` fixture marks its users, so the quick subset never starts Chromium."""
    (tmp_path / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    (tmp_path / "tests").symlink_to(REPO / "tests", target_is_directory=True)
    (tmp_path / "test_unmarked.py").write_text(
        "def test_opens(browser):\n    pass\n\n\ndef test_does_not():\n    pass\n"
    )
    every = collected("test_unmarked.py", cwd=tmp_path)
    assert every == {"test_unmarked.py::test_opens", "test_unmarked.py::test_does_not"}
    assert collected("-m", "not browser", "test_unmarked.py", cwd=tmp_path) == {
        "test_unmarked.py::test_does_not"
    }
