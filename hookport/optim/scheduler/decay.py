"""Factor schedules: constant, linear, step, multi-step, exponential and polynomial.

Every value is computed from the group's current value (chainable form), with the
same arithmetic, in the same order, as MMEngine 0.10.7, so trajectories agree to
the last bit and schedulers on one parameter compose by multiplying.
``total_iters = end - begin - 1``: the target is reached at step ``end - 1``.
"""
from __future__ import annotations

from typing import Any, List, Sequence

from hookport.optim.scheduler.base import INF, SchedulerError, _ParamScheduler
from hookport.registry import PARAM_SCHEDULERS


def _check_factor(owner: str, what: str, factor: float) -> None:
    if factor > 1.0 or factor < 0:
        raise SchedulerError(f"{owner}: {what} should be between 0 and 1, got {factor}")


@PARAM_SCHEDULERS.register_module()
class ConstantParamScheduler(_ParamScheduler):
    """Multiply the value by ``factor`` from ``begin`` until step ``end - 1``, where it is restored."""

    def __init__(self, optimizer: Any, param_name: str, factor: float = 1.0 / 3, begin: int = 0,
                 end: int = INF, last_step: int = -1, by_epoch: bool = True, verbose: bool = False):
        _check_factor(type(self).__name__, "constant multiplicative factor", factor)
        self.factor = factor
        self.total_iters = end - begin - 1
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _get_value(self) -> List[Any]:
        values = self._group_values()
        if self.last_step == 0:
            return [v * self.factor for v in values]
        if self.last_step == self.total_iters:
            return [v * (1.0 / self.factor) for v in values]
        return values


@PARAM_SCHEDULERS.register_module()
class LinearParamScheduler(_ParamScheduler):
    """Ramp the multiplicative factor linearly from ``start_factor`` to ``end_factor`` at step ``end - 1``."""

    def __init__(self, optimizer: Any, param_name: str, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 begin: int = 0, end: int = INF, last_step: int = -1, by_epoch: bool = True,
                 verbose: bool = False):
        _check_factor(type(self).__name__, "starting multiplicative factor", start_factor)
        _check_factor(type(self).__name__, "ending multiplicative factor", end_factor)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = end - begin - 1
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _get_value(self) -> List[Any]:
        values = self._group_values()
        if self.last_step == 0:
            return [v * self.start_factor for v in values]
        delta = self.end_factor - self.start_factor
        return [v * (1. + delta / (self.total_iters * self.start_factor + (self.last_step - 1) * delta))
                for v in values]


@PARAM_SCHEDULERS.register_module()
class StepParamScheduler(_ParamScheduler):
    """Multiply the value by ``gamma`` every ``step_size`` steps (counted from ``begin``)."""

    epoch_scaled_args = ("step_size",)

    def __init__(self, optimizer: Any, param_name: str, step_size: int, gamma: float = 0.1, begin: int = 0,
                 end: int = INF, last_step: int = -1, by_epoch: bool = True, verbose: bool = False):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _get_value(self) -> List[Any]:
        values = self._group_values()
        if self.last_step == 0 or self.last_step % self.step_size != 0:
            return values
        return [v * self.gamma for v in values]


@PARAM_SCHEDULERS.register_module()
class MultiStepParamScheduler(_ParamScheduler):
    """Multiply the value by ``gamma`` at each milestone (steps counted from ``begin``).

    A milestone listed twice multiplies by ``gamma ** 2``. Milestones are kept as a
    plain ``{step: count}`` dict (MMEngine keeps a Counter) so state dicts stay plain data.
    """

    epoch_scaled_args = ("milestones",)

    def __init__(self, optimizer: Any, param_name: str, milestones: Sequence[int], gamma: float = 0.1,
                 last_step: int = -1, begin: int = 0, end: int = INF, by_epoch: bool = True,
                 verbose: bool = False):
        counts: dict = {}
        for milestone in milestones:
            counts[milestone] = counts.get(milestone, 0) + 1
        self.milestones = counts
        self.gamma = gamma
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _get_value(self) -> List[Any]:
        values = self._group_values()
        if self.last_step not in self.milestones:
            return values
        return [v * self.gamma ** self.milestones[self.last_step] for v in values]


@PARAM_SCHEDULERS.register_module()
class ExponentialParamScheduler(_ParamScheduler):
    """Multiply the value by ``gamma`` at every step after the first."""

    def __init__(self, optimizer: Any, param_name: str, gamma: float, begin: int = 0, end: int = INF,
                 last_step: int = -1, by_epoch: bool = True, verbose: bool = False):
        self.gamma = gamma
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _get_value(self) -> List[Any]:
        values = self._group_values()
        if self.last_step == 0:
            return values
        return [v * self.gamma for v in values]


@PARAM_SCHEDULERS.register_module()
class PolyParamScheduler(_ParamScheduler):
    """Polynomial decay to ``eta_min``, reached at step ``end - 1``."""

    def __init__(self, optimizer: Any, param_name: str, eta_min: float = 0, power: float = 1.0, begin: int = 0,
                 end: int = INF, last_step: int = -1, by_epoch: bool = True, verbose: bool = False):
        self.eta_min = eta_min
        self.power = power
        self.total_iters = end - begin - 1
        super().__init__(optimizer, param_name, begin, end, last_step, by_epoch, verbose)

    def _get_value(self) -> List[Any]:
        values = self._group_values()
        if self.last_step == 0:
            return values
        remaining = 1 - 1 / (self.total_iters - self.last_step + 1)
        return [(v - self.eta_min) * remaining ** self.power + self.eta_min for v in values]
