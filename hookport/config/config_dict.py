"""``ConfigDict``: a dict with attribute access, the value type of every loaded config."""
from __future__ import annotations

from typing import Any


class ConfigDict(dict):
    """A ``dict`` whose keys are also attributes (``cfg.model.type``).

    Nested dicts, including dicts inside lists and tuples, are converted to
    ``ConfigDict`` on construction and on assignment, so attribute access works
    at any depth (``cfg.custom_hooks[0].type``). A missing attribute raises
    ``AttributeError`` naming the key, so ``getattr(cfg, 'x', default)`` and
    ``hasattr`` behave as for any object.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__()
        for key, value in dict(*args, **kwargs).items():
            super().__setitem__(key, _convert(value))

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"config has no key {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(f"config has no key {name!r}") from None

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, _convert(value))

    def setdefault(self, key: Any, default: Any = None) -> Any:
        """``dict.setdefault`` that converts a stored default."""
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """``dict.update`` that converts nested dicts (shallow: replaces, never merges)."""
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def copy(self) -> "ConfigDict":
        """A shallow copy that stays a ``ConfigDict``."""
        return ConfigDict(self)

    def __copy__(self) -> "ConfigDict":
        return self.copy()

    def __deepcopy__(self, memo: dict) -> "ConfigDict":
        import copy

        clone = ConfigDict()
        memo[id(self)] = clone
        for key, value in self.items():
            dict.__setitem__(clone, copy.deepcopy(key, memo), copy.deepcopy(value, memo))
        return clone

    def __reduce__(self):
        # dict subclasses with __getattr__ confuse the default pickle protocol; rebuild from a plain dict.
        return (ConfigDict, (dict(self),))

    def to_dict(self) -> dict:
        """A deep copy made of plain ``dict`` (lists and tuples keep their type)."""
        return to_plain(self)


def _convert(value: Any) -> Any:
    """Turn dicts (also inside lists/tuples) into ``ConfigDict``; leave anything else alone."""
    if isinstance(value, ConfigDict):
        return value
    if isinstance(value, dict):
        return ConfigDict(value)
    if isinstance(value, list):
        return [_convert(v) for v in value]
    if isinstance(value, tuple) and type(value) is tuple:  # keep namedtuples as they are
        return tuple(_convert(v) for v in value)
    return value


def to_plain(value: Any) -> Any:
    """Recursively turn ``ConfigDict`` (and dict subclasses) into plain ``dict``."""
    if isinstance(value, dict):
        return {key: to_plain(val) for key, val in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(to_plain(v) for v in value)
    return value
