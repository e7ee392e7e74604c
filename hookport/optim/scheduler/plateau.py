"""Reduce a parameter when a validation metric stops improving (MMEngine's ReduceOnPlateau).

Unlike the other schedulers it does not step at construction. ``step()`` without
metrics (called by ParamSchedulerHook after each training epoch) only counts the
global step; ``step(metrics)`` (after each validation epoch) acts when the
global step is in ``[begin, end)``. It is epoch-based only.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Union

from hookport.optim.scheduler.base import INF, SchedulerError, _init_base_values, _ParamScheduler, param_groups_of
from hookport.registry import PARAM_SCHEDULERS

RULES = ("less", "greater")
THRESHOLD_RULES = ("rel", "abs")


@PARAM_SCHEDULERS.register_module()
class ReduceOnPlateauParamScheduler(_ParamScheduler):
    """Multiply by ``factor`` (not below ``min_value``) after more than ``patience`` bad validations.

    Args mirror MMEngine: ``monitor`` (metric key), ``rule`` ('less'/'greater'),
    ``factor`` (< 1), ``patience``, ``threshold`` and ``threshold_rule`` ('rel'/'abs'),
    ``cooldown``, ``min_value`` (scalar or one per group), ``eps`` (smaller changes are skipped).
    """

    need_val_args = True

    def __init__(self, optimizer: Any, param_name: str, monitor: str = "loss", rule: str = "less",
                 factor: float = 0.1, patience: int = 10, threshold: float = 1e-4, threshold_rule: str = "rel",
                 cooldown: int = 0, min_value: Union[float, Sequence[float]] = 0., eps: float = 1e-8,
                 begin: int = 0, end: int = INF, last_step: int = -1, by_epoch: bool = True,
                 verbose: bool = False):
        name = type(self).__name__
        groups = param_groups_of(optimizer)
        self.optimizer = optimizer
        self.param_name = param_name
        if end <= begin:
            raise SchedulerError(f"{name}: end should be larger than begin, but got begin={begin}, end={end}")
        self.begin = begin
        self.end = end
        if not by_epoch:
            raise SchedulerError(f"{name} only supports by_epoch=True")
        self.by_epoch = by_epoch
        if not isinstance(last_step, int) or last_step < -1:
            raise SchedulerError(f"{name}: last_step must be an int >= -1, got {last_step!r}")
        self.base_values = _init_base_values(groups, param_name, last_step)
        self.last_step = last_step
        self._global_step = 0
        self.verbose = verbose
        if factor >= 1.0:
            raise SchedulerError(f"{name}: factor should be < 1.0, got {factor}")
        self.factor = factor
        self.min_values = self._min_values(optimizer, groups, min_value)
        self.patience = patience
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.eps = eps
        self.monitor = monitor
        if threshold < 0:
            raise SchedulerError(f"{name}: threshold {threshold} should be >= 0")
        if rule not in RULES:
            raise SchedulerError(f"{name}: rule {rule!r} is unknown (expected one of {RULES})")
        if threshold_rule not in THRESHOLD_RULES:
            raise SchedulerError(f"{name}: threshold_rule {threshold_rule!r} is unknown "
                                 f"(expected one of {THRESHOLD_RULES})")
        # MMEngine's "worst" value is its INF sentinel (1e9), not float('inf'); kept for identical decisions.
        self.rule_worse = INF if rule == "less" else -INF
        self.rule = rule
        self.threshold = threshold
        self.threshold_rule = threshold_rule
        self.best = self.rule_worse
        self.num_bad_epochs = 0
        self._last_value = self._group_values()

    @classmethod
    def build_iter_from_epoch(cls, *args, **kwargs):
        """Not supported: the plateau test runs after validation epochs."""
        raise SchedulerError(f"{cls.__name__} cannot be converted to iter-based (convert_to_iter_based=True)")

    def _min_values(self, optimizer: Any, groups: list, min_value: Any) -> list:
        if not isinstance(min_value, (list, tuple)):
            return [min_value] * len(groups)
        # An optimizer wrapper with several groups shows one extra "base" group (base_param_settings,
        # as MMEngine's OptimWrapper does); the bounds cover the real groups and the base reuses the last.
        has_base = getattr(optimizer, "base_param_settings", None) is not None
        num_real = len(groups) - int(has_base)
        if len(min_value) != num_real:
            raise SchedulerError(f"{type(self).__name__}: expected {num_real} min_values, got {len(min_value)}")
        values = list(min_value)
        if has_base:
            values.append(values[-1])
        return values

    def _is_better(self, a: float, best: float) -> bool:
        if self.rule == "less" and self.threshold_rule == "rel":
            return a < best * (1. - self.threshold)
        if self.rule == "less":
            return a < best - self.threshold
        if self.threshold_rule == "rel":
            return a > best * (self.threshold + 1.)
        return a > best + self.threshold

    def _get_value(self) -> list:
        values = [float(group[self.param_name]) * self.factor for group in self.optimizer.param_groups]
        return [max(v, min_v) for v, min_v in zip(values, self.min_values)]

    def step(self, metrics: Optional[Dict[str, Any]] = None) -> None:
        """Count a training epoch (no metrics) or judge a validation result (metrics dict)."""
        if metrics is None:
            self._global_step += 1
            return
        if not isinstance(metrics, dict):
            raise SchedulerError(f"{type(self).__name__}: metrics should be a dict, got {type(metrics).__name__}")
        if self.begin <= self._global_step < self.end:
            self.last_step += 1
            if self.monitor not in metrics or metrics[self.monitor] is None:
                raise SchedulerError(f"{type(self).__name__}: monitored metric {self.monitor!r} is not in the "
                                     f"validation metrics {sorted(metrics)}")
            self._judge(metrics[self.monitor])
        self._last_value = self._group_values()

    def _judge(self, metric: float) -> None:
        if self._is_better(metric, self.best):
            self.best = metric
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            for i, (group, value) in enumerate(zip(self.optimizer.param_groups, self._get_value())):
                if group[self.param_name] - value > self.eps:
                    group[self.param_name] = value
                    self.print_value(self.verbose, i, value)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
