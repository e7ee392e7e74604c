"""OptimWrapper / AmpOptimWrapper against real MMEngine 0.10.7 (tests/data/reference/mmengine/optim_wrapper.json)."""
import json
import os

import pytest
import torch
from torch import nn

from hookport.errors import ConfigError
from hookport.optim.wrapper import AmpOptimWrapper, OptimWrapper
from hookport.registry import OPTIM_WRAPPERS

REF = os.path.join(os.path.dirname(__file__), "..", "data", "reference", "mmengine", "optim_wrapper.json")
with open(REF) as _fh:
    REFERENCE = json.load(_fh)


@pytest.mark.parametrize("case", REFERENCE["accumulation"],
                         ids=lambda c: f"acc{c['accumulative_counts']}-init{c['init_counts']}-max{c['max_counts']}")
def test_accumulation_divisors_and_steps_match_mmengine(case):
    model = nn.Linear(1, 1, bias=False)
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1.0),
                           accumulative_counts=case["accumulative_counts"])
    wrapper.initialize_count_status(model, case["init_counts"], case["max_counts"])
    steps = []
    for _ in range(case["max_counts"] - case["init_counts"]):
        before = model.weight.detach().clone()
        divisor = float(1.0 / wrapper.scale_loss(torch.ones(())))
        wrapper.update_params(model.weight.sum())
        steps.append([round(divisor, 12), not torch.equal(before, model.weight.detach())])
    assert steps == case["steps"]


@pytest.mark.parametrize("case", REFERENCE["clip"], ids=lambda c: str(c["clip_grad"]))
def test_clip_grad_matches_mmengine(case):
    model = nn.Linear(4, 2)
    model.load_state_dict({k: torch.tensor(v) for k, v in case["init"].items()})
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1), clip_grad=dict(case["clip_grad"]))
    data = torch.linspace(-1, 1, 12).reshape(3, 4)
    for i in range(3):
        wrapper.update_params((model(data[i:i + 1]) ** 2).sum() * 10)
    for key, value in case["final"].items():
        torch.testing.assert_close(model.state_dict()[key], torch.tensor(value), rtol=1e-6, atol=1e-7)


def test_clip_by_norm_reports_grad_norm_to_message_hub():
    from hookport.runner.message_hub import MessageHub

    model = nn.Linear(2, 1)
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1), clip_grad=dict(max_norm=1e-3))
    wrapper.message_hub = MessageHub("grad-norm-test")
    wrapper.update_params(model(torch.ones(1, 2)).sum() * 100)
    assert wrapper.message_hub.get_scalar("train/grad_norm").current() > 1e-3


def test_bad_arguments_are_config_errors():
    params = [nn.Parameter(torch.zeros(1))]
    with pytest.raises(ConfigError, match="accumulative_counts"):
        OptimWrapper(torch.optim.SGD(params, lr=0.1), accumulative_counts=0)
    with pytest.raises(ConfigError, match="clip_grad type"):
        OptimWrapper(torch.optim.SGD(params, lr=0.1), clip_grad=dict(type="max"))
    with pytest.raises(ConfigError, match="dtype"):
        AmpOptimWrapper(optimizer=torch.optim.SGD(params, lr=0.1), dtype="int8")


def test_get_lr_and_momentum_read_betas_for_adam():
    model = nn.Linear(2, 1)
    sgd = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9))
    adam = OptimWrapper(torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.99)))
    assert sgd.get_lr() == {"lr": [0.1]} and sgd.get_momentum() == {"momentum": [0.9]}
    assert adam.get_momentum() == {"momentum": [0.8]}


def test_state_dict_round_trip():
    model = nn.Linear(2, 1)
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9))
    wrapper.update_params(model(torch.ones(1, 2)).sum())
    other = OptimWrapper(torch.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.5, momentum=0.9))
    other.load_state_dict(wrapper.state_dict())
    assert other.get_lr() == {"lr": [0.1]}


def test_amp_bf16_on_cpu_autocasts_the_forward_and_steps():
    model = nn.Linear(4, 2)
    wrapper = OPTIM_WRAPPERS.build(dict(type="AmpOptimWrapper", device_type="cpu",
                                        optimizer=torch.optim.SGD(model.parameters(), lr=0.1)))
    assert wrapper.cast_dtype is torch.bfloat16
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.ones(3, 4))
    assert out.dtype is torch.bfloat16
    wrapper.update_params(out.float().pow(2).mean())
    assert not torch.equal(before, model.weight)
    state = wrapper.state_dict()
    assert "loss_scaler" in state
    wrapper.load_state_dict(state)


@pytest.mark.gpu
def test_amp_fp16_on_cuda_uses_a_grad_scaler_with_static_scale():
    model = nn.Linear(4, 2).cuda()
    wrapper = AmpOptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1), loss_scale=512.0)
    assert wrapper.cast_dtype is torch.float16 and wrapper.loss_scaler.is_enabled()
    with wrapper.optim_context(model):
        out = model(torch.ones(3, 4, device="cuda"))
    assert out.dtype is torch.float16
    wrapper.update_params(out.float().pow(2).mean())
    assert wrapper.loss_scaler.get_scale() == 512.0
    assert wrapper.state_dict()["loss_scaler"]["scale"] == 512.0
