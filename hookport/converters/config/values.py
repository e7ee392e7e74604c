"""Values produced by the safe evaluator, carrying the source text they came from.

Containers read from a config remember the source of each element, so a value
that passes through a translation untouched is written back exactly as the user
wrote it (``data_root + 'ann.json'``, ``pipeline=train_pipeline``). Anything the
evaluator cannot read becomes an :class:`Opaque` holding its source text.
"""
from __future__ import annotations

from typing import Any, Dict, Optional


class Opaque:
    """An expression the evaluator does not interpret; written back verbatim."""

    __slots__ = ("src", "line", "why", "origin")

    def __init__(self, src: str, line: Optional[int] = None, why: str = "", origin: Optional[str] = None):
        self.src = src
        self.line = line
        self.why = why
        self.origin = origin  # the file whose names the text refers to (None: valid anywhere)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Opaque) and other.src == self.src

    def __hash__(self) -> int:
        return hash(self.src)

    def __repr__(self) -> str:
        return f"Opaque({self.src!r})"


class Sourced:
    """Mixin for containers that remember each element's source text."""

    #: element key (dict key or list index) -> (source text, the value it evaluated to)
    srcs: Dict[Any, tuple]
    #: the file the source text belongs to (its names are only defined there)
    origin: Optional[str] = None

    def source_of(self, key: Any, value: Any) -> Optional[str]:
        """The original source of element ``key`` if ``value`` is still what it evaluated to."""
        entry = getattr(self, "srcs", {}).get(key)
        if entry is None:
            return None
        src, original = entry
        if original is value:
            return src
        if type(original) is type(value) and not isinstance(value, (dict, list, tuple)) and original == value:
            return src
        return None


class SDict(dict, Sourced):
    """A dict read from source; ``srcs`` maps keys to their argument source."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.srcs = {}


class SList(list, Sourced):
    """A list read from source."""

    def __init__(self, *args):
        super().__init__(*args)
        self.srcs = {}


class STuple(tuple, Sourced):
    """A tuple read from source."""

    def __new__(cls, items=()):
        obj = super().__new__(cls, items)
        obj.srcs = {}
        return obj


def sub_dict(source: dict, keys) -> dict:
    """A new dict with ``keys`` of ``source`` (in source order), keeping their source text."""
    out = SDict()
    out.origin = getattr(source, "origin", None)
    for key in source:
        if key in keys:
            out[key] = source[key]
            if isinstance(source, Sourced) and key in source.srcs:
                out.srcs[key] = source.srcs[key]
    return out


def carry(target: dict, key: Any, source: dict, source_key: Any = None) -> None:
    """``target[key] = source[source_key]``, keeping the element's source text when both come from one file."""
    source_key = key if source_key is None else source_key
    target[key] = source[source_key]
    if not isinstance(target, Sourced) or not isinstance(source, Sourced) or source_key not in source.srcs:
        return
    origin = getattr(source, "origin", None)
    if target.origin is None and not target.srcs:
        target.origin = origin
    if target.origin == origin:
        target.srcs[key] = source.srcs[source_key]


def without(source: dict, *drop: str) -> dict:
    """A new dict with everything of ``source`` except ``drop``, keeping source text."""
    return sub_dict(source, [k for k in source if k not in drop])


def plain(value: Any) -> Any:
    """The value with source-carrying containers turned into plain dict/list/tuple (for comparison/JSON)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    return value


def contains_opaque(value: Any) -> Optional[Opaque]:
    """The first :class:`Opaque` inside ``value``, or None."""
    if isinstance(value, Opaque):
        return value
    if isinstance(value, dict):
        items = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return None
    for item in items:
        found = contains_opaque(item)
        if found is not None:
            return found
    return None


def type_name(value: Any) -> str:
    """The user-facing type name (``dict`` for an SDict, ``list`` for an SList...)."""
    for kind in (dict, list, tuple):
        if isinstance(value, kind):
            return kind.__name__
    return type(value).__name__
