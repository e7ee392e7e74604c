"""Hooks used by runner tests (importable by dotted path from subprocess runs)."""
from __future__ import annotations

import os
import signal
from typing import List

from hookport.hooks.hook import Hook


class KillHook(Hook):
    """SIGKILL this process at the end of training epoch ``at_epoch`` (1-based), after its checkpoint."""

    priority = "LOWEST"

    def __init__(self, at_epoch: int):
        self.at_epoch = at_epoch

    def after_train_epoch(self, runner) -> None:
        if runner.epoch + 1 == self.at_epoch:
            os.kill(os.getpid(), signal.SIGKILL)


class StopAtIter(Hook):
    """Raise KeyboardInterrupt after training iteration ``at_iter`` (1-based), after its checkpoint."""

    priority = "LOWEST"

    def __init__(self, at_iter: int):
        self.at_iter = at_iter

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        if runner.iter + 1 == self.at_iter:
            raise KeyboardInterrupt


class RecordingHook(Hook):
    """Record ``(stage, epoch, iter)`` for every mount point it is called at."""

    def __init__(self, log: List[tuple]):
        self.log = log

    def before_run(self, runner):
        self.log.append(("before_run", runner.epoch, runner.iter))

    def before_train_epoch(self, runner):
        self.log.append(("before_train_epoch", runner.epoch, runner.iter))

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.log.append(("after_train_iter", runner.epoch, runner.iter, batch_idx))

    def after_val_epoch(self, runner, metrics=None):
        self.log.append(("after_val_epoch", runner.epoch, runner.iter, dict(metrics or {})))

    def after_run(self, runner):
        self.log.append(("after_run", runner.epoch, runner.iter))


class DumpStateHook(Hook):
    """After the run, every rank writes its weights and last metrics to ``<work_dir>/rank<r>.pt``."""

    def after_val_epoch(self, runner, metrics=None) -> None:
        self.metrics = dict(metrics or {})

    def after_run(self, runner) -> None:
        import torch

        from hookport.runner.model import unwrap

        state = {k: v.detach().cpu() for k, v in unwrap(runner.model).state_dict().items()}
        torch.save({"state_dict": state, "metrics": getattr(self, "metrics", {}), "world_size": runner.world_size,
                    "distributed": runner.distributed},
                   os.path.join(runner.work_dir, f"rank{runner.rank}.pt"))


class StopAtEpoch(Hook):
    """Raise KeyboardInterrupt at the end of training epoch ``at_epoch`` (1-based), after its checkpoint."""

    priority = "LOWEST"

    def __init__(self, at_epoch: int):
        self.at_epoch = at_epoch

    def after_train_epoch(self, runner) -> None:
        if runner.epoch + 1 == self.at_epoch:
            raise KeyboardInterrupt
