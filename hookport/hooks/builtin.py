"""Imports every built-in hook module so each registers itself in :data:`hookport.registry.HOOKS`.

The registry imports this module on its first lookup miss. No hook module imports torch at
import time, so ``hookport hooks`` and convert's verification can list and build hooks
without torch installed.
"""
from hookport.hooks.autograd_anomaly_hook import AutogradAnomalyDetectHook
from hookport.hooks.check_invalid_loss_hook import CheckInvalidLossHook, InvalidLossError
from hookport.hooks.checkpoint_hook import CheckpointHook
from hookport.hooks.early_stopping_hook import EarlyStoppingHook
from hookport.hooks.ema_hook import EMAHook
from hookport.hooks.empty_cache_hook import EmptyCacheHook
from hookport.hooks.iter_timer_hook import IterTimerHook
from hookport.hooks.logger_hook import LoggerHook
from hookport.hooks.memory_profiler_hook import MemoryProfilerHook
from hookport.hooks.param_scheduler_hook import ParamSchedulerHook
from hookport.hooks.profiler_hook import ProfilerHook
from hookport.hooks.runtime_info_hook import RuntimeInfoHook
from hookport.hooks.sampler_seed_hook import DistSamplerSeedHook
from hookport.hooks.sync_buffers_hook import SyncBuffersHook

__all__ = [
    "AutogradAnomalyDetectHook", "CheckInvalidLossHook", "CheckpointHook", "DistSamplerSeedHook",
    "EarlyStoppingHook", "EMAHook",
    "EmptyCacheHook", "InvalidLossError", "IterTimerHook", "LoggerHook", "MemoryProfilerHook",
    "ParamSchedulerHook", "ProfilerHook", "RuntimeInfoHook", "SyncBuffersHook",
]
