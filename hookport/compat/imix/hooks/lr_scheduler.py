"""iMIX's ``LRSchedulerHook``: log ``lr``, then step the scheduler after every (accumulated) iteration.

iMIX steps its (iteration-based) scheduler in ``after_train_iter`` in both
by-epoch and by-iter training, never per epoch; with ``is_lr_accumulation`` it
steps only on accumulation boundaries. The logged ``lr`` is that of the "best"
param group (detectron2's heuristic: the group with the most parameters, or,
when every group has one parameter, the first group with the most common LR).
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from hookport.compat.imix.hook import HookBase, PriorityStatus
from hookport.registry import IMIX_HOOKS


def best_param_group_index(param_groups) -> int:
    """The param group whose LR iMIX logs."""
    sizes = [len(g.get("params", ())) for g in param_groups]
    largest = max(sizes) if sizes else 0
    if largest <= 1:
        most_common = Counter(g["lr"] for g in param_groups).most_common()[0][0]
        return next(i for i, g in enumerate(param_groups) if g["lr"] == most_common)
    return sizes.index(largest)


@IMIX_HOOKS.register_module()
class LRSchedulerHook(HookBase):
    """Steps ``scheduler`` after each iteration (or accumulation step) and logs ``lr`` first.

    Args:
        optimizer: the optimizer whose param groups the scheduler updates.
        scheduler: an object with ``step()`` (an iMIX LR policy or a torch scheduler).
    """

    def __init__(self, optimizer: Any, scheduler: Any):
        super().__init__()
        self._level = PriorityStatus.HIGH
        self._optimizer = optimizer
        self._scheduler = scheduler
        self._best_param_group_idx = None

    def _should_step(self) -> bool:
        if not self.trainer.is_lr_accumulation:
            return True
        return (self.trainer.iter + 1) % self.trainer.gradient_accumulation_steps == 0

    def after_train_iter(self):
        """Log the best group's lr, then step the scheduler (per accumulation window)."""
        if not self._should_step():
            return
        if self._best_param_group_idx is None:
            self._best_param_group_idx = best_param_group_index(self._optimizer.param_groups)
        lr = self._optimizer.param_groups[self._best_param_group_idx]["lr"]
        self.trainer.log_buffer.put_scalar("lr", lr, smoothing_hint=False)
        self._scheduler.step()

    @property
    def scheduler(self) -> Any:
        """The stepped scheduler."""
        return self._scheduler
