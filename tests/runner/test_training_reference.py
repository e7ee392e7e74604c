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
from torch import nn

from hookport.runner.model import BaseModel
from tests.runner.base import RunnerTestCase

REF = os.path.join(os.path.dirname(__file__), "..", "data", "reference", "mmengine", "training_runs.json")
with open(REF) as _fh:
    REFERENCE = json.load(_fh)


class Regressor(BaseModel):
    """Same as the reference script's model."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def forward(self, inputs, targets, mode="tensor"):
        pred = self.linear(torch.stack(inputs))
        return dict(loss=((pred - torch.stack(targets)) ** 2).mean())


class Points(torch.utils.data.Dataset):
    """Same as the reference script's dataset."""

    def __init__(self, size=10):
        self.x = torch.linspace(-1, 1, size * 3).reshape(size, 3)
        self.y = self.x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i], targets=self.y[i])


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
