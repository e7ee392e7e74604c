"""A recording stand-in for the runner surface the built-in hooks use (no training).

Hook tests that need real training use the runner test base (tests/runner); these fakes
cover the per-hook rules (file names, formats, timing) deterministically.
"""
from __future__ import annotations

import itertools
import os
from types import SimpleNamespace
from typing import Any, List, Optional

from hookport.hooks.hook import Hook
from hookport.registry import HOOKS
from hookport.runner.message_hub import MessageHub

_names = itertools.count()


class RecordingLogger:
    """Collects logged messages (info and warning alike)."""

    def __init__(self):
        self.lines: List[str] = []
        self.handlers: List[Any] = []

    def info(self, msg: str) -> None:
        self.lines.append(msg)

    warning = info


class Loop:
    """A loop with a dataloader of ``n`` batches."""

    def __init__(self, n: int):
        self.dataloader = list(range(n))


class FakeRunner:
    """Runner attributes by MMEngine's names; ``save_checkpoint`` writes a marker file."""

    def __init__(self, work_dir: str = ".", *, max_epochs: int = 1, max_iters: int = 10, n_train: int = 10,
                 n_val: int = 5, n_test: int = 5, training: bool = True, rank: int = 0):
        self.work_dir = str(work_dir)
        self.timestamp = "20260101_000000"
        self.log_dir = os.path.join(self.work_dir, self.timestamp)
        self.experiment_name = "exp"
        self.max_epochs, self.max_iters = max_epochs, max_iters
        self.epoch = 0
        self.iter = 0
        self.rank = rank
        self.distributed = False
        self.logger = RecordingLogger()
        self.message_hub = MessageHub(f"fake-{next(_names)}")
        self.train_loop, self.val_loop, self.test_loop = Loop(n_train), Loop(n_val), Loop(n_test)
        self.train_dataloader = self.train_loop.dataloader
        self.val_dataloader = self.val_loop.dataloader
        self.test_dataloader = self.test_loop.dataloader
        self._train_loop = self.train_loop if training else None
        self.param_schedulers: Optional[list] = None
        self.saved: List[dict] = []
        self.cfg = SimpleNamespace(pretty_text="model = dict(type='Toy')\n")
        self.seed = 0

    def save_checkpoint(self, out_dir, filename, save_optimizer=True, save_param_scheduler=True, meta=None,
                        by_epoch=True, **kwargs):
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, filename), "w") as f:
            f.write("x")
        self.saved.append(dict(filename=filename, save_optimizer=save_optimizer,
                               save_param_scheduler=save_param_scheduler, meta=meta, by_epoch=by_epoch))


class Killed(Exception):
    """Raised by :class:`KillAfterEpoch` to simulate a crash."""


@HOOKS.register_module(force=True)
class KillAfterEpoch(Hook):
    """Simulates a crash right after the checkpoint of epoch ``epoch`` (1-based) was written."""

    priority = "LOWEST"

    def __init__(self, epoch: int = 1):
        self.epoch = epoch

    def after_train_epoch(self, runner) -> None:
        if runner.epoch + 1 == self.epoch:
            raise Killed()
