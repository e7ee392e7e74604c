"""Gradient accumulation and clipping of real MMEngine 0.10.7 ``OptimWrapper`` (run with $REFENV/bin/python).

Writes ``tests/data/reference/mmengine/optim_wrapper.json``: for several
``(accumulative_counts, init_counts, max_counts)`` the loss divisor and whether the
optimizer stepped at every call of ``update_params``, plus final weights of a tiny
linear model trained with clip_grad by norm and by value.
"""
from __future__ import annotations

import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from mmengine.optim import OptimWrapper  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference", "mmengine",
                   "optim_wrapper.json")

ACCUMULATION = [(1, 0, 5), (2, 0, 6), (3, 0, 10), (4, 0, 7), (3, 3, 10), (3, 4, 11), (5, 0, 3)]
CLIPS = [dict(type="norm", max_norm=0.5), dict(type="value", clip_value=0.05),
         dict(max_norm=0.1, norm_type=1.0)]


def accumulation_case(acc, init, max_counts):
    model = nn.Linear(1, 1, bias=False)
    optim = torch.optim.SGD(model.parameters(), lr=1.0)
    wrapper = OptimWrapper(optim, accumulative_counts=acc)
    wrapper.initialize_count_status(model, init, max_counts)
    steps = []
    for _ in range(max_counts - init):
        before = model.weight.detach().clone()
        loss = model.weight.sum() * 0 + 1.0 * model.weight.sum()
        scaled = wrapper.scale_loss(torch.ones(()))
        divisor = float(1.0 / scaled)
        wrapper.update_params(loss)
        steps.append([round(divisor, 12), not torch.equal(before, model.weight.detach())])
    return dict(accumulative_counts=acc, init_counts=init, max_counts=max_counts, steps=steps)


def clip_case(clip):
    torch.manual_seed(0)
    model = nn.Linear(4, 2)
    optim = torch.optim.SGD(model.parameters(), lr=0.1)
    wrapper = OptimWrapper(optim, clip_grad=dict(clip))
    data = torch.linspace(-1, 1, 12).reshape(3, 4)
    for i in range(3):
        loss = (model(data[i:i + 1]) ** 2).sum() * 10
        wrapper.update_params(loss)
    torch.manual_seed(0)
    init = nn.Linear(4, 2)
    return dict(clip_grad=clip, init={k: v.tolist() for k, v in init.state_dict().items()},
                final={k: v.tolist() for k, v in model.state_dict().items()})


def main():
    doc = dict(mmengine_version="0.10.7", accumulation=[accumulation_case(*c) for c in ACCUMULATION],
               clip=[clip_case(c) for c in CLIPS])
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print("wrote", os.path.relpath(OUT))


if __name__ == "__main__":
    sys.exit(main())
