"""MemoryProfilerHook with a fake psutil: the logged line and its interval."""
from types import SimpleNamespace

import pytest

from hookport.errors import ConfigError
from hookport.hooks.memory_profiler_hook import MemoryProfilerHook, memory_report

from .fakes import FakeRunner

MB = 1024 * 1024


class FakePsutil:
    @staticmethod
    def virtual_memory():
        return SimpleNamespace(available=3000 * MB, used=1000.4 * MB, percent=25.0)

    @staticmethod
    def swap_memory():
        return SimpleNamespace(total=2048 * MB, used=512 * MB, percent=25.0)

    @staticmethod
    def Process():
        return SimpleNamespace(memory_info=lambda: SimpleNamespace(rss=123.6 * MB))


EXPECTED = ("Memory information available_memory: 3000 MB, used_memory: 1000 MB, memory_utilization: 25.0 %, "
            "available_swap_memory: 1536 MB, used_swap_memory: 512 MB, swap_memory_utilization: 25.0 %, "
            "current_process_memory: 124 MB")


def test_report_line():
    assert memory_report(FakePsutil) == EXPECTED


@pytest.mark.parametrize("mode", ["train", "val", "test"])
def test_logged_every_interval_in_every_mode(mode):
    runner = FakeRunner()
    hook = MemoryProfilerHook(interval=2)
    hook._psutil = FakePsutil
    for i in range(5):
        getattr(hook, f"after_{mode}_iter")(runner, i)
    assert runner.logger.lines == [EXPECTED, EXPECTED]


def test_real_psutil_report_has_every_field():
    line = memory_report(MemoryProfilerHook()._psutil)
    for field in ("available_memory", "used_memory", "memory_utilization", "available_swap_memory",
                  "used_swap_memory", "swap_memory_utilization", "current_process_memory"):
        assert f"{field}: " in line


@pytest.mark.parametrize("interval", [0, -1, 2.5])
def test_bad_interval(interval):
    with pytest.raises(ConfigError, match="interval must be a positive int"):
        MemoryProfilerHook(interval=interval)
