"""What a rendered page depends on: the fields its template read, and comparisons that look
only at those.

Pure. A template gets its values (`site`, a note, lists of notes...) wrapped by `watch`: every
attribute it reads of a dataclass value is recorded in a `Reads`, per type ("Note.title",
"Site.config"). `same(old, new, reads)` then compares two values looking only at what was
read: a note whose body changed is "the same" for a list page that shows only titles and
dates, so an incremental rebuild need not render that page again.

Conservative by construction: reads are recorded per type, not per instance (a field read
of one note counts for all notes on the page); anything the wrappers cannot see into
(equality, hashing, printing a whole value, iterating a dataclass) records the whole type;
values that are not dataclasses or sequences are compared whole. Must not import anything
from salon but `model`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

WHOLE = "*"  # recorded when a value was used as a whole: compare it with ==


class Reads:
    """The fields read while one page was rendered, per type; mutable until `freeze`."""

    __slots__ = ("fields", "templates")

    def __init__(self) -> None:
        self.fields: dict[type, set[str]] = {}
        self.templates: set[str] = set()  # names of the templates the page used

    def add(self, kind: type, name: str) -> None:
        found = self.fields.get(kind)
        if found is None:
            self.fields[kind] = {name}
        else:
            found.add(name)

    def freeze(self) -> FrozenReads:
        return FrozenReads(
            {k: frozenset(v) for k, v in self.fields.items()}, frozenset(self.templates)
        )


class FrozenReads:
    """Reads, finished: hashable, so pages that read the same fields share comparisons."""

    __slots__ = ("_by_type", "_key", "templates")

    def __init__(
        self, by_type: Mapping[type, frozenset[str]], templates: frozenset[str] = frozenset()
    ) -> None:
        self._by_type = dict(by_type)
        self.templates = templates
        self._key = (frozenset(self._by_type.items()), templates)

    def uses_template(self, names: frozenset[str]) -> bool:
        """True if the page used one of `names`, or a template inside a folder named."""
        return any(t == n or t.startswith(n + "/") for t in self.templates for n in names)

    def get(self, kind: type) -> frozenset[str] | None:
        return self._by_type.get(kind)

    def __contains__(self, kind: object) -> bool:
        return kind in self._by_type

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FrozenReads) and other._key == self._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        fields = sorted(f"{k.__name__}.{n}" for k, names in self._by_type.items() for n in names)
        return f"FrozenReads({', '.join(fields)})"


def watch(value: Any, reads: Reads) -> Any:
    """`value` as a template should see it: dataclass values and tuples wrapped so that
    reading them is recorded; anything else as it is."""
    kind = type(value)
    if kind is tuple:
        return _WatchedSequence(value, reads)
    if kind is list:
        return _WatchedSequence(tuple(value), reads)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _Watched(value, reads)
    if isinstance(value, Mapping) and not isinstance(value, _WatchedMapping):
        return _WatchedMapping(value, reads)
    return value


class _Watched:
    """A dataclass value whose attribute reads are recorded."""

    __slots__ = ("_reads", "_value")

    def __init__(self, value: Any, reads: Reads) -> None:
        self._value = value
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._value, name)  # AttributeError as the template expects
        self._reads.add(type(self._value), name)
        return watch(value, self._reads)

    def _whole(self) -> Any:
        self._reads.add(type(self._value), WHOLE)
        return self._value

    def __eq__(self, other: object) -> bool:
        return bool(self._whole() == _unwatched(other))

    def __hash__(self) -> int:
        return hash(self._whole())

    def __str__(self) -> str:
        return str(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())

    def __bool__(self) -> bool:
        return bool(self._whole()) if hasattr(type(self._value), "__len__") else True


def _unwatched(value: Any) -> Any:
    return value._whole() if isinstance(value, _Watched) else value


class _WatchedSequence(Sequence[Any]):
    """A tuple whose items are watched as they are taken (never all at once: a theme may
    slice the first three of ten thousand notes)."""

    __slots__ = ("_items", "_reads")

    def __init__(self, items: tuple[Any, ...], reads: Reads) -> None:
        self._items = items
        self._reads = reads

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return _WatchedSequence(self._items[index], self._reads)
        return watch(self._items[index], self._reads)

    def __iter__(self) -> Iterator[Any]:
        reads = self._reads
        return (watch(item, reads) for item in self._items)

    def __add__(self, other: Any) -> _WatchedSequence:
        more = other._items if isinstance(other, _WatchedSequence) else tuple(other)
        return _WatchedSequence(self._items + more, self._reads)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return False
        return [_unwatched(x) for x in self] == [_unwatched(x) for x in other]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._items)


class _WatchedMapping(Mapping[Any, Any]):
    """A mapping (a template variable such as `people_by_id`, a note's `extra`) whose
    values are watched as they are taken."""

    __slots__ = ("_items", "_reads")

    def __init__(self, items: Mapping[Any, Any], reads: Reads) -> None:
        self._items = items
        self._reads = reads

    def __getitem__(self, key: Any) -> Any:
        return watch(self._items[key], self._reads)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return repr(self._items)


def same(old: Any, new: Any, reads: FrozenReads) -> bool:
    """True if a page that read `reads` shows `old` and `new` identically."""
    if old is new:
        return True
    kind = type(old)
    if kind is not type(new):
        return False
    if kind is tuple or kind is list:
        if len(old) != len(new):
            return False
        return all(a is b or same(a, b, reads) for a, b in zip(old, new, strict=True))
    if dataclasses.is_dataclass(old):
        fields = reads.get(kind)
        if fields is None or WHOLE in fields:  # not seen through a wrapper: compare it all
            return bool(old == new)
        return all(same(getattr(old, f), getattr(new, f), reads) for f in fields)
    if isinstance(old, Mapping):
        return old.keys() == new.keys() and all(same(old[k], new[k], reads) for k in old)
    return bool(old == new)
