"""RuntimeInfoHook: loop state, lr, outputs and metrics in the message hub."""
from types import SimpleNamespace

from hookport.hooks.runtime_info_hook import RuntimeInfoHook, is_scalar

from .fakes import FakeRunner


class Tensorish:
    """A one-element tensor stand-in that fails if anything syncs it."""

    def __init__(self, n=1):
        self.n = n

    def numel(self):
        return self.n

    def detach(self):
        return self

    def item(self):
        raise AssertionError("the hook synced a tensor")


def runner_with_optimizer():
    runner = FakeRunner(max_epochs=3, max_iters=30)
    runner.optim_wrapper = SimpleNamespace(get_lr=lambda: {"lr": [0.1, 0.01]})
    runner.train_dataloader = SimpleNamespace(dataset=SimpleNamespace(metainfo=dict(classes=("a", "b"))))
    return runner


def test_training_state_lr_and_outputs():
    runner = runner_with_optimizer()
    hook = RuntimeInfoHook()
    hook.before_run(runner)
    hook.before_train(runner)
    runner.epoch, runner.iter = 1, 12
    hook.before_train_epoch(runner)
    hook.before_train_iter(runner, 2)
    hook.after_train_iter(runner, 2, outputs=dict(loss=Tensorish(), acc=0.5))
    hub = runner.message_hub
    assert hub.get_info("loop_stage") == "train"
    assert (hub.get_info("epoch"), hub.get_info("iter")) == (1, 12)
    assert (hub.get_info("max_epochs"), hub.get_info("max_iters")) == (3, 30)
    assert hub.get_info("dataset_meta") == dict(classes=("a", "b"))
    assert hub.get_info("experiment_name") == "exp" and hub.get_info("seed") == 0
    assert hub.get_info("cfg").startswith("model = ")
    assert hub.get_scalar("train/lr").current() == 0.1
    assert hub.get_scalar("train/acc").current() == 0.5
    assert "train/loss" in hub.log_scalars  # kept lazily, never synced here
    hook.after_train(runner)
    assert hub.get_info("loop_stage") is None


def test_val_inside_training_returns_to_train_stage():
    runner = runner_with_optimizer()
    hook = RuntimeInfoHook()
    hook.before_run(runner)
    hook.before_train(runner)
    hook.before_val(runner)
    assert runner.message_hub.get_info("loop_stage") == "val"
    hook.after_val_epoch(runner, {"accuracy/top1": 75.0, "per_class": [1.0, 0.5]})
    hook.after_val(runner)
    assert runner.message_hub.get_info("loop_stage") == "train"
    assert runner.message_hub.get_scalar("val/accuracy/top1").current() == 75.0
    assert runner.message_hub.get_info("val/per_class") == [1.0, 0.5]


def test_standalone_val_and_test_leave_no_stage():
    runner = FakeRunner(training=False)
    hook = RuntimeInfoHook()
    hook.before_run(runner)
    hook.before_val(runner)
    hook.after_val(runner)
    assert "loop_stage" not in runner.message_hub.runtime_info
    hook.before_test(runner)
    hook.after_test_epoch(runner, dict(acc=1.0))
    hook.after_test(runner)
    assert "loop_stage" not in runner.message_hub.runtime_info
    assert runner.message_hub.get_scalar("test/acc").current() == 1.0


def test_is_scalar():
    assert is_scalar(1) and is_scalar(2.5) and is_scalar(Tensorish(1))
    assert not is_scalar(Tensorish(3)) and not is_scalar([1.0]) and not is_scalar("x")
