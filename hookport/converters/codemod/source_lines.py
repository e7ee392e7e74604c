"""The original text of each statement in a hook method, from Python's own (C) parser.

The body rules' prefilter needs a statement's text; generating it with libcst costs
about as much as generating the whole file again, while slicing the original source
by ``ast`` line numbers is nearly free. Statements are paired with libcst's block by
block (libcst keeps ``a = 1; b = 2`` as one statement, ``ast`` has two); a block that
cannot be paired (it always can for valid code) falls back to libcst's own text.
"""
from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

_COMPOUND = tuple(getattr(ast, name) for name in (
    "FunctionDef", "AsyncFunctionDef", "ClassDef", "If", "For", "AsyncFor", "While", "With", "AsyncWith", "Try",
    "TryStar", "Match") if hasattr(ast, name))

#: the ``ast`` statements one libcst statement stands for
Group = List[ast.stmt]


def group(body: Sequence[ast.stmt]) -> List[Group]:
    """``ast`` statements grouped the way libcst groups them (simple statements sharing a line)."""
    groups: List[Group] = []
    for stmt in body:
        if groups and not isinstance(stmt, _COMPOUND) and not isinstance(groups[-1][-1], _COMPOUND) \
                and stmt.lineno == groups[-1][-1].end_lineno:
            groups[-1].append(stmt)
        else:
            groups.append([stmt])
    return groups


def _block(suite) -> Optional[Sequence[cst.BaseStatement]]:
    return suite.body if isinstance(suite, cst.IndentedBlock) else None


def nested(stmt: cst.BaseStatement, grp: Group) -> Iterator[Tuple[cst.BaseStatement, Group]]:
    """Pairs ``(libcst child statement, its ast group)`` for every block directly inside ``stmt``."""
    if len(grp) != 1:
        return
    node = grp[0]
    pairs: List[Tuple[Optional[Sequence[cst.BaseStatement]], Sequence[ast.stmt]]] = []
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef, cst.With)) or \
            (isinstance(stmt, (cst.For, cst.While)) and isinstance(node, (ast.For, ast.AsyncFor, ast.While))):
        pairs.append((_block(stmt.body), node.body))
        orelse = getattr(stmt, "orelse", None)
        if orelse is not None:
            pairs.append((_block(orelse.body), node.orelse))
    elif isinstance(stmt, cst.If) and isinstance(node, ast.If):
        pairs.append((_block(stmt.body), node.body))
        if isinstance(stmt.orelse, cst.If) and node.orelse:
            yield stmt.orelse, [node.orelse[0]]  # elif: a statement of its own
        elif isinstance(stmt.orelse, cst.Else):
            pairs.append((_block(stmt.orelse.body), node.orelse))
    elif isinstance(stmt, cst.Try) and isinstance(node, ast.Try) and len(stmt.handlers) == len(node.handlers):
        pairs.append((_block(stmt.body), node.body))
        pairs += [(_block(h.body), a.body) for h, a in zip(stmt.handlers, node.handlers)]
        if stmt.orelse is not None:
            pairs.append((_block(stmt.orelse.body), node.orelse))
        if stmt.finalbody is not None:
            pairs.append((_block(stmt.finalbody.body), node.finalbody))
    for children, ast_body in pairs:
        groups = group(ast_body)
        if children is not None and len(children) == len(groups):
            yield from zip(children, groups)


class StatementLines:
    """Per top-level class: its methods' statement groups, and their source text."""

    def __init__(self, source: str):
        self._lines = source.splitlines(True)
        try:
            tree: Optional[ast.Module] = ast.parse(source)
        except SyntaxError:  # libcst accepted it; just use libcst's text
            tree = None
        #: the file's ``ast`` (None if Python's parser rejects what libcst accepted)
        self.tree = tree
        self._classes: Dict[str, ast.ClassDef] = {}
        for node in tree.body if tree is not None else ():
            if isinstance(node, ast.ClassDef):
                self._classes.setdefault(node.name, node)

    def methods(self, class_name: str) -> Optional[List[List[Group]]]:
        """The statement groups of each method of ``class_name``, in source order."""
        cls = self._classes.get(class_name)
        if cls is None:
            return None
        return [group(fn.body) for fn in cls.body if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))]

    def text(self, grp: Group) -> str:
        """The source lines a statement group spans (decorators included)."""
        first = grp[0]
        start = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", ())])
        return "".join(self._lines[start - 1:grp[-1].end_lineno])
