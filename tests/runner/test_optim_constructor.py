"""DefaultOptimWrapperConstructor's paramwise rules vs real MMEngine 0.10.7 (optim_constructor.json)."""
import json
import os

import pytest
from torch import nn

from hookport.errors import ConfigError
from hookport.optim.constructor import DefaultOptimWrapperConstructor, build_optim_wrapper
from hookport.optim.wrapper import OptimWrapper

REF = os.path.join(os.path.dirname(__file__), "..", "data", "reference", "mmengine", "optim_constructor.json")
with open(REF) as _fh:
    REFERENCE = json.load(_fh)


class Net(nn.Module):
    """Same layout as the reference script's model."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.dw = nn.Conv2d(4, 4, 3, groups=4)
        self.bn = nn.BatchNorm2d(4)
        self.backbone = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))
        self.head = nn.Linear(4, 2)


@pytest.mark.parametrize("name", sorted(REFERENCE["cases"]))
def test_param_groups_match_mmengine(name):
    case = REFERENCE["cases"][name]
    net = Net()
    names = {id(p): n for n, p in net.named_parameters()}
    ctor = DefaultOptimWrapperConstructor(dict(type="OptimWrapper", optimizer=dict(REFERENCE["optimizer"])),
                                          case["paramwise_cfg"])
    wrapper = ctor(net)
    groups = {names[id(p)]: dict(lr=g["lr"], weight_decay=g["weight_decay"])
              for g in wrapper.optimizer.param_groups for p in g["params"]}
    assert groups == case["groups"]


def test_without_paramwise_cfg_one_group_and_defaults():
    wrapper = build_optim_wrapper(Net(), dict(optimizer=dict(type="Adam", lr=1e-3)))
    assert isinstance(wrapper, OptimWrapper) and len(wrapper.param_groups) == 1
    assert wrapper.param_groups[0]["lr"] == 1e-3


def test_wrapper_options_reach_the_wrapper():
    wrapper = build_optim_wrapper(Net(), dict(type="OptimWrapper", accumulative_counts=4,
                                              clip_grad=dict(max_norm=1.0), optimizer=dict(type="SGD", lr=0.1)))
    assert wrapper._accumulative_counts == 4 and wrapper.clip_grad_kwargs == {"max_norm": 1.0}


def test_missing_optimizer_and_bad_custom_keys_are_config_errors():
    with pytest.raises(ConfigError, match="optimizer"):
        DefaultOptimWrapperConstructor(dict(type="OptimWrapper"))
    with pytest.raises(ConfigError, match="custom_keys"):
        DefaultOptimWrapperConstructor(dict(optimizer=dict(type="SGD", lr=0.1)), dict(custom_keys=["a"]))
