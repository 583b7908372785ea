"""What the benchmark scripts share: finding the salon command to measure.

Standard library only. Imported by build_bench.py and fetch_bench.py, which run as scripts
from this folder (so it is importable by name).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path


def salon_command(text: str, timeout: float) -> tuple[list[str], str]:
    argv = shlex.split(text)
    if not argv:
        raise SystemExit("--salon is empty")
    # The console script beside this Python first: a version manager's shim on PATH (pyenv's
    # is a bash script that runs `pyenv exec`) adds ~0.13 s to every start, which would be
    # measured as salon's own time.
    beside = Path(sys.executable).parent / argv[0]
    exe = str(beside) if os.sep not in argv[0] and beside.is_file() else shutil.which(argv[0])
    if exe is None:
        raise SystemExit(
            f"{argv[0]!r} not found: install salon (pip install -e .) or pass "
            "--salon 'python -m salon_gen.cli.main'"
        )
    argv[0] = exe
    done = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} --version failed:\n{done.stderr}")
    return argv, done.stdout.strip()
