"""Merging config dicts: a child over its bases, sibling bases together, ``--cfg-options`` over a config.

Rules (MMCV 1.x / MMEngine, observed with mmcv 1.7.2 and mmengine 0.10.7):

* a dict in the child merges key by key into the base's dict, recursively;
* ``_delete_=True`` in a child dict replaces the base's value instead (the key itself is dropped);
* any other value (lists included) replaces the base's value;
* a child dict over a base value that is neither a dict nor (with ``allow_list_keys``) a list is an error
  that suggests ``_delete_=True``;
* with ``allow_list_keys`` a child dict whose keys are list indexes (``{'0': ...}``, the form
  ``merge_from_dict`` produces for ``a.0.b=v``) merges into a base list element by element; an element
  that is not a dict is simply set (``b.1=9`` on ``[0, 1, 2]``; mmcv 1.7.2 and mmengine 0.10.7 crash with
  ``AttributeError`` there).

Sibling bases: under ``'mmcv'`` (MMCV and MMEngine) two bases defining the same top-level key is an error;
under ``'imix'`` the first base listed that defines a key wins (iMIX's ``Config._file2dict``).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List

from hookport.errors import ConfigError

_LOG = logging.getLogger(__name__)
DELETE_KEY = "_delete_"
BASE_RULES = ("mmcv", "imix")


def strip_delete(value: Any) -> Any:
    """A copy of ``value`` without any ``_delete_`` keys (they only mean something during a merge)."""
    if isinstance(value, dict):
        return {k: strip_delete(v) for k, v in value.items() if k != DELETE_KEY}
    if isinstance(value, list):
        return [strip_delete(v) for v in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(strip_delete(v) for v in value)
    return value


def merge(base: Any, child: dict, *, allow_list_keys: bool = False, path: str = "") -> Any:
    """Return ``child`` merged over ``base`` (neither is modified).

    Args:
        base: the inherited value (a dict, or a list when ``allow_list_keys``).
        child: the overriding dict.
        allow_list_keys: let digit keys index into a base list.
        path: the dotted key of ``base``, for messages.
    Raises:
        ConfigError: a dict cannot merge into the base value, or a list index is out of range.
    """
    if isinstance(base, list) and allow_list_keys:
        merged_list = list(base)
        for key, value in child.items():
            if key == DELETE_KEY:
                continue
            index = _list_index(key, len(base), path)
            merged_list[index] = _merge_value(base[index], value, allow_list_keys, _join(path, key))
        return merged_list
    merged = dict(base)
    for key, value in child.items():
        if key == DELETE_KEY:
            continue
        merged[key] = _merge_value(base.get(key, _MISSING), value, allow_list_keys, _join(path, key))
    return merged


_MISSING = object()


def _merge_value(old: Any, new: Any, allow_list_keys: bool, path: str) -> Any:
    if not isinstance(new, dict) or old is _MISSING or new.get(DELETE_KEY, False):
        return strip_delete(new)
    mergeable = (dict, list) if allow_list_keys else (dict,)
    if not isinstance(old, mergeable):
        raise ConfigError(f"{path}={_short(new)} is a dict but the base value is a {type(old).__name__} "
                          f"({_short(old)}); set {DELETE_KEY}=True in it to replace the base value")
    return merge(old, new, allow_list_keys=allow_list_keys, path=path)


def _list_index(key: Any, length: int, path: str) -> int:
    text = str(key)
    if not text.isdigit():
        raise ConfigError(f"{_join(path, text)}: {path or 'the value'} is a list, so the key must be an index, "
                          f"got {text!r}")
    index = int(text)
    if index >= length:
        raise ConfigError(f"{_join(path, text)}: list index {index} out of range ({path} has {length} items)")
    return index


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class BaseCombiner:
    """Combines sibling bases (each already fully loaded) in ``_base_`` order.

    Args:
        rule: ``'mmcv'`` (a top-level key defined by two bases is an error) or ``'imix'`` (the first
            base that defines a key wins).
    """

    def __init__(self, rule: str = "mmcv"):
        if rule not in BASE_RULES:
            raise ConfigError(f"unknown base rule {rule!r}; expected one of {', '.join(BASE_RULES)}")
        self.rule = rule
        self.combined: dict = {}
        self.origin: Dict[str, str] = {}

    def add(self, file: str, cfg: dict) -> None:
        """Add the next base; ConfigError naming the key and both files on a duplicate under ``'mmcv'``."""
        for key, value in cfg.items():
            if key in self.combined:
                if self.rule == "imix":
                    _LOG.info("%s: %r is already defined by %s; iMIX keeps the first base's value",
                              file, key, self.origin[key])
                    continue
                raise ConfigError(f"Duplicate key {key!r} among bases: defined in both {self.origin[key]} "
                                  f"and {file}")
            self.combined[key] = value
            self.origin[key] = file


def options_to_tree(options: Dict[str, Any]) -> dict:
    """Turn ``{'a.b.c': v}`` into ``{'a': {'b': {'c': v}}}`` (later keys merge into earlier ones)."""
    tree: dict = {}
    for dotted, value in options.items():
        parts: List[str] = str(dotted).split(".")
        if not all(parts):
            raise ConfigError(f"bad option key {dotted!r}: empty part in the dotted path")
        node = tree
        for depth, part in enumerate(parts[:-1]):
            if part not in node:
                node[part] = {}
            elif not isinstance(node[part], dict):
                prefix = ".".join(parts[:depth + 1])
                raise ConfigError(f"option {dotted!r} reaches into {prefix!r}, which an earlier option set to "
                                  f"{node[part]!r}")
            node = node[part]
        node[parts[-1]] = value
    return tree
