"""IterTimerHook: data loading and iteration times, and the ETA."""
from __future__ import annotations

import time
from typing import Any

from hookport.hooks.hook import Hook
from hookport.registry import HOOKS


@HOOKS.register_module()
class IterTimerHook(Hook):
    """Logs ``<mode>/data_time`` and ``<mode>/time`` every iteration and keeps ``eta`` current.

    ``data_time`` is the time from the end of the previous iteration (or the epoch start) to
    the start of this one; ``time`` is the whole iteration including data loading. The ETA
    is the mean iteration time since training (re)started times the iterations left; in
    validation/test, the iterations left in the dataloader. MMEngine's priority NORMAL.
    """

    priority = "NORMAL"
    #: Clock used for every measurement (wall time, as MMEngine); tests swap in a fake one.
    clock = staticmethod(time.time)

    def __init__(self):
        self.time_sec_tot = 0.0
        self.time_sec_test_val = 0.0
        self.start_iter = 0
        self.t = 0.0

    def before_train(self, runner) -> None:
        """Remember where training (re)starts: the ETA averages only this run's iterations."""
        self.start_iter = runner.iter

    def _before_epoch(self, runner, mode: str = "train") -> None:
        """Start the clock for the epoch's first iteration."""
        self.t = self.clock()

    def _after_epoch(self, runner, mode: str = "train") -> None:
        """Reset the val/test accumulator."""
        self.time_sec_test_val = 0.0

    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        """Log ``train/data_time``."""
        runner.message_hub.update_scalar("train/data_time", self.clock() - self.t)

    def before_val_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        """Log ``val/data_time``."""
        runner.message_hub.update_scalar("val/data_time", self.clock() - self.t)

    def before_test_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        """Log ``test/data_time``."""
        runner.message_hub.update_scalar("test/data_time", self.clock() - self.t)

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Log ``train/time`` and update ``eta`` from the mean time of this run's iterations."""
        now = self.clock()
        elapsed = now - self.t
        self.t = now
        hub = runner.message_hub
        hub.update_scalar("train/time", elapsed)
        self.time_sec_tot += elapsed
        current = runner.iter  # a property chain on the runner: read once
        hub.update_info("eta", self.time_sec_tot / (current - self.start_iter + 1) * (runner.max_iters - current - 1))

    def after_val_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Log ``val/time`` and the validation ETA."""
        self._eval_iter(runner, batch_idx, "val", runner.val_dataloader)

    def after_test_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Log ``test/time`` and the test ETA."""
        self._eval_iter(runner, batch_idx, "test", runner.test_dataloader)

    def _eval_iter(self, runner, batch_idx: int, mode: str, dataloader) -> None:
        now = self.clock()
        elapsed = now - self.t
        self.t = now
        runner.message_hub.update_scalar(f"{mode}/time", elapsed)
        self.time_sec_test_val += elapsed
        mean = self.time_sec_test_val / (batch_idx + 1)
        runner.message_hub.update_info("eta", mean * (len(dataloader) - batch_idx - 1))
