"""Numbers in the salon's own files (front matter, salon.toml): how large one may be.

Pure. Owns `MAX_DIGITS` and the two ways a too-large number is found: in parsed values
(`too_big_number`) and in the text, for its line (`number_line`), since the TOML parser
gives no position for it. Python refuses to turn more than 4,300 decimal digits into an int
(the int-string limit, CVE-2020-10735), as a `ValueError` from inside the parser; and a hex
number has no such limit, so it parses and then cannot be printed. No number in a salon
(a weight, a count, a year) needs more than a few digits: past `MAX_DIGITS` it is an error
found where it is read. Must not touch the disk.
"""

from __future__ import annotations

import re
from typing import Any

MAX_DIGITS = 40  # no weight, count or year needs more: anything longer is a typo, or an attack
_MAX_BITS = 4 * MAX_DIGITS  # as many bits as 40 hex digits
_LONG_NUMBER = re.compile(rf"[0-9A-Fa-f][0-9A-Fa-f_]{{{MAX_DIGITS},}}")

TOO_BIG = f"number is too large (salon reads numbers of up to {MAX_DIGITS} digits)"
TOO_BIG_HINT = "quote it if it is meant as text"


def too_big_number(value: Any) -> str | None:
    """The error message if any int inside `value` (nested dicts and lists of parsed TOML,
    which has no aliases, so the walk is as long as the text) is too large; else None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            if item.bit_length() > _MAX_BITS:
                return TOO_BIG
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def is_long_number(text: str) -> bool:
    """True for the text of an integer longer than MAX_DIGITS (signs and `0x` aside)."""
    digits = text.lstrip("+-").removeprefix("0x").removeprefix("0o").removeprefix("0b")
    return len(digits.replace("_", "")) > MAX_DIGITS


def number_line(lines: list[str], first: int) -> tuple[int, int | None]:
    """(line, column) of the first too-long run of digits in `lines`, whose first is line
    `first` of the file; the first line when there is none."""
    for n, line in enumerate(lines, start=first):
        if m := _LONG_NUMBER.search(line):
            return n, m.start() + 1
    return first, None
