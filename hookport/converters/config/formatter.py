"""Render config values as Python source in one consistent style.

``dict(key=value)`` for identifier keys, one element per line when a value does
not fit in 79 columns, a trailing comma on exploded containers. Elements that
passed through a translation untouched are written as the user wrote them
(their source text), but only inside the file that text came from.
"""
from __future__ import annotations

import keyword
from typing import Any, List, Optional

from hookport.converters.config.values import Opaque, Sourced

WIDTH = 79
INDENT = "    "


class Formatter:
    """Formats values for the file ``path``; collects source texts borrowed from other files."""

    def __init__(self, path: Optional[str]):
        self.path = path
        self.foreign: List[str] = []

    def assignment(self, name: str, value: Any) -> str:
        """``name = <value>`` (possibly several lines), without a trailing newline."""
        return f"{name} = {self.format(value, len(name) + 3, 0)}"

    def format(self, value: Any, column: int = 0, depth: int = 0) -> str:
        """``value`` as source; ``column`` is where it starts, ``depth`` the indentation level."""
        flat = self._flat(value)
        if flat is not None and column + len(flat) <= WIDTH and "\n" not in flat:
            return flat
        return self._exploded(value, depth) if isinstance(value, (dict, list, tuple)) and value else (flat or "")

    # -- one line ---------------------------------------------------------------------------------
    def _flat(self, value: Any) -> Optional[str]:
        if isinstance(value, Opaque):
            self._note_foreign(value.origin, value.src)
            return value.src
        if isinstance(value, dict):
            return self._open(value) + ", ".join(self._item(value, k, None) for k in value) + self._close(value)
        if isinstance(value, (list, tuple)):
            items = [self._element(value, i, None) for i in range(len(value))]
            if isinstance(value, tuple):
                return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"
            return "[" + ", ".join(items) + "]"
        if isinstance(value, float) and value != value:
            return "float('nan')"
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            return "float('inf')" if value > 0 else "-float('inf')"
        return repr(value)

    # -- exploded ---------------------------------------------------------------------------------
    def _exploded(self, value: Any, depth: int) -> str:
        pad = INDENT * (depth + 1)
        if isinstance(value, dict):
            lines = [pad + self._item(value, k, depth + 1) + "," for k in value]
            return self._open(value) + "\n" + "\n".join(lines) + "\n" + INDENT * depth + self._close(value)
        lines = [pad + self._element(value, i, depth + 1) + "," for i in range(len(value))]
        brackets = "()" if isinstance(value, tuple) else "[]"
        return brackets[0] + "\n" + "\n".join(lines) + "\n" + INDENT * depth + brackets[1]

    @staticmethod
    def _call_style(value: dict) -> bool:
        return bool(value) and all(isinstance(k, str) and k.isidentifier() and not keyword.iskeyword(k) for k in value)

    def _open(self, value: dict) -> str:
        return "dict(" if self._call_style(value) or not value else "{"

    def _close(self, value: dict) -> str:
        return ")" if self._call_style(value) or not value else "}"

    def _item(self, container: dict, key: Any, depth: Optional[int]) -> str:
        head = f"{key}=" if self._call_style(container) else f"{self._flat(key)}: "
        text = self._source(container, key)
        if text is not None and depth is not None:
            text = reindent(text, depth)
        if text is None:
            text = self._flat(container[key]) if depth is None else self.format(
                container[key], len(INDENT * depth) + len(head) + 1, depth)
        return head + text

    def _element(self, container: Any, index: int, depth: Optional[int]) -> str:
        text = self._source(container, index)
        if text is not None:
            return text if depth is None else reindent(text, depth)
        if depth is None:
            return self._flat(container[index])
        return self.format(container[index], len(INDENT * depth) + 1, depth)  # +1: the trailing comma

    def _source(self, container: Any, key: Any) -> Optional[str]:
        """The user's own text for an untouched element, when it belongs to this file."""
        if not isinstance(container, Sourced) or getattr(container, "origin", None) != self.path:
            return None
        return container.source_of(key, container[key])

    def _note_foreign(self, origin: Optional[str], src: str) -> None:
        if origin is not None and origin != self.path:
            self.foreign.append(src)


def reindent(text: str, depth: int) -> str:
    """Shift the continuation lines of a multi-line source text to sit under indentation level ``depth``.

    The text's first line lost its indentation when it was cut out of its statement; its original
    indentation is that of a final closing bracket, else one level less than the least-indented
    continuation line.
    """
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    rest = [line for line in lines[1:] if line.strip()]
    if not rest:
        return text
    least = min(len(line) - len(line.lstrip(" ")) for line in rest)
    last = rest[-1]
    if last.lstrip()[:1] in ")]}":  # a closing bracket sits at the opening line's indentation
        original = len(last) - len(last.lstrip(" "))
    else:
        original = max(0, least - len(INDENT))
    shift = len(INDENT) * depth - original
    out = [lines[0]]
    for line in lines[1:]:
        if shift >= 0:
            out.append(" " * shift + line if line.strip() else line)
        else:
            cut = min(-shift, len(line) - len(line.lstrip(" ")))
            out.append(line[cut:])
    return "\n".join(out)
