"""The Nu Html Checker (vnu), for tests that hold salon's HTML to the W3C's validator.

Tests using it skip when `vnu` is not on the PATH (`../shared/validate/install.sh` puts it
there)."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

needs_vnu = pytest.mark.skipif(
    shutil.which("vnu") is None, reason="the Nu Html Checker is not installed"
)


def vnu_problems(page: str) -> list[dict[str, Any]]:
    """The errors and warnings vnu reports for the HTML document `page`."""
    out = subprocess.run(
        ["vnu", "--format", "json", "--stdout", "-"],
        input=page,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    messages = json.loads(out.stdout)["messages"]
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "warning"]
