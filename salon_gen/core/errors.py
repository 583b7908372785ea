"""Diagnostics: the one way every stage reports a problem.

Owns the `Diagnostic` value (compiler-style ``path:line:col: error: message``) and the
`BuildFailed` exception that carries a batch of them. Must not print or exit: the CLI decides
how diagnostics reach the user.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One problem found in the salon's input, located as precisely as we can."""

    path: str  # relative to the salon folder, with forward slashes
    message: str
    severity: Severity = "error"
    line: int | None = None  # 1-based
    col: int | None = None  # 1-based
    hint: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        """Render as ``path:line:col: severity: message`` plus an indented hint line."""
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    return (d.path, d.line or 0, d.col or 0, d.message)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A 'did you mean' hint for a near miss of one of `choices`, or None."""
    import difflib  # here, not at the top: the no-change fast path never needs it

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.75)
    return f"did you mean '{close[0]}'?" if close else None


class BuildFailed(Exception):
    """Raised by the shell when a stage reported errors; carries every diagnostic found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=sort_key))
        errors = sum(1 for d in self.diagnostics if d.is_error)
        super().__init__(f"{errors} error(s)")
