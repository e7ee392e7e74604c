"""iMIX's ``IterationTimerHook``: ``iter_time`` per iteration, ``epoch_time`` per epoch, a speed summary.

The clock is the class attribute :attr:`clock` so that tests can substitute a fake one.
"""
from __future__ import annotations

import logging
import time

from hookport.compat.imix.hook import HookBase
from hookport.registry import IMIX_HOOKS

logger = logging.getLogger("hookport.imix")


@IMIX_HOOKS.register_module()
class IterationTimerHook(HookBase):
    """Times iterations and epochs.

    Args:
        warmup_iter: iterations left out of the speed summary (``lr_config.warmup_iterations``
            when ``lr_config.use_warmup``).
    """

    clock = staticmethod(time.perf_counter)

    def __init__(self, warmup_iter: int = 0):
        super().__init__()
        self._warmup_iter = warmup_iter
        self._start_time = self._iter_start = self._epoch_start = 0.0
        self._total_iter_time = 0.0

    def before_train(self):
        """Start the total clock."""
        self._start_time = self.clock()
        self._total_iter_time = 0.0

    def before_train_epoch(self):
        """Start the epoch clock."""
        self._epoch_start = self.clock()

    def before_train_iter(self):
        """Start the iteration clock."""
        self._iter_start = self.clock()

    def after_train_iter(self):
        """Put iter_time."""
        seconds = self.clock() - self._iter_start
        if self.trainer.iter >= self.trainer.start_iter + self._warmup_iter:
            self._total_iter_time += seconds
        self.trainer.log_buffer.put_scalar("iter_time", seconds)

    def after_train_epoch(self):
        """Put epoch_time (an epoch scalar)."""
        self.trainer.log_buffer.put_scalar("epoch_time", self.clock() - self._epoch_start, is_epoch=True)

    def after_train(self):
        """Log the speed summary."""
        total = self.clock() - self._start_time
        iters = self.trainer.iter + 1 - self.trainer.start_iter - self._warmup_iter
        if iters > 0 and self._total_iter_time > 0:
            unit = f"{self.trainer.max_epoch} epochs" if self.trainer.by_epoch else f"{iters} iterations"
            logger.info("Overall training speed: %d iterations in %.3fs (%.4f s / it); total %.3fs for %s",
                        iters, self._total_iter_time, self._total_iter_time / iters, total, unit)
        else:
            logger.info("Total training time: %.3fs", total)
