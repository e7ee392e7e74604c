"""Momentum schedulers (MMEngine's ``*Momentum`` names).

SGD-like optimizers keep ``momentum`` in their groups. For Adam-like optimizers
(``betas`` in the defaults) momentum means ``betas[0]``: the mixin mirrors it into a
``momentum`` key that the generic scheduler works on, and writes it back into
``betas`` after every step, as MMEngine does. There is no OneCycle momentum.
"""
from __future__ import annotations

from typing import Any

from hookport.optim.scheduler.base import SchedulerError, param_groups_of
from hookport.optim.scheduler.cosine import CosineAnnealingParamScheduler, CosineRestartParamScheduler
from hookport.optim.scheduler.decay import (ConstantParamScheduler, ExponentialParamScheduler,
                                            LinearParamScheduler, MultiStepParamScheduler, PolyParamScheduler,
                                            StepParamScheduler)
from hookport.optim.scheduler.plateau import ReduceOnPlateauParamScheduler
from hookport.registry import PARAM_SCHEDULERS


def optimizer_defaults(optimizer: Any) -> dict:
    """The optimizer's ``defaults`` (through a wrapper's ``.optimizer``), else its first group."""
    for obj in (optimizer, getattr(optimizer, "optimizer", None)):
        defaults = getattr(obj, "defaults", None)
        if isinstance(defaults, dict):
            return defaults
    groups = param_groups_of(optimizer)
    return groups[0] if groups else {}


class MomentumSchedulerMixin:
    """Schedules ``momentum``, or ``betas[0]`` of Adam-like optimizers."""

    def __init__(self, optimizer, *args, **kwargs):
        defaults = optimizer_defaults(optimizer)
        self.use_betas = False
        if "momentum" not in defaults:
            if "betas" not in defaults:
                raise SchedulerError(f"{type(self).__name__}: optimizer must support momentum when using a "
                                     f"momentum scheduler (its defaults have neither 'momentum' nor 'betas')")
            self.use_betas = True
            for group in param_groups_of(optimizer):
                group["momentum"] = group["betas"][0]
        super().__init__(optimizer, "momentum", *args, **kwargs)

    def step(self, *args, **kwargs) -> None:
        """Step, then copy ``momentum`` back into ``betas[0]`` for Adam-like optimizers."""
        super().step(*args, **kwargs)
        if self.use_betas:
            for group in self.optimizer.param_groups:
                group["betas"] = (group["momentum"], group["betas"][1])


@PARAM_SCHEDULERS.register_module()
class ConstantMomentum(MomentumSchedulerMixin, ConstantParamScheduler):
    """:class:`ConstantParamScheduler` on the momentum."""


@PARAM_SCHEDULERS.register_module()
class LinearMomentum(MomentumSchedulerMixin, LinearParamScheduler):
    """:class:`LinearParamScheduler` on the momentum."""


@PARAM_SCHEDULERS.register_module()
class StepMomentum(MomentumSchedulerMixin, StepParamScheduler):
    """:class:`StepParamScheduler` on the momentum."""


@PARAM_SCHEDULERS.register_module()
class MultiStepMomentum(MomentumSchedulerMixin, MultiStepParamScheduler):
    """:class:`MultiStepParamScheduler` on the momentum."""


@PARAM_SCHEDULERS.register_module()
class ExponentialMomentum(MomentumSchedulerMixin, ExponentialParamScheduler):
    """:class:`ExponentialParamScheduler` on the momentum."""


@PARAM_SCHEDULERS.register_module()
class CosineAnnealingMomentum(MomentumSchedulerMixin, CosineAnnealingParamScheduler):
    """:class:`CosineAnnealingParamScheduler` on the momentum."""


@PARAM_SCHEDULERS.register_module()
class PolyMomentum(MomentumSchedulerMixin, PolyParamScheduler):
    """:class:`PolyParamScheduler` on the momentum."""


@PARAM_SCHEDULERS.register_module()
class CosineRestartMomentum(MomentumSchedulerMixin, CosineRestartParamScheduler):
    """:class:`CosineRestartParamScheduler` on the momentum."""


@PARAM_SCHEDULERS.register_module()
class ReduceOnPlateauMomentum(MomentumSchedulerMixin, ReduceOnPlateauParamScheduler):
    """:class:`ReduceOnPlateauParamScheduler` on the momentum."""
