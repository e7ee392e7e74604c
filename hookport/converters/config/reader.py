"""Read a Python config file with libcst: its top-level assignments, their values and lines, its ``_base_``.

Nothing is executed. Each top-level ``name = expr`` becomes an :class:`Assignment`
whose value comes from the safe :class:`Evaluator`; every other statement is kept
as source and only matters to the writer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

import libcst as cst

from hookport.converters.config.evaluator import Evaluator
from hookport.converters.config.values import Opaque
from hookport.errors import ConfigError

#: the comment a conversion writes above a legacy key it had to leave in place
TODO_MARK = "# TODO(hookport)"


@dataclass
class Assignment:
    """One top-level ``name = value`` statement."""

    name: str
    value: Any
    line: int
    index: int  # position in module.body
    todo: bool = False  # a `# TODO(hookport):` comment sits directly above it (kept on purpose by a conversion)


@dataclass
class ConfigFile:
    """A parsed config: module, assignments in order, ``_base_`` entries and other mutations."""

    path: str
    module: cst.Module
    assignments: List[Assignment] = field(default_factory=list)
    base_entries: List[str] = field(default_factory=list)
    base_line: Optional[int] = None
    #: names changed by statements the evaluator does not follow (``x['k'] = ...``, ``x.update()``), -> line
    mutated: Dict[str, int] = field(default_factory=dict)

    @property
    def own(self) -> Dict[str, Any]:
        """The file's own keys (last assignment wins), without ``_base_``."""
        return {a.name: a.value for a in self.assignments if a.name != "_base_"}

    @property
    def kept(self) -> set:
        """Names whose assignment carries a ``# TODO(hookport)`` comment (left for a human by a conversion)."""
        return {a.name for a in self.assignments if a.todo}

    def line_of(self, name: str) -> Optional[int]:
        """The line of the last assignment to ``name``."""
        for assignment in reversed(self.assignments):
            if assignment.name == name:
                return assignment.line
        return None


def statement_lines(module: cst.Module) -> List[int]:
    """The 1-based first line of the code (after leading comments) of each top-level statement."""
    lines, line = [], 1 + len(module.header)
    for stmt in module.body:
        leading = len(stmt.leading_lines)
        lines.append(line + leading)
        line += module.code_for_node(stmt).count("\n")
    return lines


def parse_source(text: str, path: str, base: Optional[Mapping[str, Any]] = None) -> ConfigFile:
    """Parse ``text`` (the content of ``path``) into a :class:`ConfigFile`; ``base`` feeds ``{{_base_.x}}``."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as err:
        raise ConfigError(f"syntax error: {err.message}", path, err.raw_line) from None
    cfg = ConfigFile(path=path, module=module)
    env: Dict[str, Any] = {}
    evaluator = Evaluator(module, env, base, path)
    for index, (stmt, line) in enumerate(zip(module.body, statement_lines(module))):
        target, value_node = _simple_assignment(stmt)
        if target is None:
            _note_mutation(cfg, stmt, line)
            continue
        value = evaluator.evaluate(value_node, line)
        env[target] = value
        todo = any(e.comment is not None and e.comment.value.startswith(TODO_MARK) for e in stmt.leading_lines)
        cfg.assignments.append(Assignment(target, value, line, index, todo))
        if target == "_base_":
            cfg.base_entries = _base_list(value, path, line)
            cfg.base_line = line
    return cfg


def _simple_assignment(stmt: cst.CSTNode):
    """(name, value node) for ``name = value`` / ``name: T = value``, else (None, None)."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None, None
    small = stmt.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value, small.value
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
        return small.target.value, small.value
    return None, None


def _note_mutation(cfg: ConfigFile, stmt: cst.CSTNode, line: int) -> None:
    """Remember names that a statement the evaluator does not follow may change."""
    for node in _walk(stmt):
        root = None
        if isinstance(node, (cst.Assign, cst.AugAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            for target in targets:
                root = _root_name(target)
                if root:
                    cfg.mutated.setdefault(root, line)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            root = _root_name(node.func.value)
            if root:
                cfg.mutated.setdefault(root, line)


def _walk(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _walk(child)


def _root_name(node: cst.CSTNode) -> Optional[str]:
    while isinstance(node, (cst.Subscript, cst.Attribute)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _base_list(value: Any, path: str, line: int) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, Opaque):
        raise ConfigError("_base_ must be a string or a list of strings written literally", path, line)
    raise ConfigError(f"_base_ must be a string or a list of strings, not {type(value).__name__}", path, line)
