"""Stand-in for ``mmcv.runner.hooks``: the hook base, the registry and MMCV's built-in hooks."""
from hookport.compat.mmcv.hook import Hook
from hookport.compat.mmcv.hooks.checkpoint import CheckpointHook
from hookport.compat.mmcv.hooks.evaluation import DistEvalHook, EvalHook
from hookport.compat.mmcv.hooks.logger import LoggerHook, TextLoggerHook
from hookport.compat.mmcv.hooks.logger_clients import (DvcliveLoggerHook, MlflowLoggerHook, NeptuneLoggerHook,
                                                        TensorboardLoggerHook, WandbLoggerHook)
from hookport.compat.mmcv.hooks.misc import (ClosureHook, DistSamplerSeedHook, EMAHook, EmptyCacheHook, ProfilerHook,
                                             SyncBuffersHook)
from hookport.compat.mmcv.hooks.optimizer import (Fp16OptimizerHook, GradientCumulativeFp16OptimizerHook,
                                                  GradientCumulativeOptimizerHook, OptimizerHook)
from hookport.compat.mmcv.hooks.timer import IterTimerHook
from hookport.compat.mmcv.lr_updater import *  # noqa: F401,F403
from hookport.compat.mmcv.lr_updater import LrUpdaterHook
from hookport.compat.mmcv.momentum_updater import *  # noqa: F401,F403
from hookport.compat.mmcv.momentum_updater import MomentumUpdaterHook
from hookport.registry import MMCV_HOOKS as HOOKS

__all__ = ["HOOKS", "Hook", "CheckpointHook", "DistEvalHook", "EvalHook", "LoggerHook", "TextLoggerHook",
           "DvcliveLoggerHook", "MlflowLoggerHook", "NeptuneLoggerHook", "TensorboardLoggerHook", "WandbLoggerHook",
           "ClosureHook", "DistSamplerSeedHook", "EMAHook", "EmptyCacheHook", "ProfilerHook", "SyncBuffersHook",
           "Fp16OptimizerHook", "GradientCumulativeFp16OptimizerHook", "GradientCumulativeOptimizerHook",
           "OptimizerHook", "IterTimerHook", "LrUpdaterHook", "MomentumUpdaterHook"] + [
    name for name in dir() if name.endswith(("LrUpdaterHook", "MomentumUpdaterHook"))
    and name not in ("LrUpdaterHook", "MomentumUpdaterHook")]
