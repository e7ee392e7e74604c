"""Learning-rate schedulers: the generic schedulers with ``param_name='lr'`` (MMEngine's ``*LR`` names)."""
from __future__ import annotations

from hookport.optim.scheduler.cosine import CosineAnnealingParamScheduler, CosineRestartParamScheduler
from hookport.optim.scheduler.decay import (ConstantParamScheduler, ExponentialParamScheduler,
                                            LinearParamScheduler, MultiStepParamScheduler, PolyParamScheduler,
                                            StepParamScheduler)
from hookport.optim.scheduler.one_cycle import OneCycleParamScheduler
from hookport.optim.scheduler.plateau import ReduceOnPlateauParamScheduler
from hookport.registry import PARAM_SCHEDULERS


class LRSchedulerMixin:
    """Fixes ``param_name`` to ``'lr'``; every other argument is the generic scheduler's."""

    def __init__(self, optimizer, *args, **kwargs):
        super().__init__(optimizer, "lr", *args, **kwargs)


@PARAM_SCHEDULERS.register_module()
class ConstantLR(LRSchedulerMixin, ConstantParamScheduler):
    """:class:`ConstantParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
class LinearLR(LRSchedulerMixin, LinearParamScheduler):
    """:class:`LinearParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
class StepLR(LRSchedulerMixin, StepParamScheduler):
    """:class:`StepParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
class MultiStepLR(LRSchedulerMixin, MultiStepParamScheduler):
    """:class:`MultiStepParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
class ExponentialLR(LRSchedulerMixin, ExponentialParamScheduler):
    """:class:`ExponentialParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
class CosineAnnealingLR(LRSchedulerMixin, CosineAnnealingParamScheduler):
    """:class:`CosineAnnealingParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
class PolyLR(LRSchedulerMixin, PolyParamScheduler):
    """:class:`PolyParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
class OneCycleLR(LRSchedulerMixin, OneCycleParamScheduler):
    """:class:`OneCycleParamScheduler` (the learning rate is its only parameter)."""


@PARAM_SCHEDULERS.register_module()
class CosineRestartLR(LRSchedulerMixin, CosineRestartParamScheduler):
    """:class:`CosineRestartParamScheduler` on the learning rate."""


@PARAM_SCHEDULERS.register_module()
class ReduceOnPlateauLR(LRSchedulerMixin, ReduceOnPlateauParamScheduler):
    """:class:`ReduceOnPlateauParamScheduler` on the learning rate."""
