"""iMIX's built-in hooks, registered into :data:`hookport.registry.IMIX_HOOKS` (scope ``imix``).

One module per hook, written in the style of iMIX's own (argument-less methods,
everything through ``self.trainer``, ``self._level`` set in ``__init__``).
Importing this package registers them; no torch is imported until a hook runs.
"""
from hookport.compat.imix.hooks.optimizer import Fp16OptimizerHook, OptimizerHook
from hookport.compat.imix.hooks.lr_scheduler import LRSchedulerHook
from hookport.compat.imix.hooks.iteration_time import IterationTimerHook
from hookport.compat.imix.hooks.periodic_logger import PeriodicLogger
from hookport.compat.imix.hooks.checkpoint import CheckPointHook
from hookport.compat.imix.hooks.evaluate import EvaluateHook
from hookport.compat.imix.hooks.ema import EMAEpochHook, EMAIterHook
from hookport.compat.imix.hooks.text_logger import MomentumSchedulerHook, TextLoggerHook
from hookport.compat.imix.writers import JSONLoggerHook, TensorboardLoggerHook

__all__ = [
    "OptimizerHook", "Fp16OptimizerHook", "LRSchedulerHook", "IterationTimerHook", "PeriodicLogger",
    "CheckPointHook", "EvaluateHook", "EMAIterHook", "EMAEpochHook", "TextLoggerHook", "MomentumSchedulerHook",
    "JSONLoggerHook", "TensorboardLoggerHook",
]
