"""ProfilerHook: argument checks and a real profiled run writing a Chrome trace."""
import json

import pytest

from hookport.errors import ConfigError
from hookport.hooks.profiler_hook import ProfilerHook
from tests.runner.base import RunnerTestCase


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


class TestProfiledRun(RunnerTestCase):
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
