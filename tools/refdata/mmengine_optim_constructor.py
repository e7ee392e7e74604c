"""Parameter groups built by real MMEngine 0.10.7's DefaultOptimWrapperConstructor (run with $REFENV/bin/python).

Writes ``tests/data/reference/mmengine/optim_constructor.json``: for a small model
(conv, depthwise conv, batch norm, layer norm, linear) and several ``paramwise_cfg``s,
the ``lr`` and ``weight_decay`` of each parameter's group, keyed by parameter name.
"""
from __future__ import annotations

import json
import os
import sys
import warnings

warnings.filterwarnings("ignore")

from torch import nn  # noqa: E402

from mmengine.optim import DefaultOptimWrapperConstructor  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference", "mmengine",
                   "optim_constructor.json")


class Net(nn.Module):
    """The model described in the module docstring (rebuilt identically by the test)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.dw = nn.Conv2d(4, 4, 3, groups=4)
        self.bn = nn.BatchNorm2d(4)
        self.backbone = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))
        self.head = nn.Linear(4, 2)


OPTIMIZER = dict(type="SGD", lr=0.01, momentum=0.9, weight_decay=1e-4)
PARAMWISE = {
    "bias_lr_mult": dict(bias_lr_mult=2.0),
    "decay_mults": dict(bias_decay_mult=0.5, norm_decay_mult=0.0, dwconv_decay_mult=0.1),
    "flat_decay": dict(flat_decay_mult=0.3),
    "custom_keys": dict(custom_keys={"backbone": dict(lr_mult=0.1, decay_mult=0.5), "head.bias": dict(lr_mult=5.0),
                                     "backbone.1": dict(decay_mult=0.0)}),
    "custom_keys_with_mults": dict(custom_keys={"head": dict(lr_mult=0.5)}, bias_lr_mult=3.0, norm_decay_mult=0.0),
}


def main():
    net = Net()
    names = {id(p): n for n, p in net.named_parameters()}
    doc = dict(mmengine_version="0.10.7", optimizer=OPTIMIZER, cases={})
    for case, paramwise in PARAMWISE.items():
        ctor = DefaultOptimWrapperConstructor(dict(type="OptimWrapper", optimizer=dict(OPTIMIZER)), dict(paramwise))
        wrapper = ctor(net)
        groups = {}
        for group in wrapper.optimizer.param_groups:
            for p in group["params"]:
                groups[names[id(p)]] = dict(lr=group["lr"], weight_decay=group["weight_decay"])
        doc["cases"][case] = dict(paramwise_cfg=paramwise, groups=groups)
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print("wrote", os.path.relpath(OUT))


if __name__ == "__main__":
    sys.exit(main())
