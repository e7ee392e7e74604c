"""MemoryProfilerHook: logs host memory and swap usage every ``interval`` iterations."""
from __future__ import annotations

from typing import Any

from hookport.errors import ConfigError
from hookport.hooks.arguments import require_positive_ints
from hookport.hooks.hook import Hook
from hookport.registry import HOOKS

_MB = 1024 * 1024


def memory_report(psutil: Any) -> str:
    """The log line MMDetection's MemoryProfilerHook writes, from a psutil-like module."""
    virtual = psutil.virtual_memory()
    swap = psutil.swap_memory()
    process = psutil.Process().memory_info().rss
    return ("Memory information "
            f"available_memory: {round(virtual.available / _MB)} MB, "
            f"used_memory: {round(virtual.used / _MB)} MB, "
            f"memory_utilization: {virtual.percent} %, "
            f"available_swap_memory: {round((swap.total - swap.used) / _MB)} MB, "
            f"used_swap_memory: {round(swap.used / _MB)} MB, "
            f"swap_memory_utilization: {swap.percent} %, "
            f"current_process_memory: {round(process / _MB)} MB")


@HOOKS.register_module()
class MemoryProfilerHook(Hook):
    """Every ``interval`` iterations within an epoch (train, val and test), log available/used
    memory, utilisation, swap and the current process's resident memory (MMDetection 3.x's
    hook, priority NORMAL).

    Args:
        interval: log every this many iterations.
    """

    priority = "NORMAL"

    def __init__(self, interval: int = 50):
        require_positive_ints("MemoryProfilerHook", interval=interval)
        try:
            import psutil
        except ImportError:
            raise ConfigError("MemoryProfilerHook needs psutil: pip install psutil") from None
        self.interval = interval
        self._psutil = psutil

    def _record(self, runner, batch_idx: int) -> None:
        if self.every_n_inner_iters(batch_idx, self.interval):
            runner.logger.info(memory_report(self._psutil))

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Log memory every ``interval`` train iterations."""
        self._record(runner, batch_idx)

    def after_val_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Log memory every ``interval`` validation iterations."""
        self._record(runner, batch_idx)

    def after_test_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Log memory every ``interval`` test iterations."""
        self._record(runner, batch_idx)
