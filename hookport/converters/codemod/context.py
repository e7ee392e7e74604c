"""Shared state of one codemod run: options, and per-file / per-method context.

Transforms never print or raise for user input; they record fixes in the
:class:`FileContext` and TODO comments in the tree, and the driver folds both
into the file's outcome.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Optional, Set, Tuple

from hookport.converters.codemod.callers import CallerModes
from hookport.converters.codemod.tables import Tables


@dataclass(frozen=True)
class Options:
    """What the user asked for.

    Attributes:
        scope: downstream registry scope (``'mmdet'`` -> ``mmdet.registry.HOOKS``), or None.
        select: rule-code prefixes to apply (empty: all).
        ignore: rule-code prefixes to leave alone (wins over ``select``).
    """

    scope: Optional[str] = None
    select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()

    def enabled(self, code: str) -> bool:
        """Whether rule ``code`` applies (``--select`` / ``--ignore`` by prefix)."""
        if any(code.startswith(prefix) for prefix in self.ignore):
            return False
        return not self.select or any(code.startswith(prefix) for prefix in self.select)


@dataclass
class FileContext:
    """What transforms of one file share: options, tables, applied fixes, imports to add."""

    options: Options
    tables: Tables
    fixes: Counter = field(default_factory=Counter)  # rule code -> times applied
    needed_imports: Set[Tuple[str, str]] = field(default_factory=set)  # (module, name)
    renames: Dict[str, str] = field(default_factory=dict)  # imported name -> its MMEngine spelling
    loop_modes: Dict[str, CallerModes] = field(default_factory=dict)  # runner helper -> where its callers run

    def fixed(self, code: str) -> None:
        """Record one applied rewrite of rule ``code``."""
        self.fixes[code] += 1

    def need_import(self, module: str, name: str) -> None:
        """Schedule ``from module import name`` (added once, by the import transform)."""
        self.needed_imports.add((module, name))


@dataclass(frozen=True)
class MethodScope:
    """Where a body rewrite happens: which runner name, loop mode and arguments are in scope.

    Attributes:
        method: the method's name (after renaming).
        runner: name of the runner parameter, None when the method has none.
        mode: 'train' / 'val' / 'test' for a stage method, 'dynamic' inside a split helper
            (the ``mode`` argument decides), None when unknown.
        names: MMEngine arguments in scope (batch_idx, data_batch, outputs).
        dialect: 'mmcv' or 'imix' (whose table applies).
        trainer_aliases: iMIX local names bound by ``name = self.trainer`` in the method.
        runner_helpers: iMIX helper methods of the class that take the runner (HP356).
        function: a runner helper outside any hook class (no hook ``self``, no mount-point arguments).
        mode_assumed: ``mode`` is the training loop by assumption (nothing in the file calls the helper).
        own_methods: methods of the helper class being walked (``self.<name>`` calls the class's own).
    """

    method: str
    runner: Optional[str]
    mode: Optional[str]
    names: FrozenSet[str]
    dialect: str
    trainer_aliases: FrozenSet[str] = frozenset()
    runner_helpers: FrozenSet[str] = frozenset()
    function: bool = False
    mode_assumed: bool = False
    own_methods: FrozenSet[str] = frozenset()

    def has(self, need: str) -> bool:
        """Whether requirement ``need`` (mode, batch_idx, data_batch, outputs) is met."""
        if need == "mode":
            return self.mode is not None
        return need in self.names
