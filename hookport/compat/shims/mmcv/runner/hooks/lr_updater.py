"""Stand-in for ``mmcv.runner.hooks.lr_updater`` (subclass ``LrUpdaterHook`` for custom policies)."""
from hookport.compat.mmcv.formulas import annealing_cos, annealing_linear  # noqa: F401
from hookport.compat.mmcv.lr_updater import *  # noqa: F401,F403
from hookport.compat.mmcv.lr_updater import LrUpdaterHook  # noqa: F401


def format_param(name, optim, param):
    """MMCV's per-group expansion of a number, list or ``{optimizer name: list}``."""
    from hookport.compat.mmcv.formulas import format_param as _format

    return _format("format_param", name, len(optim.param_groups), param)
