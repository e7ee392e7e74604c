"""ProfilerHook: profiles the first epochs or iterations with ``torch.profiler``."""
from __future__ import annotations

import os.path as osp
from typing import Any, Callable, Optional, Union

from hookport.errors import ConfigError
from hookport.hooks.hook import Hook
from hookport.registry import HOOKS


@HOOKS.register_module()
class ProfilerHook(Hook):
    """Wraps the start of training in ``torch.profiler.profile`` (MMEngine's ProfilerHook,
    priority VERY_LOW, keyword-only arguments).

    The profiler starts in ``before_run``, steps after every train iteration and stops after
    the first epoch (``by_epoch``) or after ``profile_times`` iterations, then exports a
    Chrome trace to ``json_trace_path`` if given.

    Args:
        by_epoch: profile the first epoch (``profile_times`` must be 1) or iterations.
        profile_times: iterations to profile when not ``by_epoch``.
        activity_with_cpu / activity_with_cuda: profiled activities (CUDA is off by default).
        schedule: ``torch.profiler.schedule`` kwargs.
        on_trace_ready: a callable, ``dict(type='log_trace', **table_kwargs)`` (print a table) or
            ``dict(type='tb_trace', dir_name=...)`` (TensorBoard trace under ``log_dir``).
        record_shapes / profile_memory / with_stack / with_flops: ``torch.profiler.profile`` options.
        json_trace_path: write a Chrome trace here when profiling ends.
    """

    priority = "VERY_LOW"

    def __init__(self, *, by_epoch: bool = True, profile_times: int = 1, activity_with_cpu: bool = True,
                 activity_with_cuda: bool = False, schedule: Optional[dict] = None,
                 on_trace_ready: Union[Callable, dict, None] = None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False, with_flops: bool = False,
                 json_trace_path: Optional[str] = None):
        for name, value in (("by_epoch", by_epoch), ("activity_with_cpu", activity_with_cpu),
                            ("activity_with_cuda", activity_with_cuda)):
            if not isinstance(value, bool):
                raise ConfigError(f"ProfilerHook: {name} must be a bool, got {value!r}")
        if not isinstance(profile_times, int) or profile_times < 1:
            raise ConfigError(f"ProfilerHook: profile_times must be an int >= 1, got {profile_times!r}")
        if by_epoch and profile_times > 1:
            raise ConfigError("ProfilerHook: with by_epoch=True only the first epoch is profiled "
                              f"(profile_times=1), got profile_times={profile_times}")
        if schedule is not None and not isinstance(schedule, dict):
            raise ConfigError(f"ProfilerHook: schedule must be a dict, got {schedule!r}")
        if not (on_trace_ready is None or callable(on_trace_ready) or isinstance(on_trace_ready, dict)):
            raise ConfigError(f"ProfilerHook: on_trace_ready must be a callable, a dict or None, "
                              f"got {on_trace_ready!r}")
        if isinstance(on_trace_ready, dict) and on_trace_ready.get("type") not in ("log_trace", "tb_trace"):
            raise ConfigError(f"ProfilerHook: on_trace_ready type must be 'log_trace' or 'tb_trace', "
                              f"got {on_trace_ready.get('type')!r}")
        self.by_epoch = by_epoch
        self.profile_times = profile_times
        # Activities are kept by name: torch is imported only when profiling starts.
        self.activities = [name for name, on in (("CPU", activity_with_cpu), ("CUDA", activity_with_cuda)) if on]
        self.schedule = schedule
        self.on_trace_ready = on_trace_ready
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.json_trace_path = json_trace_path
        self.profiler: Any = None
        self._closed = False

    def before_run(self, runner) -> None:
        """Start profiling."""
        from torch import profiler

        max_times = runner.max_epochs if self.by_epoch else runner.max_iters
        if max_times < self.profile_times:
            raise ConfigError(f"ProfilerHook: profile_times ({self.profile_times}) is more than the run's "
                              f"{max_times} {'epochs' if self.by_epoch else 'iterations'}")
        self.profiler = profiler.profile(
            activities=[getattr(profiler.ProfilerActivity, name) for name in self.activities],
            schedule=None if self.schedule is None else profiler.schedule(**self.schedule),
            on_trace_ready=self._trace_handler(runner),
            record_shapes=self.record_shapes, profile_memory=self.profile_memory,
            with_stack=self.with_stack, with_flops=self.with_flops)
        self.profiler.__enter__()
        runner.logger.info("profiler is profiling...")

    def _trace_handler(self, runner) -> Optional[Callable]:
        if self.on_trace_ready is None or callable(self.on_trace_ready):
            return self.on_trace_ready
        cfg = dict(self.on_trace_ready)
        kind = cfg.pop("type")
        if kind == "log_trace":
            def log_trace(prof) -> None:
                """Print the profiler's summary table."""
                print(prof.key_averages().table(**cfg))
            return log_trace
        from torch import profiler

        dir_name = cfg.get("dir_name", "tf_tracing_logs")
        cfg["dir_name"] = dir_name if osp.isabs(dir_name) else osp.join(runner.log_dir, dir_name)
        runner.logger.info(f"trace_files of ProfilerHook will be saved to {cfg['dir_name']}.")
        return profiler.tensorboard_trace_handler(**cfg)

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Step the profiler; stop after ``profile_times`` iterations when not ``by_epoch``."""
        if not self._closed:
            self.profiler.step()
        if not self.by_epoch and runner.iter == self.profile_times - 1:
            self._export_chrome_trace(runner)

    def after_train_epoch(self, runner) -> None:
        """Stop after the first epoch."""
        if not self._closed:
            self._export_chrome_trace(runner)

    def _export_chrome_trace(self, runner) -> None:
        self._closed = True
        runner.logger.info("profiler may take a few minutes...")
        self.profiler.__exit__(None, None, None)
        if self.json_trace_path is not None:
            self.profiler.export_chrome_trace(self.json_trace_path)
