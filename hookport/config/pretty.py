"""Writing a config dict as readable Python source (``pretty_text``, ``Config.dump('x.py')``).

The output is one ``name = value`` statement per top-level key; dicts with identifier keys are written
``dict(a=1, ...)`` (``{...}`` otherwise), and a value that does not fit on one line of ``width``
characters is split one item per line, four spaces deeper. Loading the text back gives an equal dict.

Values that have no literal form are written so that they load back as something equivalent:
classes and functions as their dotted import path string (the registry builds ``type='pkg.mod.Cls'``
like the class itself); ``inf``/``nan`` as ``float('inf')``/``float('nan')``. Anything else
(an arbitrary object) is a ConfigError naming its key.
"""
from __future__ import annotations

import keyword
import math
import unicodedata
from typing import Any, Iterator, Tuple

from hookport.errors import ConfigError

INDENT = "    "


def is_identifier(key: Any) -> bool:
    """Whether ``key`` can be written as ``key=`` / ``key = `` and read back as the same string.

    Python NFKC-normalises identifiers (``µ`` MICRO SIGN reads back as ``μ`` GREEK MU), so a key that
    normalisation changes must stay a quoted string.
    """
    return (isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key)
            and unicodedata.normalize("NFKC", key) == key)


class PyFormatter:
    """Formats values as Python source.

    Args:
        width: the line width to fit a value on one line.
        shadowed: top-level names the file itself assigns; when ``dict`` or ``float`` is one of them the
            formatter avoids calling it (``{...}`` literals, ``1e999``) so the text still loads.
    """

    def __init__(self, width: int = 100, shadowed: frozenset = frozenset()):
        self.width = width
        self.dict_call = "dict" not in shadowed
        self.float_call = "float" not in shadowed

    def module(self, cfg: dict) -> str:
        """The whole config as ``name = value`` lines."""
        lines = []
        for key, value in cfg.items():
            if not is_identifier(key) or key.startswith("__"):
                raise ConfigError(f"cannot write top-level key {key!r} as a Python config variable "
                                  f"(it must be an identifier not starting with '__'); dump to .json or .yaml")
            lines.append(f"{key} = {self.value(value, len(key) + 3, key)}")
        return "\n".join(lines) + "\n"

    def value(self, value: Any, used: int = 0, path: str = "", depth: int = 0) -> str:
        """``value`` as source; ``used`` counts the other columns its line holds (key, trailing comma)."""
        flat = self._flat(value, path)
        if len(flat) + used + depth * len(INDENT) <= self.width or not _splittable(value):
            return flat
        return self._split(value, path, depth)

    # -- one line ------------------------------------------------------------
    def _flat(self, value: Any, path: str) -> str:
        if isinstance(value, dict):
            opener, closer = self._dict_brackets(value)
            items = [head + self._flat(val, sub) for head, val, sub in self._entries(value, path)]
            return opener + ", ".join(items) + closer
        if isinstance(value, list):
            return "[" + ", ".join(self._flat(v, f"{path}[{i}]") for i, v in enumerate(value)) + "]"
        if isinstance(value, tuple) and type(value) is tuple:
            inner = ", ".join(self._flat(v, f"{path}[{i}]") for i, v in enumerate(value))
            return "(" + inner + ("," if len(value) == 1 else "") + ")"
        if isinstance(value, (set, frozenset)):
            inner = ", ".join(sorted((self._flat(v, path) for v in value)))
            text = ("{" + inner + "}") if value else "set()"
            return text if isinstance(value, set) else f"frozenset({text if value else ''})"
        return self._scalar(value, path)

    def _keyword_style(self, value: dict) -> bool:
        """``dict(a=1)`` when every key is an identifier (and ``dict`` is not shadowed), else ``{...}``."""
        return self.dict_call and all(is_identifier(k) for k in value)

    def _dict_brackets(self, value: dict) -> Tuple[str, str]:
        return ("dict(", ")") if self._keyword_style(value) else ("{", "}")

    def _entries(self, value: dict, path: str) -> Iterator[Tuple[str, Any, str]]:
        """``(head, value, path)`` per item; the head is ``key=`` or ``<key source>: ``."""
        keyword_style = self._keyword_style(value)
        for key, val in value.items():
            sub = f"{path}.{key}" if path else str(key)
            yield (f"{key}=" if keyword_style else f"{self._flat(key, sub)}: "), val, sub

    def _scalar(self, value: Any, path: str) -> str:
        if value is None or isinstance(value, (bool, int, str, bytes)):
            return repr(value)
        if isinstance(value, float):
            if math.isfinite(value):
                return repr(value)
            if math.isnan(value):
                return "float('nan')" if self.float_call else "(1e999 - 1e999)"
            sign = "-" if value < 0 else ""
            return f"{sign}float('inf')" if self.float_call else f"{sign}1e999"
        if isinstance(value, complex):
            return repr(value)
        dotted = dotted_path(value)
        if dotted is not None:
            return repr(dotted)
        raise ConfigError(f"cannot write {path or 'value'}={value!r} ({type(value).__name__}) as a config "
                          f"literal")

    # -- several lines -------------------------------------------------------
    def _split(self, value: Any, path: str, depth: int) -> str:
        inner = INDENT * (depth + 1)
        if isinstance(value, dict):
            items = [inner + head + self.value(val, len(head) + 1, sub, depth + 1)
                     for head, val, sub in self._entries(value, path)]
            opener, closer = self._dict_brackets(value)
        else:
            items = [inner + self.value(v, 1, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
            opener, closer = ("(", ")") if isinstance(value, tuple) else ("[", "]")
        return opener + "\n" + ",\n".join(items) + ",\n" + INDENT * depth + closer


def _splittable(value: Any) -> bool:
    return bool(value) and (isinstance(value, (dict, list)) or (isinstance(value, tuple) and type(value) is tuple))


def dotted_path(value: Any) -> Any:
    """``'pkg.mod.Name'`` for an importable class or function, else None."""
    if not callable(value):
        return None
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if not module or not qualname or "<" in qualname or module.startswith("__"):
        return None
    return f"{module}.{qualname}"


def format_config(cfg: dict, width: int = 100) -> str:
    """Python source for ``cfg`` (see the module docstring)."""
    return PyFormatter(width, frozenset(k for k in cfg if isinstance(k, str))).module(cfg)
