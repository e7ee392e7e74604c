"""IterTimerHook with a fake clock: data_time, time and ETA as MMEngine computes them
(closed form, and reference/mmengine_hooks/iter_timer.json from MMEngine under the same clock)."""
import json
from pathlib import Path

import pytest

from hookport.hooks.iter_timer_hook import IterTimerHook

from .fakes import FakeRunner


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_train_times_and_eta():
    runner = FakeRunner(max_iters=10, n_train=5)
    clock = FakeClock()
    hook = IterTimerHook()
    hook.clock = clock
    hook.before_train(runner)
    hook.before_train_epoch(runner)
    durations = [(0.5, 2.0), (0.25, 1.0), (0.0, 3.0)]
    for i, (load, step) in enumerate(durations):
        runner.iter = i
        clock.now += load
        hook.before_train_iter(runner, i)
        clock.now += step
        hook.after_train_iter(runner, i)
        total = sum(a + b for a, b in durations[:i + 1])
        assert runner.message_hub.get_info("eta") == pytest.approx(total / (i + 1) * (10 - i - 1))
    assert runner.message_hub.get_scalar("train/data_time").data[0] == [0.5, 0.25, 0.0]
    assert runner.message_hub.get_scalar("train/time").data[0] == [2.5, 1.25, 3.0]


def test_eta_averages_only_iterations_since_resume():
    runner = FakeRunner(max_iters=100)
    clock = FakeClock()
    hook = IterTimerHook()
    hook.clock = clock
    runner.iter = 40  # resumed at iteration 40
    hook.before_train(runner)
    hook.before_train_epoch(runner)
    hook.before_train_iter(runner, 0)
    clock.now += 2.0
    hook.after_train_iter(runner, 0)
    assert runner.message_hub.get_info("eta") == pytest.approx(2.0 * (100 - 40 - 1))


@pytest.mark.parametrize("mode", ["val", "test"])
def test_eval_eta_counts_the_dataloader_and_resets_each_epoch(mode):
    runner = FakeRunner(n_val=4, n_test=4)
    clock = FakeClock()
    hook = IterTimerHook()
    hook.clock = clock
    for _ in range(2):  # the second epoch starts from scratch
        getattr(hook, f"before_{mode}_epoch")(runner)
        for i in range(2):
            getattr(hook, f"before_{mode}_iter")(runner, i)
            clock.now += 1.0 + i
            getattr(hook, f"after_{mode}_iter")(runner, i)
        assert runner.message_hub.get_info("eta") == pytest.approx((1.0 + 2.0) / 2 * 2)
        getattr(hook, f"after_{mode}_epoch")(runner)
        assert hook.time_sec_test_val == 0.0
    assert runner.message_hub.get_scalar(f"{mode}/time").data[0] == [1.0, 2.0, 1.0, 2.0]


TIMER_REFERENCE = json.loads((Path(__file__).parents[1] / "data" / "reference" / "mmengine_hooks"
                              / "iter_timer.json").read_text())


@pytest.mark.parametrize("case", TIMER_REFERENCE["cases"], ids=lambda c: c["name"])
def test_matches_mmengine_under_the_same_clock(case):
    mode = case["mode"]
    runner = FakeRunner(max_iters=case["max_iters"], n_val=case["n"], n_test=case["n"])
    runner.iter = case["start_iter"]
    clock = FakeClock()
    hook = IterTimerHook()
    hook.clock = clock
    if mode == "train":
        hook.before_train(runner)
    getattr(hook, f"before_{mode}_epoch")(runner)
    etas = []
    for i, (load, step) in enumerate(zip(case["loads"], case["steps"])):
        clock.now += load
        getattr(hook, f"before_{mode}_iter")(runner, i)
        clock.now += step
        getattr(hook, f"after_{mode}_iter")(runner, i)
        etas.append(runner.message_hub.get_info("eta"))
        if mode == "train":
            runner.iter += 1
    hub = runner.message_hub
    assert hub.get_scalar(f"{mode}/data_time").data[0] == pytest.approx(case["data_time"], rel=1e-12)
    assert hub.get_scalar(f"{mode}/time").data[0] == pytest.approx(case["time"], rel=1e-12)
    assert etas == pytest.approx(case["eta"], rel=1e-12)
