"""MMCV's IterTimerHook (LOW): ``data_time`` and ``time`` into the log buffer."""
from __future__ import annotations

import time

from hookport.compat.mmcv.hook import Hook
from hookport.registry import MMCV_HOOKS


@MMCV_HOOKS.register_module()
class IterTimerHook(Hook):
    """Times data loading and whole iterations (train and val)."""

    def before_epoch(self, runner) -> None:
        """Start the clock."""
        self.t = time.time()

    def before_iter(self, runner) -> None:
        """Data time: since the previous iteration ended."""
        runner.log_buffer.update({"data_time": time.time() - self.t})

    def after_iter(self, runner) -> None:
        """Iteration time; restart the clock."""
        runner.log_buffer.update({"time": time.time() - self.t})
        self.t = time.time()
