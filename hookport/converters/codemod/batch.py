"""One tree walk for many body rules (TorchFix-style batching, but for transforms).

Each rule is a small object with ``visit_<Node>(node)`` / ``leave_<Node>(original, updated)``
methods, one concern each (runner API, iMIX trainer, behaviour notes). A
:class:`BatchedTransformer` walks a statement once and calls every rule's
handlers for each node, in rule order. It also keeps the statement stack that
places TODOs: a rule calls :meth:`BatchedTransformer.todo` while looking at an
expression, and the comment lands directly above the innermost statement that
contains it.
"""
from __future__ import annotations

import functools
from collections import defaultdict
from typing import AbstractSet, Dict, List, Sequence, Tuple, Union

import libcst as cst

from hookport.converters.codemod import todo as todos

_STATEMENTS = (cst.SimpleStatementLine, cst.BaseCompoundStatement)


@functools.lru_cache(maxsize=None)
def _handlers(cls: type) -> Tuple[Tuple[str, str, str], ...]:
    """``(kind, node type, method name)`` of a rule class's handlers (looked up once per class)."""
    return tuple((attr[:5], attr[6:], attr) for attr in dir(cls) if attr.startswith(("visit_", "leave_")))


class BodyRule:
    """Base of a body rule: holds the transformer it reports to."""

    def __init__(self, batch: "BatchedTransformer"):
        self.batch = batch
        self.ctx = batch.ctx
        self.scope = batch.scope


class BatchedTransformer(cst.CSTTransformer):
    """Run several :class:`BodyRule` classes over one statement in a single pass."""

    def __init__(self, ctx, scope, rule_classes: Sequence[type], skip: AbstractSet[int] = frozenset()):
        super().__init__()
        self.ctx = ctx
        self.scope = scope
        #: ids of nested statements known not to match any rule: not descended into
        self.skip = skip
        self._todo_stack: List[List[Tuple[str, str]]] = []
        self._extra_stack: List[List[cst.BaseExpression]] = []
        self.rules = [cls(self) for cls in rule_classes]
        self._visit: Dict[str, list] = defaultdict(list)
        self._leave: Dict[str, list] = defaultdict(list)
        for rule in self.rules:
            for kind, node_type, attr in _handlers(type(rule)):
                (self._visit if kind == "visit" else self._leave)[node_type].append(getattr(rule, attr))

    # -- services for rules ----------------------------------------------
    def todo(self, code: str, text: str) -> None:
        """Put ``# TODO(hookport code): text`` above the statement being walked."""
        if self.ctx.options.enabled(code):
            self._todo_stack[-1].append((code, text))

    def add_statements_after(self, exprs: Sequence[cst.BaseExpression]) -> None:
        """Emit each of ``exprs`` as its own statement after the current one."""
        self._extra_stack[-1].extend(exprs)

    # -- dispatch ----------------------------------------------------------
    def on_visit(self, node: cst.CSTNode) -> bool:
        """Open a statement's TODO/extra-statement frame, then run every rule's visit handler for ``node``."""
        if isinstance(node, _STATEMENTS):
            self._todo_stack.append([])
            self._extra_stack.append([])
            # a class nested in a method has its own methods and `runner` parameters: not this hook's
            if id(node) in self.skip or isinstance(node, cst.ClassDef):
                return False
        for handler in self._visit.get(type(node).__name__, ()):
            handler(node)
        return True

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> Union[cst.CSTNode, cst.RemovalSentinel,
                                                                            cst.FlattenSentinel]:
        """Run every rule's leave handler, then attach the statement's TODOs and extra statements."""
        result = updated
        for handler in self._leave.get(type(original).__name__, ()):
            result = handler(original, result)
        if isinstance(original, _STATEMENTS):
            result = todos.attach(result, self._todo_stack.pop())
            extra = self._extra_stack.pop()
            if extra:
                lines = [cst.SimpleStatementLine(body=[cst.Expr(expr)]) for expr in extra]
                return cst.FlattenSentinel([result, *lines])
        return result
