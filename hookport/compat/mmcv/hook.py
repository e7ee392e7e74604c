"""MMCV 1.x's hook base: ``(self, runner)`` methods, generic epoch/iter methods, MMCV helpers.

An MMCV hook acts at the ten MMCV mount points (:data:`MMCV_STAGES`). Overriding a generic
method (``before_epoch``, ``after_epoch``, ``before_iter``, ``after_iter``) makes the hook act
at the train and val variants, exactly as MMCV's ``get_triggered_stages`` reports. The
canonical dispatcher calls ``fn(runner, *args)``; :meth:`Hook.bound` drops the extra
arguments so MMCV methods keep their one-argument signature.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

from hookport.hooks.hook import Hook as _CanonicalHook
from hookport.hooks.hook import check_signature, is_overridden

# MMCV 1.7.2 ``Hook.stages``, in MMCV's order (the order get_hook_info() prints).
MMCV_STAGES: Tuple[str, ...] = (
    "before_run", "before_train_epoch", "before_train_iter", "after_train_iter", "after_train_epoch",
    "before_val_epoch", "before_val_iter", "after_val_iter", "after_val_epoch", "after_run",
)

# Generic methods and the mount points whose default body calls them.
GENERIC_STAGES: Dict[str, Tuple[str, ...]] = {
    "before_epoch": ("before_train_epoch", "before_val_epoch"),
    "after_epoch": ("after_train_epoch", "after_val_epoch"),
    "before_iter": ("before_train_iter", "before_val_iter"),
    "after_iter": ("after_train_iter", "after_val_iter"),
}


class Hook(_CanonicalHook):
    """Base class of MMCV-style hooks (``mmcv.runner.Hook``)."""

    stages = MMCV_STAGES

    # -- dispatch ------------------------------------------------------
    def get_triggered_stages(self) -> List[str]:
        """The MMCV mount points this hook acts at, in MMCV's order."""
        cls = type(self)
        triggered = {stage for stage in MMCV_STAGES if is_overridden(cls, Hook, stage)}
        for generic, stages in GENERIC_STAGES.items():
            if is_overridden(cls, Hook, generic):
                triggered.update(stages)
        return [stage for stage in MMCV_STAGES if stage in triggered]

    def bound(self, stage: str) -> Optional[Callable]:
        """Adapt the MMCV method for ``stage`` to the canonical ``fn(runner, *args)`` call."""
        if stage not in MMCV_STAGES or stage not in self.get_triggered_stages():
            return None
        method = getattr(self, stage)
        check_signature(self, stage, method, ())

        def call(runner, *_args):
            return method(runner)

        call.__name__ = f"{type(self).__name__}.{stage}"
        return call

    # -- mount points (MMCV signatures) --------------------------------
    def before_run(self, runner) -> None:
        """Before the run starts."""

    def after_run(self, runner) -> None:
        """After the run ends."""

    def before_epoch(self, runner) -> None:
        """Generic: before every train and val epoch."""

    def after_epoch(self, runner) -> None:
        """Generic: after every train and val epoch."""

    def before_iter(self, runner) -> None:
        """Generic: before every train and val iteration."""

    def after_iter(self, runner) -> None:
        """Generic: after every train and val iteration."""

    def before_train_epoch(self, runner) -> None:
        """Before each training epoch (calls :meth:`before_epoch`)."""
        self.before_epoch(runner)

    def before_val_epoch(self, runner) -> None:
        """Before each val epoch of a ``('val', k)`` workflow (calls :meth:`before_epoch`)."""
        self.before_epoch(runner)

    def after_train_epoch(self, runner) -> None:
        """After each training epoch (calls :meth:`after_epoch`)."""
        self.after_epoch(runner)

    def after_val_epoch(self, runner) -> None:
        """After each val epoch (calls :meth:`after_epoch`)."""
        self.after_epoch(runner)

    def before_train_iter(self, runner) -> None:
        """Before each training iteration (calls :meth:`before_iter`)."""
        self.before_iter(runner)

    def before_val_iter(self, runner) -> None:
        """Before each val iteration (calls :meth:`before_iter`)."""
        self.before_iter(runner)

    def after_train_iter(self, runner) -> None:
        """After each training iteration (calls :meth:`after_iter`)."""
        self.after_iter(runner)

    def after_val_iter(self, runner) -> None:
        """After each val iteration (calls :meth:`after_iter`)."""
        self.after_iter(runner)

    # -- helpers (MMCV semantics) --------------------------------------
    def every_n_epochs(self, runner, n: int) -> bool:  # type: ignore[override]
        """True after every ``n``-th epoch."""
        return (runner.epoch + 1) % n == 0 if n > 0 else False

    def every_n_inner_iters(self, runner, n: int) -> bool:  # type: ignore[override]
        """True every ``n`` iterations within an epoch (``runner.inner_iter``)."""
        return (runner.inner_iter + 1) % n == 0 if n > 0 else False

    def every_n_iters(self, runner, n: int) -> bool:
        """True every ``n`` global iterations (``runner.iter``)."""
        return (runner.iter + 1) % n == 0 if n > 0 else False

    def end_of_epoch(self, runner) -> bool:  # type: ignore[override]
        """True at the last iteration of the current data loader."""
        return runner.inner_iter + 1 == len(runner.data_loader)

    def is_last_epoch(self, runner) -> bool:
        """True during the last epoch."""
        return runner.epoch + 1 == runner._max_epochs

    def is_last_iter(self, runner) -> bool:
        """True during the last iteration."""
        return runner.iter + 1 == runner._max_iters
