"""MMCV built-in hooks, registered into ``hookport.registry.MMCV_HOOKS`` under MMCV's names.

This module is the registry's import location: importing it registers every built-in.
"""
from hookport.compat.mmcv import lr_updater, momentum_updater  # noqa: F401  (registration side effect)
