"""Source-preserving writer: replace legacy assignments in place, keep everything else byte for byte.

A replaced statement keeps the comment lines directly above it (and its
same-line comment, moved above); removed statements leave their comment lines
in place; new keys that no statement of the file produced are appended at the
end under one explanatory comment.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from hookport.converters.config.formatter import Formatter
from hookport.converters.config.reader import ConfigFile

TODO = "# TODO(hookport): "
APPENDED = "# hookport: values that follow from combining this file's bases (see the conversion report)"
#: the same for a file without bases: its new keys come from legacy settings kept with a TODO
APPENDED_NO_BASES = "# hookport: values translated from settings kept above with a TODO (see the conversion report)"


@dataclass
class NewKey:
    """One new assignment with the TODO comments written above it."""

    name: str
    value: Any
    todos: List[str] = field(default_factory=list)


@dataclass
class Plan:
    """What to do with each top-level statement (by index in ``module.body``)."""

    replace: Dict[int, List[NewKey]] = field(default_factory=dict)
    remove: set = field(default_factory=set)
    keep_with_todo: Dict[int, List[str]] = field(default_factory=dict)
    #: removed statement -> the replaced statement its comment lines move above
    moved: Dict[int, int] = field(default_factory=dict)
    append: List[NewKey] = field(default_factory=list)


def render(cfg: ConfigFile, plan: Plan) -> Tuple[str, List[str]]:
    """The new source text, and the source texts borrowed from other files (names that may be undefined)."""
    module = cfg.module
    fmt = Formatter(cfg.path)
    parts = [_code(module, line) for line in module.header]
    travelling: Dict[int, List[str]] = {}
    for index, target in sorted(plan.moved.items()):
        leading, _, comment = _split(module, module.body[index])
        lines = [line for line in leading.splitlines(keepends=True) if line.strip()]
        travelling.setdefault(target, []).extend(lines + ([comment + "\n"] if comment else []))
    for index, stmt in enumerate(module.body):
        leading, body, comment = _split(module, stmt)
        if index in plan.replace:
            parts.append(leading)
            if comment:
                parts.append(comment + "\n")
            parts.extend(travelling.get(index, []))
            parts.append(_assignments(fmt, plan.replace[index], module.default_newline))
        elif index in plan.remove:
            if index not in plan.moved:
                parts.append("".join(line for line in leading.splitlines(keepends=True) if line.strip()))
        elif index in plan.keep_with_todo:
            parts.append(leading)
            parts.extend(f"{TODO}{text}\n" for text in plan.keep_with_todo[index])
            parts.append(body)
        else:
            parts.append(_code(module, stmt))
    if plan.append:
        text = "".join(parts)
        if text and not text.endswith("\n"):
            parts.append("\n")
        note = APPENDED if cfg.base_line is not None else APPENDED_NO_BASES
        parts.append(("\n" if text.strip() else "") + note + "\n")
        parts.append(_assignments(fmt, plan.append, module.default_newline))
    parts.extend(_code(module, line) for line in module.footer)
    return "".join(parts), fmt.foreign


def _assignments(fmt: Formatter, keys: List[NewKey], newline: str) -> str:
    out = []
    for key in keys:
        out.extend(f"{TODO}{text}{newline}" for text in key.todos)
        out.append(fmt.assignment(key.name, key.value) + newline)
    return "".join(out)


def _code(module: cst.Module, node: cst.CSTNode) -> str:
    return module.code_for_node(node)


def _split(module: cst.Module, stmt: cst.CSTNode) -> Tuple[str, str, Optional[str]]:
    """(leading comment/blank lines, the statement itself, its same-line comment or None)."""
    full = _code(module, stmt)
    body = _code(module, stmt.with_changes(leading_lines=[]))
    leading = full[: len(full) - len(body)]
    comment = None
    trailing = getattr(stmt, "trailing_whitespace", None)
    if trailing is not None and trailing.comment is not None:
        comment = trailing.comment.value
    return leading, body, comment
