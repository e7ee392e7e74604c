"""The timing MMCV 1.7.2's lr and momentum updater hooks share, torch-free.

``before_run`` records each group's initial value; an epoch-based policy (``by_epoch=True``)
sets the regular value in ``before_train_epoch``; an iteration-based one recomputes it in every
``before_train_iter``. Warm-up is applied per iteration, and an epoch policy restores the
regular value once, at ``iter == warmup_iters``. The hooks only read and write
``runner.optimizer.param_groups`` (one optimizer or a dict of them), so they drive a torch
optimizer and a simulated one alike.
"""
from __future__ import annotations

from typing import Any, List

from hookport.compat.mmcv import formulas as F
from hookport.compat.mmcv.hook import Hook


def progress_of(runner, by_epoch: bool):
    """``(progress, max_progress)`` in epochs or iterations."""
    return (runner.epoch, runner.max_epochs) if by_epoch else (runner.iter, runner.max_iters)


class UpdaterHook(Hook):
    """Base of the lr and momentum updater bases: one param-group value driven by a policy.

    A subclass says which value it drives (``_initial_key``, ``_read``, ``_write``) and where
    its regular and warm-up values come from (``_regular``, ``_warmup``: its MMCV-named
    ``get_regular_*`` / ``get_warmup_*`` methods, so user overrides of those are honoured).
    The values live in ``base_values`` / ``regular_values``; the subclasses expose them under
    MMCV's names (``base_lr``, ``regular_momentum``, ...).
    """

    _initial_key = ""

    def __init__(self, by_epoch: bool, warmup: Any, warmup_iters: Any, warmup_ratio: float):
        F.check_warmup(type(self).__name__, warmup, warmup_iters, warmup_ratio)
        self.by_epoch = by_epoch
        self.warmup, self.warmup_iters, self.warmup_ratio = warmup, warmup_iters, warmup_ratio
        self.base_values: Any = []
        self.regular_values: Any = []

    # -- what a subclass drives ------------------------------------------
    def _read(self, group: dict) -> float:
        raise NotImplementedError

    def _write(self, group: dict, value: float) -> None:
        raise NotImplementedError

    def _regular(self, runner) -> Any:
        raise NotImplementedError

    def _warmup(self, cur_iters: int) -> Any:
        raise NotImplementedError

    def _set_values(self, runner, values: Any) -> None:
        def write(name, optim):
            for group, value in zip(optim.param_groups, values if name is None else values[name]):
                self._write(group, value)

        F.per_optimizer(runner.optimizer, write)

    # -- mount points ----------------------------------------------------
    def before_run(self, runner) -> None:
        """Record each group's initial value (kept if already there, e.g. after resuming) as its base."""
        key = self._initial_key

        def bases(_name, optim) -> List[float]:
            for group in optim.param_groups:
                group.setdefault(key, self._read(group))
            return [group[key] for group in optim.param_groups]

        self.base_values = F.per_optimizer(runner.optimizer, bases)

    def before_train_epoch(self, runner) -> None:
        """Epoch policies set the regular value here."""
        if not self.by_epoch:
            return
        self.regular_values = self._regular(runner)
        self._set_values(runner, self.regular_values)

    def before_train_iter(self, runner) -> None:
        """Iteration policies set the regular value here; warm-up applies per iteration."""
        cur_iter = runner.iter
        if not self.by_epoch:
            self.regular_values = self._regular(runner)
            if self.warmup is None or cur_iter >= self.warmup_iters:
                self._set_values(runner, self.regular_values)
            else:
                self._set_values(runner, self._warmup(cur_iter))
        elif self.warmup is not None and cur_iter <= self.warmup_iters:
            # Epoch policies: the regular value is restored once, at iter == warmup_iters.
            self._set_values(runner, self.regular_values if cur_iter == self.warmup_iters
                             else self._warmup(cur_iter))


def alias(attribute: str, doc: str) -> property:
    """A read/write property that is another name for ``attribute`` (MMCV's per-value names)."""
    return property(lambda self: getattr(self, attribute), lambda self, value: setattr(self, attribute, value),
                    doc=doc)
