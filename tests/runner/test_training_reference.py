"""Tiny training runs equal real MMEngine 0.10.7's (tests/data/reference/mmengine/training_runs.json).

Same model initialisation, data, sampler seed, optimizer, schedulers, accumulation and
clipping: the per-iteration lr and loss the message hub records and the final weights
must match MMEngine's. This exercises the loops, the optimizer wrapper, the samplers,
ParamSchedulerHook's timing and the parse_losses protocol together. On the machine that
produced the reference (same torch build) the results are bit-identical; the small
tolerances only absorb CPU-kernel differences elsewhere.
"""
import copy
import json
import os

import pytest
import torch

from tests.runner.base import RunnerTestCase
from tests.runner.regression_toy import Points, Regressor

REF = os.path.join(os.path.dirname(__file__), "..", "data", "reference", "mmengine", "training_runs.json")
with open(REF) as _fh:
    REFERENCE = json.load(_fh)


class TestAgainstMMEngine(RunnerTestCase):
    def _check(self, name):
        case = REFERENCE["cases"][name]
        cfg = copy.deepcopy(REFERENCE["base"])
        cfg.update(copy.deepcopy(case["config"]))
        model = Regressor()
        model.load_state_dict({k: torch.tensor(v) for k, v in case["init"].items()})
        cfg["train_dataloader"]["dataset"] = Points()
        cfg.update(model=model, work_dir=self.temp_dir, log_level="WARNING",
                   default_hooks=dict(checkpoint=None, logger=dict(type="LoggerHook", interval=1)))
        runner = self.build_runner(cfg)
        runner.train()
        hub = runner.message_hub
        assert hub.get_scalar("train/lr").data[0] == pytest.approx(case["lr"], rel=1e-12)
        assert hub.get_scalar("train/loss").data[0] == pytest.approx(case["loss"], rel=1e-6)
        for key, value in case["final"].items():
            torch.testing.assert_close(runner.model.state_dict()[key], torch.tensor(value), rtol=1e-6, atol=1e-7)

    def test_epoch_schedulers(self):
        self._check("epoch_schedulers")

    def test_accumulation_with_incomplete_last_group_and_clip(self):
        self._check("accumulation_and_clip")

    def test_iter_based_cosine(self):
        self._check("iter_based_cosine")

    def test_adamw_onecycle(self):
        self._check("adam_onecycle")
