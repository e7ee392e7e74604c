"""The original text of each statement in a hook method, from Python's own (C) parser.

The body rules' prefilter needs a statement's text; generating it with libcst costs
about as much as generating the whole file again, while slicing the original source
by ``ast`` line numbers is nearly free. A method whose ``ast`` statements cannot be
lined up with libcst's (they always can for valid code) falls back to libcst.
"""
from __future__ import annotations

import ast
from typing import Dict, List, Optional

_COMPOUND = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
             ast.With, ast.AsyncWith, ast.Try) + ((ast.Match,) if hasattr(ast, "Match") else ()) + \
            ((ast.TryStar,) if hasattr(ast, "TryStar") else ())


class StatementLines:
    """Per top-level class: its methods' statement texts, in source order."""

    def __init__(self, source: str):
        self._lines = source.splitlines(True)
        try:
            self._tree: Optional[ast.Module] = ast.parse(source)
        except SyntaxError:  # libcst accepted it; just use libcst's text
            self._tree = None
        self._classes: Dict[str, ast.ClassDef] = {}
        if self._tree is not None:
            for node in self._tree.body:
                if isinstance(node, ast.ClassDef):
                    self._classes.setdefault(node.name, node)

    def methods(self, class_name: str) -> Optional[List[List[str]]]:
        """Statement texts of each method of ``class_name`` (one list per method, libcst grouping)."""
        cls = self._classes.get(class_name)
        if cls is None:
            return None
        return [self._group(fn.body) for fn in cls.body if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))]

    def _group(self, body: List[ast.stmt]) -> List[str]:
        # libcst keeps `a = 1; b = 2` on one line as one statement; ast has two.
        groups: List[List[ast.stmt]] = []
        for stmt in body:
            if groups and not isinstance(stmt, _COMPOUND) and not isinstance(groups[-1][-1], _COMPOUND) \
                    and stmt.lineno == groups[-1][-1].end_lineno:
                groups[-1].append(stmt)
            else:
                groups.append([stmt])
        texts = []
        for group in groups:
            first = group[0]
            start = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", ())])
            texts.append("".join(self._lines[start - 1:group[-1].end_lineno]))
        return texts
