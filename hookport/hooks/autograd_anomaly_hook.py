"""AutogradAnomalyDetectHook: runs training under ``torch.autograd`` anomaly detection."""
from __future__ import annotations

from hookport.hooks.hook import Hook
from hookport.registry import HOOKS


@HOOKS.register_module()
class AutogradAnomalyDetectHook(Hook):
    """Turns on ``torch.autograd.set_detect_anomaly`` for the training loop and restores the
    previous setting afterwards; a backward pass that produces NaN then fails with the
    traceback of the forward operation that caused it. Slow: for debugging only.

    iMIX's documentation lists this hook but its code base never shipped it; this is the
    behaviour the name promises. Priority HIGHEST so it is on before any other hook's
    ``before_train`` work.

    Args:
        check_nan: also fail on NaN (not only on errors) in backward.
    """

    priority = "HIGHEST"

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan
        self._previous = None

    def before_train(self, runner) -> None:
        """Enable anomaly detection."""
        import torch

        self._previous = (torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled())
        torch.autograd.set_detect_anomaly(True, check_nan=self.check_nan)

    def after_train(self, runner) -> None:
        """Restore the previous anomaly-detection setting."""
        import torch

        if self._previous is not None:
            torch.autograd.set_detect_anomaly(*self._previous)
            self._previous = None
