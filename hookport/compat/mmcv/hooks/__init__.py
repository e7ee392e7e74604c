"""MMCV 1.x built-in hooks, registered into ``hookport.registry.MMCV_HOOKS`` under MMCV's names.

This package is the registry's import location: importing it registers every built-in.
Each hook overrides exactly the MMCV mount points MMCV 1.7.2's class overrides (checked
against tests/data/reference/mmcv/hook_stages.json), so ``hookport hooks`` prints what
``runner.get_hook_info()`` printed. No module here imports torch at import time.
"""
from hookport.compat.mmcv import lr_updater, momentum_updater  # noqa: F401  (registration side effect)
from hookport.compat.mmcv.hooks import (checkpoint, evaluation, logger, logger_clients, misc, mmdet,  # noqa: F401
                                        optimizer, timer)
