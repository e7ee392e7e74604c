"""iMIX helper methods that read ``self.trainer`` get the runner from their callers (HP356).

iMIX hooks often move work into a helper (``self._record(event)``, ``self._step()``)
that reads ``self.trainer``. MMEngine has no ``self.trainer``; the runner arrives as an
argument of the mount point. So a helper gets a ``runner`` parameter right after
``self``, and each call ``self.helper(...)`` passes it on, provided every use of the
helper in the class is such a call from a mount point or from another such helper
(a helper the class never calls, or uses otherwise, e.g. as a callback, is left to a human: HP909).
"""
from __future__ import annotations

import re
from typing import Dict, FrozenSet, Sequence

import libcst as cst

from hookport.converters.codemod.batch import BodyRule

_TRAINER = re.compile(r"\bself\.trainer\b")


def _callable_with_runner(fn: cst.FunctionDef) -> bool:
    """Whether ``runner`` can be inserted after ``self``: a plain instance method without one."""
    params = fn.params
    names = [p.name.value for p in (*params.posonly_params, *params.params)]
    static = any(isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod")
                 for d in fn.decorators)
    return bool(names) and names[0] == "self" and "runner" not in names and not static


def runner_helpers(methods: Dict[str, cst.FunctionDef], texts: Dict[str, str], stages: Sequence[str]) -> FrozenSet[str]:
    """The helpers (by name) to give a ``runner`` parameter; see the module docstring."""
    helpers = {name for name, text in texts.items()
               if name not in stages and not name.startswith("__") and _TRAINER.search(text)
               and _callable_with_runner(methods[name])}
    changed = True
    while changed:
        changed = False
        # callers that are helpers themselves need the runner too, to pass it on
        for name, text in texts.items():
            if name in helpers or name in stages or name.startswith("__") or not _callable_with_runner(methods[name]):
                continue
            if any(re.search(rf"\bself\.{h}\(", text) for h in helpers):
                helpers.add(name)
                changed = True
        for helper in sorted(helpers):
            used = False
            for name, text in texts.items():
                uses = re.findall(rf"\bself\.{helper}\b(\s*\()?", text)
                used = used or bool(uses)
                if uses and (any(not call for call in uses) or (name not in stages and name not in helpers)):
                    used = False
                    break
            if not used:  # not called at all (maybe an external API), or used in a way we cannot follow
                helpers.discard(helper)
                changed = True
    return frozenset(helpers)


def with_runner_first(fn: cst.FunctionDef) -> cst.FunctionDef:
    """``def helper(self, ...)`` -> ``def helper(self, runner, ...)``."""
    params = list(fn.params.params)
    params[0] = params[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    params.insert(1, cst.Param(name=cst.Name("runner")))
    return fn.with_changes(params=fn.params.with_changes(params=params))


class HelperCalls(BodyRule):
    """``self.helper(...)`` -> ``self.helper(runner, ...)`` for the helpers given a runner."""

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        """Pass the runner to helper methods that were given a ``runner`` parameter."""
        if not isinstance(updated, cst.Call):  # an earlier rule replaced the call
            return updated
        func = updated.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self"
                and func.attr.value in self.scope.runner_helpers and self.scope.runner):
            return updated
        args = list(updated.args)
        first = cst.Arg(cst.Name(self.scope.runner))
        if args:
            first = first.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        self.ctx.fixed("HP356")
        return updated.with_changes(args=[first, *args])
