"""CheckInvalidLossHook: a NaN/inf loss stops training with an error naming the iteration."""
import math

import pytest

torch = pytest.importorskip("torch")

from hookport.errors import ConfigError  # noqa: E402
from hookport.hooks.check_invalid_loss_hook import CheckInvalidLossHook, InvalidLossError  # noqa: E402
from hookport.registry import MODELS  # noqa: E402
from hookport.toy import ToyClassifier  # noqa: E402
from tests.runner.base import RunnerTestCase  # noqa: E402

from .fakes import FakeRunner  # noqa: E402


@MODELS.register_module(force=True)
class NaNAfter(ToyClassifier):
    """ToyClassifier whose loss turns NaN from the ``bad_from``-th training step on."""

    def __init__(self, bad_from: int = 3, **kwargs):
        super().__init__(**kwargs)
        self.bad_from = bad_from
        self.steps = 0

    def forward(self, inputs, labels=None, mode="tensor"):
        out = super().forward(inputs, labels, mode)
        if mode == "loss":
            self.steps += 1
            if self.steps >= self.bad_from:
                out["loss"] = out["loss"] * float("nan")
        return out


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_loss_names_the_iteration(value):
    runner = FakeRunner()
    runner.epoch, runner.iter = 1, 41
    with pytest.raises(InvalidLossError, match=r"loss is .* at iteration 42 \(epoch 2, batch 2\)"):
        CheckInvalidLossHook(interval=1).after_train_iter(runner, 1, outputs=dict(loss=torch.tensor(value)))


def test_checked_only_every_interval():
    runner = FakeRunner()
    hook = CheckInvalidLossHook(interval=3)
    runner.iter = 0
    hook.after_train_iter(runner, 0, outputs=dict(loss=torch.tensor(math.nan)))  # iteration 1: not checked
    runner.iter = 2
    with pytest.raises(InvalidLossError):
        hook.after_train_iter(runner, 2, outputs=dict(loss=torch.tensor(math.nan)))


def test_without_a_total_loss_every_loss_key_is_checked():
    runner = FakeRunner()
    hook = CheckInvalidLossHook(interval=1)
    hook.after_train_iter(runner, 0, outputs=dict(loss_cls=torch.tensor(1.0), acc=math.nan))
    with pytest.raises(InvalidLossError, match="loss_bbox is inf"):
        hook.after_train_iter(runner, 0, outputs=dict(loss_cls=torch.tensor(1.0), loss_bbox=math.inf))


def test_bad_interval():
    with pytest.raises(ConfigError):
        CheckInvalidLossHook(interval=0)


class TestTrainingStops(RunnerTestCase):
    def test_run_stops_at_the_first_checked_nan(self):
        cfg = self.epoch_based_cfg(model=dict(type="NaNAfter", bad_from=3),
                                   custom_hooks=[dict(type="CheckInvalidLossHook", interval=1)])
        runner = self.build_runner(cfg)
        with self.assertRaisesRegex(InvalidLossError, r"at iteration 3 \(epoch 1, batch 3\)"):
            runner.train()
        self.assertEqual(runner.iter, 2)
