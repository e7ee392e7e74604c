"""``--cfg-options KEY=VALUE ...``: parse command-line overrides into ``{'a.b.c': value}``.

Values are read as Python literals where they are one, and the MMEngine 0.10.7 ``DictAction`` way
(bare words, comma lists) where they are not:

1. the whole value as a Python literal (``ast.literal_eval``): ``4`` -> 4, ``0.1`` -> 0.1, ``1e-3``,
   ``-1``, ``0x10`` -> 16, ``True``, ``None``, ``'a b'`` -> 'a b', ``[1, 'x']``, ``(1,)``, ``{'k': 1}``;
2. otherwise structurally, element by element: ``[a, b]`` -> ['a', 'b'], ``(1, x)`` -> (1, 'x'),
   nested brackets nest; a bare element is an int, a float, ``true``/``false`` (any case) -> bool,
   ``None`` -> None, else the text itself (quotes around it removed).

Either way a comma list without brackets (``a=1,2`` or ``a=x,y``) is a **list**, as in MMCV/MMEngine,
not the tuple a Python literal ``1,2`` would be. Known differences from MMEngine's ``DictAction``, all
deliberate: whitespace inside a value is kept (MMEngine deletes every space, so ``a=x y`` gives
``'xy'`` there); ``0x10`` is 16 (MMEngine: the string ``'0x10'``); ``{'k': 1}`` is a dict (MMEngine:
a string); a quoted value is always a string (``a="[1,2]"`` is the string ``'[1,2]'``; MMEngine strips
the quotes and parses a list) -- quoting is the way to force a string; ``a=[x],[y]`` is the list
``[['x'], ['y']]`` (mmcv 1.7.2 and MMEngine 0.10.7 die with ``RecursionError`` on a comma list whose
first and last items are bracketed).
"""
from __future__ import annotations

import ast
from typing import Any, Dict, Iterable, Iterator, List, Tuple

from hookport.errors import ConfigError

_OPENERS = {"[": "]", "(": ")", "{": "}"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}


def parse_cfg_options(items: Iterable[str]) -> Dict[str, Any]:
    """Parse ``["a.b=1", "c=[1,2]", "d=x"]`` into ``{'a.b': 1, 'c': [1, 2], 'd': 'x'}``.

    A key given twice keeps the last value. Raises ConfigError naming the item when an item has no
    ``=``, an empty key, or unbalanced brackets.
    """
    options: Dict[str, Any] = {}
    for item in items:
        key, sep, text = str(item).partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--cfg-options item {item!r}: expected KEY=VALUE (e.g. train_cfg.max_epochs=4)")
        if any(not part for part in key.split(".")):
            raise ConfigError(f"--cfg-options item {item!r}: key {key!r} has an empty part")
        try:
            options[key] = parse_value(text)
        except ValueError as err:
            raise ConfigError(f"--cfg-options item {item!r}: {err}") from None
    return options


def parse_value(text: str) -> Any:
    """Parse one option value (see the module docstring); ValueError on unbalanced brackets."""
    text = text.strip()
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _parse_structured(text)
    if isinstance(value, tuple) and split_top_level(text) != [text]:
        return list(value)  # "1,2": a comma list, which MMCV/MMEngine read as a list
    return value


def _parse_structured(text: str) -> Any:
    """MMEngine-style parse of a value that is not a Python literal."""
    text = text.strip()
    parts = split_top_level(text)
    if len(parts) > 1:
        return [_parse_element(p) for p in _drop_trailing_empty(parts)]
    return _parse_element(text)


def _parse_element(text: str) -> Any:
    text = text.strip()
    if text[:1] in ("[", "(") and _matching_close(text) == len(text) - 1:
        inner = text[1:-1].strip()
        parts = _drop_trailing_empty(split_top_level(inner)) if inner else []
        values = [parse_value(p) for p in parts]
        return tuple(values) if text[0] == "(" else values
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    return _scalar(text)


def _scalar(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text == "None":
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _drop_trailing_empty(parts: List[str]) -> List[str]:
    """``[1, 2,]`` has two elements, not three."""
    return parts[:-1] if parts and not parts[-1].strip() else parts


def _unquoted(text: str) -> Iterator[Tuple[int, str]]:
    """``(index, char)`` of each character of ``text`` outside quotes (the quotes themselves excluded)."""
    quote = None
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        else:
            yield index, char


def split_top_level(text: str) -> List[str]:
    """Split ``text`` at commas outside brackets and quotes; ValueError on unbalanced brackets."""
    parts, depth_stack, start = [], [], 0
    for index, char in _unquoted(text):
        if char in _OPENERS:
            depth_stack.append(char)
        elif char in _CLOSERS:
            if not depth_stack or depth_stack[-1] != _CLOSERS[char]:
                raise ValueError(f"unbalanced {char!r} at position {index} in {text!r}")
            depth_stack.pop()
        elif char == "," and not depth_stack:
            parts.append(text[start:index])
            start = index + 1
    if depth_stack:
        raise ValueError(f"unclosed {depth_stack[-1]!r} in {text!r}")
    parts.append(text[start:])
    return parts


def _matching_close(text: str) -> int:
    """Index of the bracket closing ``text[0]`` (-1 if none)."""
    depth = 0
    for index, char in _unquoted(text):
        if char in _OPENERS:
            depth += 1
        elif char in _CLOSERS:
            depth -= 1
            if depth == 0:
                return index
    return -1
