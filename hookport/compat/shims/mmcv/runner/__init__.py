"""Stand-in for ``mmcv.runner`` (MMCV 1.x), served by hookport when mmcv is not installed.

Hooks, the hook registry, priorities, distributed helpers, fp16 switches and the updater
hooks resolve to hookport's MMCV compat classes; torch-based names (``BaseModule``,
checkpoint I/O, runners) are loaded on first access so importing this module stays torch-free.
"""
from hookport.compat.mmcv.dist_utils import allreduce_params, get_dist_info, init_dist, master_only
from hookport.compat.mmcv.fp16 import auto_fp16, force_fp32, wrap_fp16_model
from hookport.compat.mmcv.log_buffer import LogBuffer
from hookport.compat.shims.mmcv.runner.hooks import *  # noqa: F401,F403
from hookport.compat.shims.mmcv.runner.hooks import __all__ as _hook_names
from hookport.priority import Priority

_LAZY = {
    "BaseModule": "hookport.compat.shims.mmcv.runner.base_module",
    "ModuleList": "hookport.compat.shims.mmcv.runner.base_module",
    "Sequential": "hookport.compat.shims.mmcv.runner.base_module",
    "ModuleDict": "hookport.compat.shims.mmcv.runner.base_module",
    "load_checkpoint": "hookport.compat.mmcv.checkpoint",
    "save_checkpoint": "hookport.compat.mmcv.checkpoint",
    "load_state_dict": "hookport.compat.mmcv.checkpoint",
    "weights_to_cpu": "hookport.compat.mmcv.checkpoint",
    "EpochBasedRunner": "hookport.compat.mmcv.runner",
    "IterBasedRunner": "hookport.compat.mmcv.runner",
    "set_random_seed": "hookport.runner.randomness",
}


def get_priority(priority):
    """MMCV's ``get_priority``: the int value of a name, enum member or int."""
    from hookport.priority import resolve

    return resolve(priority, "mmcv")


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mmcv.runner' (hookport stand-in) has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = sorted(set(_hook_names) | set(_LAZY) | {
    "allreduce_params", "get_dist_info", "init_dist", "master_only", "auto_fp16", "force_fp32", "wrap_fp16_model",
    "LogBuffer", "Priority", "get_priority"})
