"""The canonical hook base: the union of MMEngine's mount points.

A hook overrides the mount points it cares about; the runner's dispatch table
(``hookport.runner.dispatch``) asks each hook for its callable per mount point
once, at registration, so a mount point a hook does not override costs nothing.

Hooks written for other systems (MMCV's ``(self, runner)`` methods with generic
``before_epoch``/``after_iter``, iMIX's argument-less methods) subclass this
class through their compat base, which overrides :meth:`Hook.bound` to adapt
the call; the dispatcher never needs to know which system a hook came from.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from hookport.errors import HookValidationError

# Mount points in MMEngine's order (the order ``get_hooks_info`` prints them in).
STAGES: Tuple[str, ...] = (
    "before_run", "after_load_checkpoint", "before_train", "before_train_epoch", "before_train_iter",
    "after_train_iter", "after_train_epoch", "before_val", "before_val_epoch", "before_val_iter",
    "after_val_iter", "after_val_epoch", "after_val", "before_save_checkpoint", "after_train",
    "before_test", "before_test_epoch", "before_test_iter", "after_test_iter", "after_test_epoch",
    "after_test", "after_run",
)

# Positional arguments each mount point receives after ``runner``.
STAGE_ARGS: Dict[str, Tuple[str, ...]] = {stage: () for stage in STAGES}
for _mode in ("train", "val", "test"):
    STAGE_ARGS[f"before_{_mode}_iter"] = ("batch_idx", "data_batch")
    STAGE_ARGS[f"after_{_mode}_iter"] = ("batch_idx", "data_batch", "outputs")
STAGE_ARGS["after_val_epoch"] = ("metrics",)
STAGE_ARGS["after_test_epoch"] = ("metrics",)
STAGE_ARGS["before_save_checkpoint"] = ("checkpoint",)
STAGE_ARGS["after_load_checkpoint"] = ("checkpoint",)

# MMEngine's shared helpers: overriding one of these triggers every mount point that calls it.
GENERIC_HELPERS: Dict[str, str] = {}
for _mode in ("train", "val", "test"):
    GENERIC_HELPERS[f"before_{_mode}_epoch"] = "_before_epoch"
    GENERIC_HELPERS[f"after_{_mode}_epoch"] = "_after_epoch"
    GENERIC_HELPERS[f"before_{_mode}_iter"] = "_before_iter"
    GENERIC_HELPERS[f"after_{_mode}_iter"] = "_after_iter"


def is_overridden(cls: type, base: type, name: str) -> bool:
    """Whether ``cls`` defines ``name`` differently from ``base``."""
    return getattr(cls, name, None) is not getattr(base, name, None)


def check_signature(hook: Any, stage: str, method: Callable, args: Sequence[str]) -> None:
    """Raise :class:`HookValidationError` if ``method`` cannot take ``(runner, *args)``."""
    try:
        sig = inspect.signature(method)
    except (TypeError, ValueError):  # builtins and C callables: trust them
        return
    try:
        sig.bind(None, *([None] * len(args)))
    except TypeError as err:
        expected = ", ".join(("runner",) + tuple(args))
        raise HookValidationError(
            f"hook {type(hook).__name__}.{stage}{sig} cannot be called as {stage}({expected}): {err}"
        ) from None


class Hook:
    """Base class of all hooks (MMEngine signatures).

    Attributes:
        priority: default priority; a ``priority`` given at registration wins. Read in the
            runner's priority scheme (``'NORMAL'`` is 50 in MMCV/MMEngine).
    """

    priority: Any = "NORMAL"

    # -- dispatch protocol ---------------------------------------------
    def bound(self, stage: str) -> Optional[Callable]:
        """The callable the runner invokes at ``stage`` as ``fn(runner, *STAGE_ARGS[stage])``.

        None when this hook does not act at ``stage``. Compat bases override this to adapt
        other calling conventions.
        """
        cls = type(self)
        helper = GENERIC_HELPERS.get(stage)
        if is_overridden(cls, Hook, stage) or (helper is not None and is_overridden(cls, Hook, helper)):
            method = getattr(self, stage)
            check_signature(self, stage, method, STAGE_ARGS[stage])
            return method
        return None

    # -- run / phase mount points --------------------------------------
    def before_run(self, runner) -> None:
        """Before the whole run (training, validation or testing) starts."""

    def after_run(self, runner) -> None:
        """After the whole run ends."""

    def before_train(self, runner) -> None:
        """Before the training loop starts."""

    def after_train(self, runner) -> None:
        """After the training loop ends."""

    def before_val(self, runner) -> None:
        """Before a validation loop starts."""

    def after_val(self, runner) -> None:
        """After a validation loop ends."""

    def before_test(self, runner) -> None:
        """Before the test loop starts."""

    def after_test(self, runner) -> None:
        """After the test loop ends."""

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Before a checkpoint dict is written; the hook may add to it."""

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """After a checkpoint dict has been loaded (resume or load_from)."""

    # -- epoch mount points --------------------------------------------
    def before_train_epoch(self, runner) -> None:
        """Before each training epoch."""
        self._before_epoch(runner, mode="train")

    def before_val_epoch(self, runner) -> None:
        """Before each validation epoch."""
        self._before_epoch(runner, mode="val")

    def before_test_epoch(self, runner) -> None:
        """Before each test epoch."""
        self._before_epoch(runner, mode="test")

    def after_train_epoch(self, runner) -> None:
        """After each training epoch."""
        self._after_epoch(runner, mode="train")

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        """After each validation epoch, with the computed metrics."""
        self._after_epoch(runner, mode="val")

    def after_test_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        """After each test epoch, with the computed metrics."""
        self._after_epoch(runner, mode="test")

    # -- iteration mount points ----------------------------------------
    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        """Before each training iteration."""
        self._before_iter(runner, batch_idx=batch_idx, data_batch=data_batch, mode="train")

    def before_val_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        """Before each validation iteration."""
        self._before_iter(runner, batch_idx=batch_idx, data_batch=data_batch, mode="val")

    def before_test_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        """Before each test iteration."""
        self._before_iter(runner, batch_idx=batch_idx, data_batch=data_batch, mode="test")

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """After each training iteration, with the train step's outputs."""
        self._after_iter(runner, batch_idx=batch_idx, data_batch=data_batch, outputs=outputs, mode="train")

    def after_val_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """After each validation iteration, with the val step's outputs."""
        self._after_iter(runner, batch_idx=batch_idx, data_batch=data_batch, outputs=outputs, mode="val")

    def after_test_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """After each test iteration, with the test step's outputs."""
        self._after_iter(runner, batch_idx=batch_idx, data_batch=data_batch, outputs=outputs, mode="test")

    # -- shared helpers (override to act in every mode) ----------------
    def _before_epoch(self, runner, mode: str = "train") -> None:
        """Shared body of the three before_*_epoch mount points."""

    def _after_epoch(self, runner, mode: str = "train") -> None:
        """Shared body of the three after_*_epoch mount points."""

    def _before_iter(self, runner, batch_idx: int, data_batch: Any = None, mode: str = "train") -> None:
        """Shared body of the three before_*_iter mount points."""

    def _after_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None,
                    mode: str = "train") -> None:
        """Shared body of the three after_*_iter mount points."""

    # -- helpers (MMEngine semantics) ----------------------------------
    def every_n_epochs(self, runner, n: int, start: int = 0) -> bool:
        """True every ``n`` epochs counted from ``start`` (at the end of epoch ``start + n - 1``...)."""
        dividend = runner.epoch + 1 - start
        return dividend % n == 0 if dividend >= 0 and n > 0 else False

    def every_n_inner_iters(self, batch_idx: int, n: int) -> bool:
        """True every ``n`` iterations within an epoch."""
        return (batch_idx + 1) % n == 0 if n > 0 else False

    def every_n_train_iters(self, runner, n: int, start: int = 0) -> bool:
        """True every ``n`` global training iterations counted from ``start``."""
        dividend = runner.iter + 1 - start
        return dividend % n == 0 if dividend >= 0 and n > 0 else False

    def end_of_epoch(self, dataloader, batch_idx: int) -> bool:
        """True at the last batch of ``dataloader``."""
        return batch_idx + 1 == len(dataloader)

    def is_last_train_epoch(self, runner) -> bool:
        """True during the last training epoch."""
        return runner.epoch + 1 == runner.max_epochs

    def is_last_train_iter(self, runner) -> bool:
        """True during the last training iteration."""
        return runner.iter + 1 == runner.max_iters
