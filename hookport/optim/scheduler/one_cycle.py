"""The 1cycle learning-rate policy (MMEngine's OneCycleParamScheduler; not chainable).

At construction it writes ``initial_lr = eta_max / div_factor``, ``max_lr = eta_max`` and
``min_lr = initial_lr / final_div_factor`` into every group (overriding the optimizer's
lr), then anneals initial -> max -> min (two phases) or initial -> max -> initial -> min
(``three_phase``). Phase ends are ``pct_start * total_steps - 1`` (a float), ... ,
``total_steps - 1``; stepping beyond ``total_steps`` raises.
"""
from __future__ import annotations

import math
from typing import Any, List, Optional

from hookport.optim.scheduler.base import INF, SchedulerError, _ParamScheduler, param_groups_of
from hookport.registry import PARAM_SCHEDULERS


def _anneal_cos(start: float, end: float, pct: float) -> float:
    """Cosine from ``start`` to ``end`` as ``pct`` goes 0 -> 1."""
    cos_out = math.cos(math.pi * pct) + 1
    return end + (start - end) / 2.0 * cos_out


def _anneal_linear(start: float, end: float, pct: float) -> float:
    """Straight line from ``start`` to ``end`` as ``pct`` goes 0 -> 1."""
    return (end - start) * pct + start


ANNEALERS = {"cos": _anneal_cos, "linear": _anneal_linear}


@PARAM_SCHEDULERS.register_module()
class OneCycleParamScheduler(_ParamScheduler):
    """1cycle schedule of ``lr``; ``total_steps`` defaults to ``end - begin``."""

    epoch_scaled_args = ("total_steps",)

    def __init__(self, optimizer: Any, param_name: str, eta_max: Any = 0, total_steps: Optional[int] = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos", div_factor: float = 25.,
                 final_div_factor: float = 1e4, three_phase: bool = False, begin: int = 0, end: int = INF,
                 last_step: int = -1, by_epoch: bool = True, verbose: bool = False):
        name = type(self).__name__
        if param_name != "lr":
            raise SchedulerError(f"{name}: OneCycle only works for learning rate updating, "
                                 f"but got param_name {param_name!r}")
        if total_steps is not None and (not isinstance(total_steps, int) or total_steps <= 0):
            raise SchedulerError(f"{name}: expected positive integer total_steps, but got {total_steps}")
        if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:
            raise SchedulerError(f"{name}: expected float between 0 and 1 pct_start, but got {pct_start!r}")
        if anneal_strategy not in ANNEALERS:
            raise SchedulerError(f"{name}: anneal_strategy must be one of 'cos' or 'linear', "
                                 f"instead got {anneal_strategy!r}")
        self.eta_max = eta_max
        self.div_factor = div_factor
        self.final_div_factor = final_div_factor
        self.total_steps = total_steps if total_steps is not None else end - begin
        self.anneal_strategy = anneal_strategy
        self._schedule_phases = self._phases(pct_start, self.total_steps, three_phase)
        groups = param_groups_of(optimizer)
        max_values = self._per_group(eta_max, len(groups))
        if last_step == -1:
            for group, max_value in zip(groups, max_values):
                group["initial_lr"] = max_value / div_factor
                group["max_lr"] = max_value
                group["min_lr"] = group["initial_lr"] / final_div_factor
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    @staticmethod
    def _phases(pct_start: float, total: int, three_phase: bool) -> List[dict]:
        """(end_step, start key, end key) per phase."""
        if three_phase:
            return [dict(end_step=float(pct_start * total) - 1, start="initial_lr", end="max_lr"),
                    dict(end_step=float(2 * pct_start * total) - 2, start="max_lr", end="initial_lr"),
                    dict(end_step=total - 1, start="initial_lr", end="min_lr")]
        return [dict(end_step=float(pct_start * total) - 1, start="initial_lr", end="max_lr"),
                dict(end_step=total - 1, start="max_lr", end="min_lr")]

    def _per_group(self, value: Any, num_groups: int) -> list:
        if isinstance(value, (list, tuple)):
            if len(value) != num_groups:
                raise SchedulerError(f"{type(self).__name__}: expected {num_groups} values for max_lr, "
                                     f"got {len(value)}")
            return list(value)
        return [value] * num_groups

    def _get_value(self) -> List[Any]:
        step_num = self.last_step
        if step_num > self.total_steps:
            raise SchedulerError(f"{type(self).__name__}: tried to step {step_num + 1} times; "
                                 f"the specified number of total steps is {self.total_steps}")
        anneal = ANNEALERS[self.anneal_strategy]
        values = []
        for group in self.optimizer.param_groups:
            start_step = 0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step_num - start_step) / (end_step - start_step)
                    values.append(anneal(group[phase["start"]], group[phase["end"]], pct))
                    break
                start_step = end_step
        return values
