"""Resuming a real MMEngine 0.10.7 checkpoint (tools/refdata/mmengine_checkpoint.py).

MMEngine itself cannot load it on current torch (its message hub pickles HistoryBuffer
objects and numpy arrays); hookport reads it under ``weights_only=True`` with its
allow-list and continues training to the same weights MMEngine reached.
"""
import json
import os

import torch
from torch import nn

from hookport.runner.checkpoint import load_checkpoint_file
from hookport.runner.model import BaseModel
from tests.runner.base import NO_DEFAULT_HOOKS, RunnerTestCase

REF = os.path.join(os.path.dirname(__file__), "..", "data", "reference", "mmengine")
CKPT = os.path.join(REF, "mmengine_0.10.7_linear_epoch_1.pth")


class LinearClassifier(BaseModel):
    """Same layout as the reference script's model."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)

    def forward(self, inputs, labels, mode="tensor"):
        logits = self.linear(torch.stack(inputs))
        return dict(loss=nn.functional.cross_entropy(logits, torch.stack(labels)))


class Samples(torch.utils.data.Dataset):
    """The reference script's eight samples."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dict(inputs=torch.ones(4) * i / 8, labels=torch.tensor(i % 2))


def test_mmengine_checkpoint_loads_safely_with_its_message_hub():
    checkpoint = load_checkpoint_file(CKPT)
    assert checkpoint["meta"]["mmengine_version"].startswith("0.10.7")
    from hookport.runner.message_hub import MessageHub

    hub = MessageHub("mmengine-ckpt-test")
    hub.load_state_dict(checkpoint["message_hub"])
    assert len(hub.get_scalar("train/loss").data[0]) == 2
    assert hub.get_info("epoch") is not None


class TestResumeMMEngineCheckpoint(RunnerTestCase):
    def test_resume_continues_to_mmengine_weights(self):
        with open(os.path.join(REF, "mmengine_0.10.7_linear_epoch_2.json")) as fh:
            expected = json.load(fh)
        cfg = dict(model=LinearClassifier(), work_dir=self.temp_dir,
                   train_dataloader=dict(dataset=Samples(), sampler=dict(type="DefaultSampler", shuffle=False),
                                         batch_size=4),
                   train_cfg=dict(by_epoch=True, max_epochs=2),
                   optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1, momentum=0.9)),
                   param_scheduler=dict(type="MultiStepLR", milestones=[1]),
                   default_hooks=dict(NO_DEFAULT_HOOKS, param_scheduler=dict(type="ParamSchedulerHook")),
                   randomness=dict(seed=0), load_from=CKPT, resume=True, log_level="WARNING")
        runner = self.build_runner(cfg)
        runner.train()
        self.assertEqual((runner.epoch, runner.iter), (expected["epoch"], expected["iter"]))
        self.assertEqual(runner.optim_wrapper.get_lr()["lr"], expected["lr"])
        for key, value in expected["state_dict"].items():
            torch.testing.assert_close(runner.model.state_dict()[key], torch.tensor(value), rtol=0, atol=1e-7)
