"""Stand-in for ``imix.engine.hooks``: ``HookBase``, ``PriorityStatus``, ``HOOKS`` and iMIX's hooks."""
from hookport.compat.imix.hooks import (CheckPointHook, EMAEpochHook, EMAIterHook, EvaluateHook,
                                        Fp16OptimizerHook, IterationTimerHook, LRSchedulerHook,
                                        MomentumSchedulerHook, OptimizerHook, PeriodicLogger, TextLoggerHook)
from hookport.compat.shims.imix.engine.hooks.base_hook import HookBase, PriorityStatus
from hookport.compat.shims.imix.engine.hooks.builder import HOOKS, build_hook

__all__ = [
    "HookBase", "PriorityStatus", "HOOKS", "build_hook", "OptimizerHook", "Fp16OptimizerHook", "LRSchedulerHook",
    "IterationTimerHook", "PeriodicLogger", "CheckPointHook", "EvaluateHook", "EMAIterHook", "EMAEpochHook",
    "TextLoggerHook", "MomentumSchedulerHook",
]
