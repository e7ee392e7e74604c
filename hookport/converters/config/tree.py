"""Load a config with its ``_base_`` files (read, never executed) and merge them the legacy way.

MMCV 1.x: bases merge in order, a key defined by two bases is an error, the
child merges over them (dicts recursively, ``_delete_=True`` replaces, lists
replace). iMIX: the same, except that the first base defining a key wins.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Union

from hookport.converters.config.reader import ConfigFile, parse_source
from hookport.converters.config.values import SDict, Sourced
from hookport.errors import ConfigError


@dataclass
class Loaded:
    """A config file with its loaded bases and the legacy values it inherits and ends up with."""

    file: ConfigFile
    bases: List["Loaded"] = field(default_factory=list)
    inherited: Dict[str, Any] = field(default_factory=dict)
    full: Dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """Absolute path of the file."""
        return self.file.path


def merge_into(base: Dict[str, Any], child: Dict[str, Any]) -> Dict[str, Any]:
    """``child`` merged over a copy of ``base`` (legacy semantics; ``_delete_`` honoured and removed).

    Merged dicts keep the child's source texts (the base's entries are re-rendered from their values).
    """
    out = SDict(base)
    out.origin = getattr(child, "origin", None)
    for key, value in child.items():
        if isinstance(value, dict) and not value.get("_delete_", False) and isinstance(out.get(key), dict):
            out[key] = merge_into(out[key], value)
        else:
            out[key] = strip_delete(value)
            if isinstance(child, Sourced) and key in child.srcs and out[key] is value:
                out.srcs[key] = child.srcs[key]
    return out


def strip_delete(value: Any) -> Any:
    """``value`` without ``_delete_`` markers at any depth (the same object when it has none)."""
    if not isinstance(value, dict) or not _has_delete(value):
        return value
    out = SDict()
    out.origin = getattr(value, "origin", None)
    for key, item in value.items():
        if key == "_delete_":
            continue
        out[key] = strip_delete(item)
        if isinstance(value, Sourced) and key in value.srcs and out[key] is item:
            out.srcs[key] = value.srcs[key]
    return out


def _has_delete(value: Any) -> bool:
    if isinstance(value, dict):
        return "_delete_" in value or any(_has_delete(v) for v in value.values())
    return False


class Loader:
    """Loads files with their bases; caches by absolute path (a tree shares its bases).

    Args:
        first_wins: whether the iMIX rule applies to a key defined by several bases (else such a key is an
            error): a bool, or a function of one base's merged config (e.g. "it looks like iMIX").
    """

    def __init__(self, first_wins: Union[bool, Callable[[Dict[str, Any]], bool]] = False,
                 execute: Optional[Callable[[str, Dict[str, Any]], Dict[str, Any]]] = None):
        self.first_wins = first_wins if callable(first_wins) else (lambda _cfg, rule=first_wins: rule)
        #: --exec: a function (path, values read without running) -> the values the executed config has
        self.execute = execute
        self._cache: Dict[str, Loaded] = {}

    def load(self, path: str, _stack: Optional[List[str]] = None, _from: Optional[tuple] = None) -> Loaded:
        """The loaded config at ``path`` (``_from`` = (file, line) of the ``_base_`` entry naming it)."""
        path = os.path.abspath(path)
        stack = _stack or []
        if path in stack:
            chain = " -> ".join(os.path.basename(p) for p in stack + [path])
            raise ConfigError(f"cyclic _base_: {chain}", *(_from or (path, None)))
        if path in self._cache:
            return self._cache[path]
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as err:
            where = _from or (path, None)
            raise ConfigError(f"cannot read config {path}: {err.strerror}", *where) from None
        first = parse_source(text, path)
        folder = os.path.dirname(path)
        bases = [
            self.load(os.path.join(folder, entry), stack + [path], (path, first.base_line))
            for entry in first.base_entries
        ]
        inherited = self._merge_bases(bases, path, first.base_line)
        parsed = parse_source(text, path, inherited) if "{{" in text else first
        own = parsed.own
        full = merge_into(inherited, own)
        if self.execute is not None:
            full = self.execute(path, full)
        loaded = Loaded(parsed, bases, inherited, full)
        self._cache[path] = loaded
        return loaded

    def _merge_bases(self, bases: List[Loaded], path: str, line: Optional[int]) -> Dict[str, Any]:
        merged: Dict[str, Any] = {}
        owner: Dict[str, str] = {}
        for base in bases:
            for key, value in base.full.items():
                if key in merged:
                    if self.first_wins(base.full):
                        continue
                    raise ConfigError(
                        f"duplicate key '{key}' among bases ({os.path.basename(owner[key])} and "
                        f"{os.path.basename(base.path)})", path, line)
                merged[key] = copy.copy(value)
                owner[key] = base.path
        return merged
