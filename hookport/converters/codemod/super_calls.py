"""Calls that chain to the parent's mount point: ``super().after_train_iter(runner)``.

The codemod gives a stage method MMEngine's extra parameters (``batch_idx``, ``data_batch``,
``outputs`` …). A parent's stage method, converted the same way or MMEngine's own, now
requires ``batch_idx`` and reads ``outputs`` from its arguments, so a chained call that
still passes only the runner raises TypeError (or hands the parent ``outputs=None``).
The call is given the arguments of the enclosing method, in the parent's order.
"""
from __future__ import annotations

from typing import Sequence

import libcst as cst


def _is_super(node: cst.BaseExpression) -> bool:
    """``super()`` or ``super(Cls, self)``."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "super"


class ForwardSuper(cst.CSTTransformer):
    """Append ``names`` to ``super().<stage>(runner)`` calls that pass only the runner (iMIX: nothing)."""

    def __init__(self, stage: str, runner: str, names: Sequence[str], imix: bool = False):
        super().__init__()
        self.stage, self.runner, self.names, self.imix = stage, runner, list(names), imix

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        """Nested functions have their own scope: their ``super()`` is not this method's."""
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        """Nested classes have their own methods."""
        return False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        """Forward the method's arguments when the call chains to the same stage with the runner alone."""
        func = updated.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == self.stage and _is_super(func.value)):
            return updated
        args = updated.args
        if not args and self.imix:  # iMIX chained with no argument at all
            names = [self.runner, *self.names]
        elif len(args) == 1 and args[0].keyword is None and not args[0].star and \
                isinstance(args[0].value, cst.Name) and args[0].value.value == self.runner:
            names = self.names
        else:
            return updated
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        new_args = [arg.with_changes(comma=comma) for arg in args]
        new_args += [cst.Arg(cst.Name(name), comma=comma) for name in names]
        new_args[-1] = new_args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=new_args)


def forward_super(fn: cst.FunctionDef, stage: str, imix: bool = False) -> cst.FunctionDef:
    """``fn`` (a stage method with its new signature) with chained parent calls forwarding its arguments.

    ``imix``: the legacy method took no argument, so a chained call passing none gets them all.
    """
    names = [p.name.value for p in fn.params.params]
    if len(names) < 2 or (len(names) == 2 and not imix) or not isinstance(fn.body, cst.IndentedBlock):
        return fn
    return fn.with_changes(body=fn.body.visit(ForwardSuper(stage, names[1], names[2:], imix)))
