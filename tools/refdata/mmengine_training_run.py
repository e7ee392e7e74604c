"""Real MMEngine 0.10.7 training runs to compare hookport's Runner against (run with $REFENV/bin/python).

Writes ``tests/data/reference/mmengine/training_runs.json``: for a few configurations of
one tiny regression problem (shuffled DefaultSampler, SGD with momentum, parameter
schedulers by epoch and by iteration, gradient accumulation with an incomplete last
group, gradient clipping, epoch- and iteration-based loops), the initial weights, the
per-iteration ``train/lr`` and ``train/loss`` the message hub recorded, and the final weights.
"""
from __future__ import annotations

import copy
import json
import logging
import os
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from mmengine.model import BaseModel  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference", "mmengine",
                   "training_runs.json")


class Regressor(BaseModel):
    """``forward(inputs, targets, mode)`` over one linear layer; mean squared error."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def forward(self, inputs, targets, mode="tensor"):
        pred = self.linear(torch.stack(inputs))
        return dict(loss=((pred - torch.stack(targets)) ** 2).mean())


class Points(torch.utils.data.Dataset):
    """``size`` fixed points of y = x . (1, -2, 0.5) + 0.3."""

    def __init__(self, size=10):
        self.x = torch.linspace(-1, 1, size * 3).reshape(size, 3)
        self.y = self.x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i], targets=self.y[i])


BASE = dict(
    train_dataloader=dict(sampler=dict(type="DefaultSampler", shuffle=True), batch_size=3),
    train_cfg=dict(by_epoch=True, max_epochs=3),
    optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1, momentum=0.9, weight_decay=0.01)),
    param_scheduler=[dict(type="LinearLR", start_factor=0.2, by_epoch=False, begin=0, end=3),
                     dict(type="MultiStepLR", milestones=[2], gamma=0.5)],
    randomness=dict(seed=3),
)
CASES = {
    "epoch_schedulers": {},
    "accumulation_and_clip": dict(optim_wrapper=dict(
        optimizer=dict(type="SGD", lr=0.1, momentum=0.9), accumulative_counts=5, clip_grad=dict(max_norm=0.5))),
    "iter_based_cosine": dict(
        train_cfg=dict(by_epoch=False, max_iters=10),
        train_dataloader=dict(sampler=dict(type="InfiniteSampler", shuffle=True), batch_size=4),
        param_scheduler=[dict(type="CosineAnnealingLR", T_max=10, by_epoch=False, eta_min=0.001)]),
    "adam_onecycle": dict(
        optim_wrapper=dict(optimizer=dict(type="AdamW", lr=0.01, weight_decay=0.1)),
        param_scheduler=[dict(type="OneCycleLR", eta_max=0.05, total_steps=12, by_epoch=False)]),
}


def run_case(name, overrides):
    cfg = copy.deepcopy(BASE)
    cfg.update(copy.deepcopy(overrides))
    torch.manual_seed(0)
    model = Regressor()
    init = {k: v.tolist() for k, v in model.state_dict().items()}
    cfg["train_dataloader"]["dataset"] = Points()
    with tempfile.TemporaryDirectory() as work_dir:
        # A distinct experiment name per case: MMEngine keeps one visualizer per name.
        runner = Runner(model=model, work_dir=work_dir, experiment_name=name,
                        default_hooks=dict(checkpoint=None, logger=dict(type="LoggerHook", interval=1)), **cfg)
        runner.train()
        hub = runner.message_hub
        lr = [float(v) for v in hub.get_scalar("train/lr").data[0]]
        loss = [float(v) for v in hub.get_scalar("train/loss").data[0]]
        final = {k: v.tolist() for k, v in runner.model.state_dict().items()}
        logging.getLogger("mmengine").handlers.clear()
    return dict(config=overrides, init=init, lr=lr, loss=loss, final=final)


def main():
    doc = dict(mmengine_version="0.10.7", base=dict(BASE, train_dataloader=dict(BASE["train_dataloader"])),
               cases={name: run_case(name, overrides) for name, overrides in CASES.items()})
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print("wrote", os.path.relpath(OUT))


if __name__ == "__main__":
    sys.exit(main())
