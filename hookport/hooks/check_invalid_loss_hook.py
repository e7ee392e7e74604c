"""CheckInvalidLossHook: stops training when the loss becomes NaN or infinite."""
from __future__ import annotations

import math
from typing import Any

from hookport.errors import HookportError
from hookport.hooks.arguments import require_positive_ints
from hookport.hooks.hook import Hook
from hookport.registry import HOOKS


class InvalidLossError(HookportError, RuntimeError):
    """The training loss became NaN or infinite."""


def _as_float(value: Any) -> float:
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "numel", lambda: 1)() == 1:
        return float(item())
    if item is None:
        return float(value)
    # A multi-element loss: any non-finite element counts.
    import torch

    return float("nan") if not bool(torch.isfinite(value).all()) else 0.0


@HOOKS.register_module()
class CheckInvalidLossHook(Hook):
    """Every ``interval`` train iterations, check ``outputs['loss']`` (or, without it, every
    output whose key contains ``loss``) and raise :class:`InvalidLossError` naming the
    iteration and epoch when one is NaN or infinite (MMDetection 3.x's hook, priority NORMAL).
    Checking only every ``interval`` iterations keeps the device->host sync off most steps.

    Args:
        interval: check every this many iterations.
    """

    priority = "NORMAL"

    def __init__(self, interval: int = 50):
        require_positive_ints("CheckInvalidLossHook", interval=interval)
        self.interval = interval

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Raise if a checked loss is not finite."""
        if not outputs or not self.every_n_train_iters(runner, self.interval):
            return
        keys = ["loss"] if "loss" in outputs else [k for k in outputs if "loss" in k]
        for key in keys:
            value = _as_float(outputs[key])
            if not math.isfinite(value):
                runner.logger.info("loss become infinite or NaN!")
                raise InvalidLossError(
                    f"{key} is {value} at iteration {runner.iter + 1} (epoch {runner.epoch + 1}, batch "
                    f"{batch_idx + 1}); lower the learning rate, clip gradients or check the data")
