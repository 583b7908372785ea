"""Adding an entry to a person's private logs: now `personedit`'s (issue 12).

Kept, holding no code of its own, so that `salon_gen.logbook` still imports until the
modules move into subpackages; new code imports `personedit`.
"""

from __future__ import annotations

from .personedit import EditRefused as EditRefused
from .personedit import append_entry as append_entry
from .personedit import changed_underneath as changed_underneath
from .personedit import entry_text as entry_text
from .personedit import write_text as write_text
