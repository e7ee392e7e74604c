"""Runner helpers outside hook classes: the runner-API body rules (HP3xx) in plain functions.

MMCV 1.x / mmdet 2.x hook modules keep part of their work in functions that take the
runner: ``def log_grad_norm(runner): runner.log_buffer.update(...)`` at module level,
a closure nested in another function, or a method of a helper class. The same table
rules apply inside them as inside a mount point, with two differences:

* there is no hook method, so nothing is in scope that only a mount point receives
  (``batch_idx``, ``data_batch``, ``outputs``): such a rewrite is left alone under a TODO
  (HP903) that says which argument to pass in from the calling hook method;
* the loop comes from the callers in this file (:mod:`.callers`): one loop -> rewritten for
  it; called from nowhere in this file -> rewritten for the training loop (the only loop
  most helpers run in) under a TODO saying so; callers in several loops -> TODO.

Hook helpers (``hook.every_n_iters(runner, n)``) are recognised by taking the runner
first, since a function has no ``self`` that is a hook (one that does not is kept under a
TODO). Only files that define MMCV hooks or import MMCV's hook API get here, so a file
that merely has a ``runner`` argument (or imports mmcv for something else) is never touched.
"""
from __future__ import annotations

import ast
import re
from typing import Dict, FrozenSet, List, Optional

import libcst as cst

from hookport.converters.codemod.batch import BatchedTransformer
from hookport.converters.codemod.callers import CallerModes, caller_modes, functions_in
from hookport.converters.codemod.chains import ChainRewrite
from hookport.converters.codemod.classes import stage_mode
from hookport.converters.codemod.codegen import code_of
from hookport.converters.codemod.context import MethodScope
from hookport.converters.codemod.notes import BehaviourNotes

#: the parameter that marks a runner helper (what MMCV and mmdet 2.x helpers call it)
RUNNER = "runner"
#: a top-level statement whose text lacks this holds no runner helper (not walked)
RUNNER_WORD = re.compile(r"\brunner\b")
#: renames are left to the driver's module-wide pass; helper calls of iMIX hooks do not apply
_RULES = (ChainRewrite, BehaviourNotes)


def takes_runner(fn: cst.FunctionDef) -> bool:
    """Whether ``fn`` has a parameter called ``runner``."""
    params = fn.params
    return any(p.name.value == RUNNER for p in (*params.posonly_params, *params.params, *params.kwonly_params))


def trigger(tables) -> "re.Pattern[str]":
    """What a statement's text must contain for a rule to possibly apply inside a runner helper."""
    attrs = sorted({r.parts[0][1] for r in tables.chains.values() if r.table == "runner_api.yaml"})
    alternatives = [r"\.grad\b", r"\bCLASSES\b", r"\w\.(" + "|".join(map(re.escape, attrs)) + r")\b"]
    return re.compile("|".join(alternatives))


class RunnerFunctions(cst.CSTTransformer):
    """Rewrite the bodies of runner helpers in one top-level statement (hook classes excluded).

    Attributes:
        rewritten: how many helper bodies were rewritten so far.
    """

    def __init__(self, ctx, hook_classes: FrozenSet[str]):
        super().__init__()
        self.ctx = ctx
        self.modes = ctx.loop_modes
        self.hook_classes = hook_classes
        self.pattern = trigger(ctx.tables)
        self.rewritten = 0
        #: method names of the helper classes being walked (their own `every_n_iters` is not a hook's)
        self._class_methods: List[FrozenSet[str]] = []

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        """Walk a helper class's methods; a hook class is the class converter's."""
        if node.name.value in self.hook_classes:
            return False
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        self._class_methods.append(frozenset(s.name.value for s in body if isinstance(s, cst.FunctionDef)))
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        """Leave a helper class."""
        if original.name.value not in self.hook_classes:
            self._class_methods.pop()
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        """Descend into a function that takes no runner (it may hold one that does)."""
        return not takes_runner(node)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        """Rewrite a runner helper's body (nested helpers are walked with it: same runner name)."""
        if not takes_runner(original) or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        scope = self._scope(original)
        stmts: List[cst.BaseStatement] = []
        for stmt in updated.body.body:
            if not self.pattern.search(code_of(stmt)):
                stmts.append(stmt)
                continue
            result = stmt.visit(BatchedTransformer(self.ctx, scope, _RULES))
            if isinstance(result, cst.FlattenSentinel):
                stmts.extend(result.nodes)
            elif isinstance(result, cst.BaseStatement):
                stmts.append(result)
        # a walk rebuilds nodes even where no rule applied: compare by value
        if len(stmts) == len(updated.body.body) and all(a.deep_equals(b) for a, b in zip(stmts, updated.body.body)):
            return updated
        self.rewritten += 1
        return updated.with_changes(body=updated.body.with_changes(body=stmts))

    def _scope(self, fn: cst.FunctionDef) -> MethodScope:
        callers = self.modes.get(fn.name.value, CallerModes(frozenset()))
        mode: Optional[str] = callers.mode
        assumed = not callers.called
        if assumed:
            mode = "train"  # see the module docstring: rewritten for training, under a TODO
        return MethodScope(method=fn.name.value, runner=RUNNER, mode=mode, names=frozenset(), dialect="mmcv",
                           function=True, mode_assumed=assumed,
                           own_methods=self._class_methods[-1] if self._class_methods else frozenset())



def loop_modes(tree: ast.Module, classes, tables) -> Dict[str, CallerModes]:
    """:class:`CallerModes` of every runner helper in the file, by name.

    Runner helpers are the functions outside hook classes that take ``runner`` and the
    MMCV hook methods that take it without being a mount point (``_check_head(self, runner)``).
    ``tree`` is the file's ``ast``; ``classes`` its legacy hook classes by name.
    """
    def fixed(owner: Optional[str], name: str) -> FrozenSet[str]:
        """The loops a hook method runs in by itself (a mount point), else none."""
        hook = classes.get(owner) if owner else None
        if hook is None:
            return frozenset()
        if hook.dialect == "imix":  # iMIX hooks only run in training
            return frozenset(("train",)) if name in tables.imix_stages else frozenset()
        if name in tables.generic:  # MMCV's generic methods ran for train and val
            return frozenset(stage_mode(stage) for stage in tables.generic[name]["stages"])
        mode = stage_mode(name)
        return frozenset((mode,)) if mode else frozenset()

    helpers: Dict[str, str] = {}  # name -> how it is called ("name" for a function, "attr" for a method)
    for owner, fn in functions_in(tree.body):
        hook = classes.get(owner) if owner else None
        if hook is not None and (hook.dialect != "mmcv" or fn.name in tables.mmcv_stages or fixed(owner, fn.name)):
            continue
        if RUNNER in (a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)):
            helpers[fn.name] = "attr" if owner else "name"
    return caller_modes(tree, helpers, fixed)
