"""``# TODO(hookport HPxxx): ...`` comments, placed on the line directly above a construct."""
from __future__ import annotations

import re
from typing import Iterable, Sequence, Tuple, TypeVar

import libcst as cst

#: a TODO line as written into sources (and found again by the report)
TODO_RE = re.compile(r"#\s*TODO\(hookport (HP\d{3})\):\s*(.*)$")

Node = TypeVar("Node", bound=cst.CSTNode)


def comment(code: str, text: str) -> str:
    """The comment text of one TODO (one line: newlines in ``text`` are folded)."""
    return f"# TODO(hookport {code}): {' '.join(text.split())}"


def attach(node: Node, todos: Iterable[Tuple[str, str]]) -> Node:
    """Return ``node`` (a statement) with the TODO comments above it, each added once.

    A TODO already present (an earlier run) is not repeated, which keeps the codemod idempotent.
    """
    existing = {line.comment.value for line in node.leading_lines if line.comment is not None}
    new = []
    for code, text in todos:
        value = comment(code, text)
        if value not in existing:
            existing.add(value)
            new.append(cst.EmptyLine(indent=True, comment=cst.Comment(value)))
    if not new:
        return node
    return node.with_changes(leading_lines=[*node.leading_lines, *new])


def todo_lines(lines: Sequence[str]):
    """``(line_number, code, message)`` of every hookport TODO in ``lines`` (1-based)."""
    for number, line in enumerate(lines, 1):
        match = TODO_RE.search(line)
        if match:
            yield number, match.group(1), match.group(2).strip()
