"""Edits of person files under real concurrency (issue 15, item 2): check-ins at once on one
person lose nothing (the lock), and a check-in refuses to replace a file an editor saved
after salon read it (the compare before the swap). An editor hammering saves while check-ins
run is not tested here: the window left between the compare and the rename is real (about
one save in 2,000 lost under a tight loop), and a test of it would be flaky, not honest."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from salon_gen.writing.personedit import EditRefused, write_text

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
PERSON = "---\nname: Ana\nurl: https://ana.example/\n---\nAna writes about moths.\n"


def checkins(root: Path, worker: int, count: int) -> subprocess.Popen[str]:
    """A process that runs `salon checkin ana` `count` times, one after the other."""
    code = (
        "import subprocess, sys\n"
        f"for i in range({count}):\n"
        "    p = subprocess.run([sys.executable, '-m', 'salon_gen.cli.main', 'checkin', 'ana',"
        f" '--date', f'2026-01-{{i + 1:02d}}', '--note', f'w{worker} n{{i}}'],"
        " capture_output=True, text=True)\n"
        "    print(p.returncode, p.stderr.replace('\\n', ' | '), flush=True)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=root, env=ENV, stdout=subprocess.PIPE, text=True
    )


@pytest.mark.slow
def test_three_checkins_at_once_keep_every_entry(make_salon: Callable[..., Path]) -> None:
    root = make_salon({"content/people/ana.md": PERSON})
    workers = [checkins(root, w, 10) for w in range(3)]
    lines = [line for p in workers for line in p.communicate(timeout=600)[0].splitlines()]
    assert len(lines) == 30 and all(line.startswith("0 ") for line in lines), lines
    text = (root / "content/people/ana.md").read_text()
    for w in range(3):
        for i in range(10):
            assert f"note: w{w} n{i}\n" in text or f"note: w{w} n{i}}}" in text, (w, i, text)
    assert text.endswith("---\nAna writes about moths.\n")


def test_an_edit_made_from_an_old_read_is_refused(tmp_path: Path) -> None:
    """The owner's save landing between salon's read and its write (made to land there)."""
    path = tmp_path / "ana.md"
    path.write_text(PERSON)
    read = path.read_text()
    path.write_text(PERSON + "the owner's edit\n")  # saved between salon's read and write
    with pytest.raises(EditRefused, match="changed while salon was editing it"):
        write_text(path, read + "salon's edit\n", expected=read)
    assert path.read_text() == PERSON + "the owner's edit\n"
    assert [p.name for p in tmp_path.iterdir()] == ["ana.md"]  # no temporary file left
    write_text(path, path.read_text() + "again\n", expected=path.read_text())
    assert path.read_text().endswith("the owner's edit\nagain\n")
