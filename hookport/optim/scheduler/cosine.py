"""Cosine schedules: cosine annealing (SGDR without restarts) and cosine annealing with restarts.

Both use MMEngine's recursive (chainable) form
``v_t = (1 + cos(pi t / T)) / (1 + cos(pi (t - 1) / T)) * (v_{t-1} - eta_min) + eta_min``,
so they compose with other schedulers on the same parameter.
"""
from __future__ import annotations

import math
from typing import Any, List, Optional, Sequence

from hookport.optim.scheduler.base import INF, SchedulerError, _ParamScheduler, resolve_eta_min
from hookport.registry import PARAM_SCHEDULERS


@PARAM_SCHEDULERS.register_module()
class CosineAnnealingParamScheduler(_ParamScheduler):
    """Cosine annealing from the group's value to ``eta_min`` (or ``base * eta_min_ratio``) over ``T_max`` steps.

    ``T_max`` defaults to ``end - begin``; without ``eta_min`` and ``eta_min_ratio``, ``eta_min`` is 0.
    Past ``T_max`` the curve continues periodically (it rises again), as in MMEngine.
    """

    epoch_scaled_args = ("T_max",)

    def __init__(self, optimizer: Any, param_name: str, T_max: Optional[int] = None,
                 eta_min: Optional[float] = None, begin: int = 0, end: int = INF, last_step: int = -1,
                 by_epoch: bool = True, verbose: bool = False, eta_min_ratio: Optional[float] = None):
        if eta_min is None and eta_min_ratio is None:
            eta_min = 0.
        self.eta_min, self.eta_min_ratio = resolve_eta_min(eta_min, eta_min_ratio, type(self).__name__)
        self.T_max = T_max or (end - begin)
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _eta_min(self, base_value: float) -> float:
        return self.eta_min if self.eta_min_ratio is None else base_value * self.eta_min_ratio

    def _get_value(self) -> List[Any]:
        values = self._group_values()
        if self.last_step == 0:
            return values
        if (self.last_step - 1 - self.T_max) % (2 * self.T_max) == 0:
            # At an odd multiple of T_max the ratio form divides by ~0; step up from the trough instead.
            return [v + (base - self._eta_min(base)) * (1 - math.cos(math.pi / self.T_max)) / 2
                    for base, v in zip(self.base_values, values)]
        ratio = (1 + math.cos(math.pi * self.last_step / self.T_max)) / (
            1 + math.cos(math.pi * (self.last_step - 1) / self.T_max))
        return [ratio * (v - self._eta_min(base)) + self._eta_min(base)
                for base, v in zip(self.base_values, values)]


@PARAM_SCHEDULERS.register_module()
class CosineRestartParamScheduler(_ParamScheduler):
    """Cosine annealing restarted after each of ``periods``; restart ``i`` starts at ``base * restart_weights[i]``.

    Past the sum of the periods the value is left alone (MMEngine; MMCV raises).
    """

    epoch_scaled_args = ("periods",)

    def __init__(self, optimizer: Any, param_name: str, periods: Sequence[int],
                 restart_weights: Sequence[float] = (1,), eta_min: Optional[float] = None,
                 eta_min_ratio: Optional[float] = None, begin: int = 0, end: int = INF, last_step: int = -1,
                 by_epoch: bool = True, verbose: bool = False):
        self.eta_min, self.eta_min_ratio = resolve_eta_min(eta_min, eta_min_ratio, type(self).__name__)
        self.periods = periods
        self.restart_weights = restart_weights
        if len(periods) != len(restart_weights):
            raise SchedulerError(f"{type(self).__name__}: periods and restart_weights should have the same "
                                 f"length, got {len(periods)} and {len(restart_weights)}")
        self.cumulative_periods = [sum(periods[0:i + 1]) for i in range(len(periods))]
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    @staticmethod
    def get_position_from_periods(iteration: int, cumulative_periods: Sequence[int]) -> Optional[int]:
        """Index of the period ``iteration`` falls in, or None past the last one."""
        for i, period in enumerate(cumulative_periods):
            if iteration < period:
                return i
        return None

    def _get_value(self) -> List[Any]:
        values = self._group_values()
        idx = self.get_position_from_periods(self.last_step, self.cumulative_periods)
        if idx is None:
            return values
        weight = self.restart_weights[idx]
        period = self.periods[idx]
        step = self.last_step - (0 if idx == 0 else self.cumulative_periods[idx - 1])
        new_values = []
        for base, v in zip(self.base_values, values):
            if step == 0:
                new_values.append(base * weight)
                continue
            eta_min = self.eta_min if self.eta_min_ratio is None else base * self.eta_min_ratio
            new_values.append((1 + math.cos(math.pi * step / period)) /
                              (1 + math.cos(math.pi * (step - 1) / period)) * (v - eta_min) + eta_min)
        return new_values
