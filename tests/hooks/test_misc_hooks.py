"""DistSamplerSeedHook, EmptyCacheHook, AutogradAnomalyDetectHook and ProfilerHook."""
import json
from types import SimpleNamespace

import pytest

from hookport.errors import ConfigError
from hookport.hooks.empty_cache_hook import EmptyCacheHook
from hookport.hooks.profiler_hook import ProfilerHook
from hookport.hooks.sampler_seed_hook import DistSamplerSeedHook
from hookport.registry import HOOKS
from hookport.hooks.hook import Hook
from tests.runner.base import RunnerTestCase

from .fakes import FakeRunner


class Sampler:
    def __init__(self):
        self.epochs = []

    def set_epoch(self, epoch):
        self.epochs.append(epoch)


@pytest.mark.parametrize("where", ["sampler", "batch_sampler"])
def test_sampler_seed_reaches_the_sampler(where):
    runner = FakeRunner()
    sampler = Sampler()
    loader = SimpleNamespace(sampler=sampler) if where == "sampler" else SimpleNamespace(
        sampler=object(), batch_sampler=SimpleNamespace(sampler=sampler))
    runner.train_loop = SimpleNamespace(dataloader=loader)
    hook = DistSamplerSeedHook()
    for epoch in (0, 1, 2):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
    assert sampler.epochs == [0, 1, 2]


def test_sampler_seed_ignores_plain_samplers():
    runner = FakeRunner()
    runner.train_loop = SimpleNamespace(dataloader=SimpleNamespace(sampler=object()))
    DistSamplerSeedHook().before_train_epoch(runner)


@pytest.mark.parametrize("flags,expected", [
    (dict(), 3),  # after every epoch (train, val, test)
    (dict(before_epoch=True, after_epoch=False), 3),
    (dict(after_epoch=False, after_iter=True), 6),
])
def test_empty_cache_flags(monkeypatch, flags, expected):
    torch = pytest.importorskip("torch")
    calls = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: calls.append(1))
    hook, runner = EmptyCacheHook(**flags), FakeRunner()
    for mode in ("train", "val", "test"):
        getattr(hook, f"before_{mode}_epoch")(runner)
        for i in range(2):
            getattr(hook, f"after_{mode}_iter")(runner, i)
        getattr(hook, f"after_{mode}_epoch")(runner)
    assert len(calls) == expected


def test_empty_cache_without_cuda_is_a_no_op():
    EmptyCacheHook(after_iter=True).after_train_iter(FakeRunner(), 0)


@pytest.mark.parametrize("kwargs,message", [
    (dict(by_epoch=True, profile_times=2), "only the first epoch"),
    (dict(profile_times=0), "profile_times must be"),
    (dict(activity_with_cuda="yes"), "activity_with_cuda must be a bool"),
    (dict(on_trace_ready=dict(type="html")), "on_trace_ready type"),
    (dict(schedule=[1, 2]), "schedule must be a dict"),
])
def test_profiler_arguments(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        ProfilerHook(**kwargs)


def test_profiler_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        ProfilerHook(True)


@HOOKS.register_module(force=True)
class AnomalyProbe(Hook):
    """Records whether autograd anomaly detection is on during training."""

    seen = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        import torch

        AnomalyProbe.seen.append(torch.is_anomaly_enabled())


class TestRunsWithHooks(RunnerTestCase):
    def test_autograd_anomaly_detection_is_on_only_during_training(self):
        import torch

        AnomalyProbe.seen = []
        cfg = self.epoch_based_cfg(custom_hooks=[dict(type="AutogradAnomalyDetectHook"),
                                                 dict(type="AnomalyProbe")])
        self.build_runner(cfg).train()
        self.assertEqual(AnomalyProbe.seen, [True] * 8)
        self.assertFalse(torch.is_anomaly_enabled())

    def test_profiler_writes_a_chrome_trace(self):
        trace = f"{self.temp_dir}/trace.json"
        cfg = self.iter_based_cfg(custom_hooks=[dict(type="ProfilerHook", by_epoch=False, profile_times=2,
                                                     json_trace_path=trace)])
        self.build_runner(cfg).train()
        with open(trace) as f:
            events = json.load(f)["traceEvents"]
        self.assertTrue(any("aten::" in str(e.get("name", "")) for e in events))

    def test_profiler_longer_than_the_run_is_a_config_error(self):
        cfg = self.epoch_based_cfg(custom_hooks=[dict(type="ProfilerHook", by_epoch=False, profile_times=100)])
        with self.assertRaisesRegex(ConfigError, "more than the run's 8 iterations"):
            self.build_runner(cfg).train()
