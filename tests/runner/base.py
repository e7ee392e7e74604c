"""Shared test base for runner and hook tests (like MMEngine's ``RunnerTestCase``).

Usage::

    from tests.runner.base import RunnerTestCase

    class TestMyHook(RunnerTestCase):
        def test_it(self):
            cfg = self.epoch_based_cfg(custom_hooks=[dict(type='MyHook')])
            runner = self.build_runner(cfg)
            runner.train()

``epoch_based_cfg()`` / ``iter_based_cfg()`` return fresh config dicts (ToyClassifier,
ToyDataset of 32 samples, batch 8 -> 4 iterations per epoch, SGD, Accuracy,
seed 0) with ``work_dir`` in a per-test temporary directory; keyword arguments
replace top-level keys. ``NO_DEFAULT_HOOKS`` removes all six default hooks.
"""
from __future__ import annotations

import copy
import logging
import tempfile
import unittest
from typing import Any, Dict

NO_DEFAULT_HOOKS = dict(runtime_info=None, timer=None, sampler_seed=None, logger=None, param_scheduler=None,
                        checkpoint=None)

_EPOCH_CFG: Dict[str, Any] = dict(
    model=dict(type="ToyClassifier"),
    train_dataloader=dict(dataset=dict(type="ToyDataset", size=32, seed=0),
                          sampler=dict(type="DefaultSampler", shuffle=True), batch_size=8, num_workers=0),
    val_dataloader=dict(dataset=dict(type="ToyDataset", size=16, seed=1),
                        sampler=dict(type="DefaultSampler", shuffle=False), batch_size=8, num_workers=0),
    test_dataloader=dict(dataset=dict(type="ToyDataset", size=16, seed=2),
                         sampler=dict(type="DefaultSampler", shuffle=False), batch_size=8, num_workers=0),
    train_cfg=dict(by_epoch=True, max_epochs=2, val_interval=1),
    val_cfg=dict(),
    test_cfg=dict(),
    val_evaluator=dict(type="Accuracy"),
    test_evaluator=dict(type="Accuracy"),
    optim_wrapper=dict(type="OptimWrapper", optimizer=dict(type="SGD", lr=0.1, momentum=0.9)),
    param_scheduler=dict(type="MultiStepLR", milestones=[1], gamma=0.1),
    default_hooks=dict(logger=dict(type="LoggerHook", interval=1)),
    randomness=dict(seed=0),
    log_level="WARNING",
)


class RunnerTestCase(unittest.TestCase):
    """A test case with toy configs and a per-test work dir; runners are closed after each test."""

    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.temp_dir = self._tmp.name
        self._runners = []

    def tearDown(self) -> None:
        for runner in self._runners:
            runner.close()
        logging.getLogger("hookport").handlers.clear()
        self._tmp.cleanup()

    def epoch_based_cfg(self, **overrides: Any) -> Dict[str, Any]:
        """A fresh epoch-based config (2 epochs x 4 iterations, validation every epoch)."""
        cfg = copy.deepcopy(_EPOCH_CFG)
        cfg["work_dir"] = self.temp_dir
        cfg.update(overrides)  # not copied: overrides may hold hook instances the test inspects
        return cfg

    def iter_based_cfg(self, **overrides: Any) -> Dict[str, Any]:
        """A fresh iteration-based config (12 iterations, InfiniteSampler, validation every 4)."""
        cfg = copy.deepcopy(_EPOCH_CFG)
        cfg["work_dir"] = self.temp_dir
        cfg["train_dataloader"]["sampler"] = dict(type="InfiniteSampler", shuffle=True)
        cfg["train_cfg"] = dict(by_epoch=False, max_iters=12, val_interval=4)
        cfg["param_scheduler"] = dict(type="MultiStepLR", milestones=[6], gamma=0.1, by_epoch=False)
        cfg["default_hooks"] = dict(logger=dict(type="LoggerHook", interval=1),
                                    checkpoint=dict(type="CheckpointHook", interval=4, by_epoch=False))
        cfg["log_processor"] = dict(by_epoch=False)
        cfg.update(overrides)  # not copied: overrides may hold hook instances the test inspects
        return cfg

    def build_runner(self, cfg: Dict[str, Any]):
        """``Runner.from_cfg(cfg)``, closed automatically at the end of the test."""
        from hookport.runner.runner import Runner

        runner = Runner.from_cfg(cfg)
        self._runners.append(runner)
        return runner
