"""Parameter schedulers with MMEngine 0.10.7's semantics, torch-free.

They act on ``optimizer.param_groups`` (a list of dicts), so the same classes drive
a real torch optimizer, an optimizer wrapper, or a simulation
(:mod:`hookport.optim.simulate`). Importing this package registers every class in
:data:`hookport.registry.PARAM_SCHEDULERS` under MMEngine's names.
"""
from hookport.optim.scheduler.base import INF, SchedulerError, _ParamScheduler
from hookport.optim.scheduler.builder import build_param_scheduler, build_param_schedulers
from hookport.optim.scheduler.cosine import CosineAnnealingParamScheduler, CosineRestartParamScheduler
from hookport.optim.scheduler.decay import (ConstantParamScheduler, ExponentialParamScheduler,
                                            LinearParamScheduler, MultiStepParamScheduler, PolyParamScheduler,
                                            StepParamScheduler)
from hookport.optim.scheduler.lr import (ConstantLR, CosineAnnealingLR, CosineRestartLR, ExponentialLR, LinearLR,
                                         LRSchedulerMixin, MultiStepLR, OneCycleLR, PolyLR, ReduceOnPlateauLR,
                                         StepLR)
from hookport.optim.scheduler.momentum import (ConstantMomentum, CosineAnnealingMomentum, CosineRestartMomentum,
                                               ExponentialMomentum, LinearMomentum, MomentumSchedulerMixin,
                                               MultiStepMomentum, PolyMomentum, ReduceOnPlateauMomentum,
                                               StepMomentum)
from hookport.optim.scheduler.one_cycle import OneCycleParamScheduler
from hookport.optim.scheduler.plateau import ReduceOnPlateauParamScheduler

__all__ = [
    "INF", "SchedulerError", "_ParamScheduler", "build_param_scheduler", "build_param_schedulers",
    "ConstantParamScheduler", "LinearParamScheduler", "StepParamScheduler", "MultiStepParamScheduler",
    "ExponentialParamScheduler", "CosineAnnealingParamScheduler", "PolyParamScheduler", "OneCycleParamScheduler",
    "CosineRestartParamScheduler", "ReduceOnPlateauParamScheduler",
    "LRSchedulerMixin", "ConstantLR", "LinearLR", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
    "PolyLR", "OneCycleLR", "CosineRestartLR", "ReduceOnPlateauLR",
    "MomentumSchedulerMixin", "ConstantMomentum", "LinearMomentum", "StepMomentum", "MultiStepMomentum",
    "ExponentialMomentum", "CosineAnnealingMomentum", "PolyMomentum", "CosineRestartMomentum",
    "ReduceOnPlateauMomentum",
]
