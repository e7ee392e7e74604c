"""EarlyStoppingHook: stop training when a validation metric stops improving (MMEngine 0.10.7).

After every validation, the ``monitor`` metric is compared with the best so far: an
improvement by more than ``min_delta`` resets the wait, anything else counts one more
record without improvement, and ``patience`` such records stop training (the train loop's
``stop_training`` flag: the current epoch or iteration finishes, no new one starts). A
non-finite value (with ``check_finite``) or reaching ``stopping_threshold`` stops at once.
The rule is ``greater`` for accuracy-like names and ``less`` for losses unless given.

Bad arguments are a ConfigError and a missing metric under ``strict`` a HookportError, with
MMEngine's messages (MMEngine raises ValueError / RuntimeError).
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Dict, Optional

from hookport.errors import ConfigError, HookportError
from hookport.hooks.checkpoint_hook import DEFAULT_GREATER_KEYS, DEFAULT_LESS_KEYS, infer_rule
from hookport.hooks.hook import Hook
from hookport.registry import HOOKS

def _infer_rule(monitor: str) -> str:
    """``'greater'`` or ``'less'`` from the metric's name, as CheckpointHook's save_best infers it."""
    try:
        return infer_rule(monitor, None, DEFAULT_GREATER_KEYS, DEFAULT_LESS_KEYS)
    except ConfigError:
        raise ConfigError(f"Cannot infer the rule for {monitor}, thus rule must be specified.") from None


@HOOKS.register_module()
class EarlyStoppingHook(Hook):
    """Stop training after ``patience`` validations without an improvement of ``monitor``."""

    priority = "LOWEST"

    def __init__(self, monitor: str, rule: Optional[str] = None, min_delta: float = 0.1, strict: bool = False,
                 check_finite: bool = True, patience: int = 5, stopping_threshold: Optional[float] = None):
        if rule is not None and rule not in ("greater", "less"):
            raise ConfigError(f'`rule` should be either "greater" or "less", but got {rule}')
        self.monitor = monitor
        self.rule = rule if rule is not None else _infer_rule(monitor)
        self.min_delta = min_delta
        self.strict, self.check_finite = strict, check_finite
        self.patience, self.stopping_threshold = patience, stopping_threshold
        self.wait_count = 0
        self.best_score = -math.inf if self.rule == "greater" else math.inf

    def _better(self, value: float, than: float) -> bool:
        return value > than if self.rule == "greater" else value < than

    def before_run(self, runner) -> None:
        """Refuse a train loop that cannot be stopped."""
        if not hasattr(runner.train_loop, "stop_training"):
            raise HookportError("`train_loop` should contain `stop_training` variable.")

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, Any]] = None) -> None:
        """Compare this validation's ``monitor`` with the best; tell the train loop to stop when it is time."""
        metrics = metrics or {}
        if self.monitor not in metrics:
            if self.strict:
                raise HookportError(f"Early stopping conditioned on metric `{self.monitor} is not available. "
                                    f"Please check available metrics {metrics}, or set `strict=False` in "
                                    f"`EarlyStoppingHook`.")
            warnings.warn(f"Skip early stopping process since the evaluation results ({metrics.keys()}) do not "
                          f"include `monitor` ({self.monitor}).")
            return
        reason = self._stop_reason(metrics[self.monitor])
        if reason is not None:
            runner.train_loop.stop_training = True
            runner.logger.info(reason)

    def _stop_reason(self, score: float) -> Optional[str]:
        """Why training stops after ``score`` (None: it goes on); updates the best score and the wait."""
        if self.check_finite and not math.isfinite(score):
            return (f"Monitored metric {self.monitor} = {score} is infinite. "
                    f"Previous best value was {self.best_score:.3f}.")
        if self.stopping_threshold is not None and self._better(score, self.stopping_threshold):
            self.best_score = score
            return (f"Stopping threshold reached: `{self.monitor}` = {score} is {self.rule} than "
                    f"{self.stopping_threshold}.")
        delta = self.min_delta if self.rule == "greater" else -self.min_delta
        if self._better(self.best_score + delta, score):  # not past best + min_delta: no improvement
            self.wait_count += 1
            if self.wait_count >= self.patience:
                return (f"the monitored metric did not improve in the last {self.wait_count} records. "
                        f"best score: {self.best_score:.3f}. ")
            return None
        self.best_score = score
        self.wait_count = 0
        return None
