"""Stand-in for ``mmcv.runner.hooks.momentum_updater``."""
from hookport.compat.mmcv.momentum_updater import *  # noqa: F401,F403
from hookport.compat.mmcv.momentum_updater import MomentumUpdaterHook  # noqa: F401
