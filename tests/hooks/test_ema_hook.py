"""EMAHook and the averaged models against MMEngine 0.10.7 (reference/mmengine_hooks/ema.json),
plus MMDetection 3.x's ExpMomentumEMA against its closed form."""
import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from hookport.errors import ConfigError  # noqa: E402
from hookport.hooks.ema_hook import EMAHook  # noqa: E402
from hookport.registry import MODELS  # noqa: E402

from .fakes import RecordingLogger  # noqa: E402

REFERENCE = json.loads((Path(__file__).parents[1] / "data" / "reference" / "mmengine_hooks"
                        / "ema.json").read_text())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.bn = nn.BatchNorm1d(2)


def set_weights(model, step):
    """The reference script's deterministic weights for update ``step``."""
    with torch.no_grad():
        for j, (_, p) in enumerate(sorted(model.state_dict().items())):
            if p.dtype.is_floating_point:
                p.copy_(torch.arange(p.numel(), dtype=p.dtype).reshape(p.shape) * 0.1 + step * (j + 1) * 0.5)
            else:
                p.fill_(step)


def state(model):
    return {k: v.tolist() for k, v in model.state_dict().items()}


def flat(value):
    return [x for v in value for x in flat(v)] if isinstance(value, list) else [value]


def assert_state(actual, expected):
    assert actual.keys() == expected.keys()
    for key in expected:
        assert flat(actual[key]) == pytest.approx(flat(expected[key]), rel=1e-6, abs=1e-7), key


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda c: c["name"])
def test_averaged_models_match_mmengine(case):
    model = Net()
    set_weights(model, 0)
    averaged = MODELS.build(dict(type=case["cls"], model=model, **case["kwargs"]))
    for step, expected in enumerate(case["history"]):
        set_weights(model, step + 1)
        averaged.update_parameters(model)
        assert_state(state(averaged.module), expected)
    assert int(averaged.steps) == case["steps_buffer"]


def test_exp_momentum_ema_closed_form():
    model = nn.Linear(1, 1, bias=False)
    averaged = MODELS.build(dict(type="ExpMomentumEMA", model=model, momentum=0.0002, gamma=4))
    expected = None
    for step in range(6):
        with torch.no_grad():
            model.weight.fill_(float(step + 1))
        averaged.update_parameters(model)
        if step == 0:
            expected = 1.0
        else:
            m = (1 - 0.0002) * math.exp(-(1 + step) / 4) + 0.0002
            expected = (1 - m) * expected + m * (step + 1)
        assert averaged.module.weight.item() == pytest.approx(expected, rel=1e-6)


def test_loaded_steps_counter_drives_the_next_update():
    model = nn.Linear(1, 1, bias=False)
    first = MODELS.build(dict(type="MomentumAnnealingEMA", model=model, momentum=0.01, gamma=2))
    for _ in range(3):
        first.update_parameters(model)
    second = MODELS.build(dict(type="MomentumAnnealingEMA", model=model, momentum=0.01, gamma=2))
    second.load_state_dict(first.state_dict())
    assert second._steps == 3
    with torch.no_grad():
        model.weight.fill_(10.0)
    first.update_parameters(model)
    second.update_parameters(model)
    assert second.module.weight.item() == first.module.weight.item()


@pytest.mark.parametrize("cls", ["ExponentialMovingAverage", "MomentumAnnealingEMA", "ExpMomentumEMA"])
def test_bad_momentum_is_a_config_error(cls):
    with pytest.raises(ConfigError, match="momentum must be in"):
        MODELS.build(dict(type=cls, model=nn.Linear(1, 1), momentum=1.5))


def test_hook_begin_iter_swap_and_checkpoint_match_mmengine():
    ref = REFERENCE["hook"]
    model = Net()
    set_weights(model, 0)
    runner = SimpleNamespace(model=model, iter=0, epoch=0, max_iters=10, max_epochs=1, _resume=False,
                             logger=RecordingLogger())
    hook = EMAHook(**ref["kwargs"])
    hook.before_run(runner)
    hook.before_train(runner)
    for step, expected in enumerate(ref["history"]):
        set_weights(model, step + 1)
        runner.iter = step
        hook.after_train_iter(runner, step)
        assert_state(state(hook.ema_model.module), expected)
    hook.before_val_epoch(runner)
    assert_state(state(model), ref["during_val"])
    hook.after_val_epoch(runner, {})
    assert_state(state(model), ref["after_val"])
    checkpoint = dict(state_dict={k: v.clone() for k, v in model.state_dict().items()})
    hook.before_save_checkpoint(runner, checkpoint)
    assert_state({k: v.tolist() for k, v in checkpoint["state_dict"].items()}, ref["checkpoint"]["state_dict"])
    assert_state({k: v.tolist() for k, v in checkpoint["ema_state_dict"].items()},
                 ref["checkpoint"]["ema_state_dict"])


def test_resume_restores_both_models_from_a_saved_checkpoint():
    model = Net()
    set_weights(model, 1)
    runner = SimpleNamespace(model=model, iter=0, epoch=0, max_iters=10, max_epochs=1, _resume=True,
                             logger=RecordingLogger())
    hook = EMAHook(momentum=0.5)
    hook.before_run(runner)
    for step in range(3):
        set_weights(model, step + 2)
        hook.after_train_iter(runner, step)
    raw, ema = state(model), state(hook.ema_model.module)
    checkpoint = dict(state_dict={k: v.clone() for k, v in model.state_dict().items()})
    hook.before_save_checkpoint(runner, checkpoint)

    fresh = Net()
    resumed = EMAHook(momentum=0.5)
    runner2 = SimpleNamespace(model=fresh, _resume=True, logger=RecordingLogger())
    resumed.before_run(runner2)
    resumed.after_load_checkpoint(runner2, checkpoint)  # the runner then loads checkpoint['state_dict']
    fresh.load_state_dict(checkpoint["state_dict"])
    assert_state(state(fresh), raw)
    assert_state(state(resumed.ema_model.module), ema)


def test_load_from_without_ema_state_starts_the_average_from_the_weights():
    source = Net()
    set_weights(source, 4)
    runner = SimpleNamespace(model=Net(), _resume=False, logger=RecordingLogger())
    hook = EMAHook()
    hook.before_run(runner)
    hook.after_load_checkpoint(runner, dict(state_dict=source.state_dict()))
    assert_state(state(hook.ema_model.module), state(source))
    assert runner.logger.lines == []


@pytest.mark.parametrize("kwargs,message", [
    (dict(begin_iter=1, begin_epoch=1), "not both"),
    (dict(begin_iter=-1), ">= 0"),
])
def test_bad_begin_is_a_config_error(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        EMAHook(**kwargs)


def test_begin_after_the_run_is_a_config_error():
    hook = EMAHook(begin_epoch=5)
    with pytest.raises(ConfigError, match="begin_epoch"):
        hook.before_train(SimpleNamespace(max_epochs=3, max_iters=30))


def test_large_momentum_is_warned_about():
    import logging

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("hookport")  # a runner's logger does not propagate: listen on it directly
    logger.addHandler(handler)
    try:
        MODELS.build(dict(type="ExponentialMovingAverage", model=nn.Linear(1, 1), momentum=0.9998))
    finally:
        logger.removeHandler(handler)
    assert any("usually small" in r.getMessage() for r in records)
