"""Stand-in for ``mmcv.runner.hooks.hook``."""
from hookport.compat.mmcv.hook import Hook  # noqa: F401
from hookport.registry import MMCV_HOOKS as HOOKS  # noqa: F401
