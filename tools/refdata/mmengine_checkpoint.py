"""A real MMEngine 0.10.7 checkpoint for compatibility tests (run with $REFENV/bin/python).

Trains a 4->2 linear classifier for one epoch (8 samples, batch 4, SGD with momentum,
MultiStepLR) with a real MMEngine Runner and copies ``epoch_1.pth`` to
``tests/data/reference/mmengine/mmengine_0.10.7_linear_epoch_1.pth``, and the weights and lr
after epoch 2 of the same run to ``mmengine_0.10.7_linear_epoch_2.json``. Its message hub holds
MMEngine ``HistoryBuffer`` objects with numpy arrays, which current torch refuses to load by
default; hookport must read it safely and resume from it.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from mmengine.model import BaseModel  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference", "mmengine",
                   "mmengine_0.10.7_linear_epoch_1.pth")


class LinearClassifier(BaseModel):
    """``forward(inputs, labels, mode)`` over a single ``linear`` layer."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)

    def forward(self, inputs, labels, mode="tensor"):
        logits = self.linear(torch.stack(inputs))
        return dict(loss=nn.functional.cross_entropy(logits, torch.stack(labels)))


class Samples(torch.utils.data.Dataset):
    """Eight fixed samples."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dict(inputs=torch.ones(4) * i / 8, labels=torch.tensor(i % 2))


def main():
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as work_dir:
        runner = Runner(
            model=LinearClassifier(), work_dir=work_dir,
            train_dataloader=dict(dataset=Samples(), sampler=dict(type="DefaultSampler", shuffle=False),
                                  batch_size=4),
            train_cfg=dict(by_epoch=True, max_epochs=2),
            optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1, momentum=0.9)),
            param_scheduler=dict(type="MultiStepLR", milestones=[1]), randomness=dict(seed=0),
            default_hooks=dict(logger=dict(type="LoggerHook", interval=1)))
        runner.train()
        shutil.copy(os.path.join(work_dir, "epoch_1.pth"), OUT)
        final = dict(state_dict={k: v.tolist() for k, v in runner.model.state_dict().items()},
                     lr=runner.optim_wrapper.get_lr()["lr"], epoch=runner.epoch, iter=runner.iter)
    with open(OUT.replace("_epoch_1.pth", "_epoch_2.json"), "w") as fh:
        json.dump(final, fh, indent=1)
        fh.write("\n")
    print("wrote", os.path.relpath(OUT))


if __name__ == "__main__":
    sys.exit(main())
