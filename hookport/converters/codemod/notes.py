"""Behaviour-shift notes: code that ports mechanically but means something else in MMEngine.

* a loss edited in ``after_train_iter`` (MMCV above ABOVE_NORMAL / iMIX above HIGH ran
  before backward; MMEngine has already stepped) -> HP904;
* gradients read after the optimizer step (MMEngine zeroes them inside train_step) -> HP905;
* resumed state read in ``before_run`` (MMEngine loads checkpoints after it) -> HP906;
* ``dataset.CLASSES`` (``metainfo['classes']`` in MMEngine datasets) -> HP911.
"""
from __future__ import annotations

import libcst as cst

from hookport.converters.codemod.batch import BodyRule
from hookport.converters.codemod.tables import flatten

_LOSS_HOLDERS = ("outputs", "output")
_AFTER_ITER = ("after_train_iter", "_after_iter_common")


def _is_loss(target: cst.BaseExpression) -> bool:
    """``outputs['loss']``, ``runner.outputs['loss']`` or ``self.trainer.output['loss']``."""
    flat = flatten(target)
    if flat is None:
        return False
    root, parts = flat
    if not parts or parts[-1] != ("item", "loss"):
        return False
    holder = parts[-2] if len(parts) > 1 else ("attr", root)
    return holder[0] == "attr" and holder[1] in _LOSS_HOLDERS


def _is_super(node: cst.BaseExpression) -> bool:
    """``super()`` or ``super(Cls, self)``."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "super"


class BehaviourNotes(BodyRule):
    """Mark constructs whose meaning shifts between the legacy runner and MMEngine."""

    def _note(self, key: str, **fields) -> None:
        code, text = self.ctx.tables.note(key, **fields)
        self.batch.todo(code, text)

    def visit_Assign(self, node: cst.Assign) -> None:
        """Note loss edits (``outputs['loss'] = ...``) in after-iter methods."""
        if self.scope.method in _AFTER_ITER and any(_is_loss(t.target) for t in node.targets):
            self._note("loss_edit")

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        """Note augmented loss edits (``outputs['loss'] *= ...``) in after-iter methods."""
        if self.scope.method in _AFTER_ITER and _is_loss(node.target):
            self._note("loss_edit")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """Note gradient reads after the step, ``dataset.CLASSES`` and resumed state read in before_run."""
        attr = node.attr.value
        if attr == "grad" and self.scope.method in _AFTER_ITER:
            self._note("grad_read")
        elif attr == "CLASSES":
            self._note("dataset_classes")
        elif self.scope.method == "before_run" and attr in self.ctx.tables.resume_attrs:
            flat = flatten(node)
            if flat is not None and flat[0] == self.scope.runner and len(flat[1]) == 1:
                self._note("resume_state")

    def visit_Call(self, node: cst.Call) -> None:
        """Note in-place loss edits (``.mul_()``...) in after-iter methods and ``super().after_epoch(runner)``."""
        func = node.func
        generic = self.ctx.tables.generic
        if isinstance(func, cst.Attribute) and func.attr.value in generic and _is_super(func.value):
            # MMEngine's Hook has no generic before/after_epoch/iter: the chained call would raise
            self._note("generic_super", name=func.attr.value, helper=generic[func.attr.value]["helper"],
                       runner=self.scope.runner or "runner")
        # In-place edits of the loss tensor: outputs['loss'].mul_(...), .add_(...), ...
        if (self.scope.method in _AFTER_ITER and isinstance(func, cst.Attribute)
                and func.attr.value.endswith("_") and not func.attr.value.startswith("_")
                and _is_loss(func.value)):
            self._note("loss_edit")
