"""ParamSchedulerHook: which schedulers step when, as MMEngine."""
import pytest

from hookport.errors import ConfigError
from hookport.hooks.param_scheduler_hook import ParamSchedulerHook

from .fakes import FakeRunner


class Sched:
    def __init__(self, by_epoch, need_val_args=False):
        self.by_epoch = by_epoch
        self.need_val_args = need_val_args
        self.calls = []

    def step(self, *args):
        self.calls.append(args)


def test_iteration_and_epoch_schedulers_step_at_their_mount_points():
    runner = FakeRunner()
    per_iter, per_epoch, plateau = Sched(False), Sched(True), Sched(True, need_val_args=True)
    runner.param_schedulers = [per_iter, per_epoch, plateau]
    hook = ParamSchedulerHook()
    for i in range(3):
        hook.after_train_iter(runner, i)
    hook.after_train_epoch(runner)
    hook.after_val_epoch(runner, dict(loss=0.5))
    hook.after_val_epoch(runner, None)
    assert per_iter.calls == [(), (), ()]
    assert per_epoch.calls == [()]
    assert plateau.calls == [(), (dict(loss=0.5),)]


def test_dict_of_lists_per_optimizer():
    runner = FakeRunner()
    gen, disc = Sched(False), Sched(False)
    runner.param_schedulers = dict(generator=[gen], discriminator=[disc])
    ParamSchedulerHook().after_train_iter(runner, 0)
    assert gen.calls == [()] and disc.calls == [()]


def test_replaced_scheduler_list_is_picked_up():
    runner = FakeRunner()
    hook = ParamSchedulerHook()
    hook.after_train_iter(runner, 0)  # None: nothing to step
    runner.param_schedulers = [Sched(False)]
    hook.after_train_iter(runner, 1)
    assert runner.param_schedulers[0].calls == [()]


@pytest.mark.parametrize("value", ["StepLR", dict(g=Sched(False))])
def test_bad_scheduler_container_is_a_config_error(value):
    runner = FakeRunner()
    runner.param_schedulers = value
    with pytest.raises(ConfigError, match="param_schedulers"):
        ParamSchedulerHook().after_train_iter(runner, 0)
