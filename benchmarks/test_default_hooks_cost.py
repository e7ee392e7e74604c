"""Per-iteration cost of MMEngine's six default hooks (hookport's built-ins), without the loop.

Times one training iteration's ``before_train_iter`` + ``after_train_iter`` calls of
RuntimeInfoHook, IterTimerHook, DistSamplerSeedHook, LoggerHook (not logging that
iteration), ParamSchedulerHook and CheckpointHook on a stand-in runner, with a loss tensor
in the outputs. The Runner overhead benchmark (benchmarks/ of the runner) includes this cost;
this one says how much of it is the hooks. Run with ``pytest benchmarks/test_default_hooks_cost.py``.
Here the hooks run warm, back to back (~4-6 us for all six on the shared 2-core machine); inside a
real run, between torch ops, the same calls take ~17 us (docs/runner.md, "Overhead").
"""
from __future__ import annotations

import itertools
import logging
from types import SimpleNamespace

import pytest

from hookport.registry import HOOKS
from hookport.runner.dispatch import HookTable
from hookport.runner.log_processor import LogProcessor
from hookport.runner.message_hub import MessageHub

torch = pytest.importorskip("torch")

DEFAULTS = ("RuntimeInfoHook", "IterTimerHook", "DistSamplerSeedHook", "LoggerHook", "ParamSchedulerHook",
            "CheckpointHook")


def stand_in_runner(work_dir):
    loader = list(range(1000))
    return SimpleNamespace(
        message_hub=MessageHub("bench-default-hooks"), optim_wrapper=SimpleNamespace(get_lr=lambda: {"lr": [0.1]}),
        param_schedulers=[], log_processor=LogProcessor(), train_dataloader=loader,
        train_loop=SimpleNamespace(dataloader=loader), epoch=0, iter=0, max_epochs=1, max_iters=10 ** 9,
        experiment_name="bench", logger=logging.getLogger("hookport.bench"), visualizer=None,
        work_dir=str(work_dir))


def test_default_hooks_per_iteration(benchmark, tmp_path):
    runner = stand_in_runner(tmp_path)
    table = HookTable("mmengine")
    for name in DEFAULTS:
        table.register(HOOKS.build(dict(type=name, interval=10 ** 6) if name == "LoggerHook" else dict(type=name)))
    for call in table.calls("before_train") + table.calls("before_train_epoch"):
        call(runner)
    before, after = table.calls("before_train_iter"), table.calls("after_train_iter")
    outputs = {"loss": torch.tensor(0.5)}
    counter = itertools.count()

    def one_iteration():
        i = next(counter) % 999
        runner.iter = i
        for call in before:
            call(runner, i, None)
        for call in after:
            call(runner, i, None, outputs)

    benchmark(one_iteration)
