"""Which loop a runner helper runs in, from where this file calls it.

A function that takes the runner (``def log_grad_norm(runner): ...``) has no mount point
of its own, so ``runner.data_loader`` or ``runner.log_buffer.update(...)`` inside it does
not say whether it means the training or the validation loop. Its callers do: a helper
called only from ``after_train_iter`` runs in the training loop. This module reads the
file with Python's own parser (cheap) and folds modes along calls:

* a hook method that is a stage of one loop gives that loop (``after_val_epoch`` -> val);
  MMCV's generic ``before_epoch`` / ``after_iter`` give train and val (they ran for both),
  iMIX's events give train (iMIX hooks only run in training);
* a runner helper passes on the modes of its own callers;
* anything else (``before_run``, module level, a function that takes no runner) is unknown.

Calls are matched by the callee's simple name: ``f(...)`` for a function, ``self.f(...)`` /
``obj.f(...)`` for a method (the receiver's type is not known, so a method sharing its name
with another object's can only blur the result into "several loops", i.e. a TODO).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Dict, FrozenSet, Iterator, Optional, Sequence, Set, Tuple

#: a mode no loop fixes (before_run, module level, a caller that is not a helper)
UNKNOWN = "?"


@dataclass(frozen=True)
class CallerModes:
    """Where a helper's callers run: a single mode, no caller in this file, or a mix."""

    modes: FrozenSet[str]

    @property
    def called(self) -> bool:
        """Whether anything in this file calls the helper."""
        return bool(self.modes)

    @property
    def mode(self) -> Optional[str]:
        """The one loop every caller runs in, else None."""
        if len(self.modes) == 1 and UNKNOWN not in self.modes:
            return next(iter(self.modes))
        return None


def functions_in(body: Sequence[ast.stmt],
                 owner: Optional[str] = None) -> Iterator[Tuple[Optional[str], ast.FunctionDef]]:
    """``(enclosing class name or None, function)`` for every function, nested ones included."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield owner, node
            yield from functions_in(node.body, None)
        elif isinstance(node, ast.ClassDef):
            yield from functions_in(node.body, node.name)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    yield from functions_in([c for c in children if isinstance(c, ast.AST)], owner)


def _called_names(fn: ast.AST) -> Iterator[Tuple[str, str]]:
    """``("name", f)`` for ``f(...)``, ``("attr", f)`` for ``x.f(...)``: what ``fn`` calls, nested
    functions and classes left out."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                yield "name", func.id
            elif isinstance(func, ast.Attribute):
                yield "attr", func.attr
        stack.extend(ast.iter_child_nodes(node))


def caller_modes(tree: ast.Module, helpers: Dict[str, str],
                 own_mode: Callable[[Optional[str], str], FrozenSet[str]]) -> Dict[str, CallerModes]:
    """The :class:`CallerModes` of each helper.

    ``helpers`` maps a helper's name to how it is called: ``"name"`` (a function: ``f(...)``) or
    ``"attr"`` (a method: ``self.f(...)``, ``obj.f(...)``). ``own_mode(class_name, function_name)``
    gives the modes a function fixes by itself (a hook stage), empty when it fixes none; a
    helper's own mode comes from its callers instead.
    """
    calls: Dict[str, Set[Tuple[str, Optional[str]]]] = {name: set() for name in helpers}
    for owner, fn in functions_in(tree.body):
        for kind, name in set(_called_names(fn)):
            if helpers.get(name) == kind:
                calls[name].add((fn.name, owner))
    # calls made at module level come from no loop
    module_level = ast.Module(body=[n for n in tree.body if not isinstance(n, (ast.FunctionDef,
                                                                                ast.AsyncFunctionDef))],
                              type_ignores=[])
    for kind, name in set(_called_names(module_level)):
        if helpers.get(name) == kind:
            calls[name].add(("", None))
    modes: Dict[str, Set[str]] = {name: set() for name in helpers}
    changed = True
    while changed:  # a fixpoint: helpers calling helpers pass their callers' modes on
        changed = False
        for name, sites in calls.items():
            found: Set[str] = set()
            for caller, owner in sites:
                if caller in helpers:
                    found |= modes[caller]
                else:
                    found |= own_mode(owner, caller) or {UNKNOWN}
            if not found <= modes[name]:
                modes[name] |= found
                changed = True
    return {name: CallerModes(frozenset(found)) for name, found in modes.items()}
