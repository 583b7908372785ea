"""House-style checks as tests, so CI enforces them: lint, format, types, import layers."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)


def needs(tool: str) -> str:
    path = shutil.which(tool) or str(Path(sys.executable).parent / tool)
    if not Path(path).exists():
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]')")
    return path


def test_ruff_check() -> None:
    result = run(needs("ruff"), "check", "salon_gen", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run(sys.executable, "-m", "mypy", "--strict", "salon_gen")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers() -> None:
    result = run(needs("lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr
