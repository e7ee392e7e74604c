"""MMCV's smaller built-in hooks: sampler seeding, EMA, cache emptying, buffer sync, profiling, closures."""
from __future__ import annotations

from typing import Any, Callable, Optional

from hookport.compat.mmcv.hook import MMCV_STAGES, Hook
from hookport.errors import ConfigError
from hookport.hooks.arguments import require_positive_ints
from hookport.registry import MMCV_HOOKS


def unwrap(model):
    """The module inside a (Distributed)DataParallel wrapper."""
    return getattr(model, "module", model)


def allreduce_buffers(model) -> None:
    """Average every buffer of ``model`` across ranks (no-op outside a process group)."""
    from hookport.runner import dist

    if not dist.is_distributed():
        return
    import torch.distributed as torch_dist

    world_size = torch_dist.get_world_size()
    for buf in model.buffers():
        if buf.is_floating_point():
            torch_dist.all_reduce(buf.data)
            buf.data.div_(world_size)


def register_ema_buffers(model, tensors: dict) -> dict:
    """Give ``model`` an ``ema_<name>`` buffer holding a copy of each tensor; return name -> buffer name."""
    buffer_names = {}
    for name, value in tensors.items():
        buffer_names[name] = f"ema_{name.replace('.', '_')}"
        model.register_buffer(buffer_names[name], value.data.clone())
    return buffer_names


def swap_ema(tensors: dict, buffers: dict, buffer_names: dict) -> None:
    """Exchange the value of each tracked tensor with that of its EMA buffer."""
    for name, value in tensors.items():
        temp = value.data.clone()
        ema_buffer = buffers[buffer_names[name]]
        value.data.copy_(ema_buffer.data)
        ema_buffer.data.copy_(temp)


@MMCV_HOOKS.register_module()
class DistSamplerSeedHook(Hook):
    """``sampler.set_epoch(runner.epoch)`` before each epoch, so shuffling differs per epoch."""

    def before_epoch(self, runner) -> None:
        """Seed the loader's sampler (or its batch sampler's sampler)."""
        loader = runner.data_loader
        sampler = getattr(loader, "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(runner.epoch)
            return
        inner = getattr(getattr(loader, "batch_sampler", None), "sampler", None)
        if hasattr(inner, "set_epoch"):
            inner.set_epoch(runner.epoch)


@MMCV_HOOKS.register_module()
class EMAHook(Hook):
    """Exponential moving average of the parameters, kept as ``ema_*`` buffers on the model.

    ``momentum ** interval`` is applied every ``interval`` iterations with a warm-up
    ``min(momentum, (1 + iter) / (warm_up + iter))``; the EMA weights are swapped in at the end
    of each epoch (so checkpoints and evaluation see them) and out before the next.
    """

    def __init__(self, momentum: float = 0.0002, interval: int = 1, warm_up: int = 100,
                 resume_from: Optional[str] = None):
        require_positive_ints("EMAHook", interval=interval)
        if not 0 < momentum < 1:
            raise ConfigError(f"EMAHook: momentum must be in (0, 1), got {momentum!r}")
        self.warm_up, self.interval = warm_up, interval
        self.momentum = momentum ** interval
        self.checkpoint = resume_from

    def before_run(self, runner) -> None:
        """Register the EMA buffers; resume from ``resume_from`` if given."""
        model = unwrap(runner.model)
        self.model_parameters = dict(model.named_parameters(recurse=True))
        self.param_ema_buffer = register_ema_buffers(model, self.model_parameters)
        self.model_buffers = dict(model.named_buffers(recurse=True))
        if self.checkpoint is not None:
            runner.resume(self.checkpoint)

    def after_train_iter(self, runner) -> None:
        """Update the averages."""
        curr_step = runner.iter
        momentum = min(self.momentum, (1 + curr_step) / (self.warm_up + curr_step))
        if curr_step % self.interval != 0:
            return
        for name, parameter in self.model_parameters.items():
            buffer = self.model_buffers[self.param_ema_buffer[name]]
            buffer.mul_(1 - momentum).add_(parameter.data, alpha=momentum)

    def after_train_epoch(self, runner) -> None:
        """Swap the EMA weights in."""
        self._swap_ema_parameters()

    def before_train_epoch(self, runner) -> None:
        """Swap the training weights back."""
        self._swap_ema_parameters()

    def _swap_ema_parameters(self) -> None:
        swap_ema(self.model_parameters, self.model_buffers, self.param_ema_buffer)


def _empty_cuda_cache() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


@MMCV_HOOKS.register_module()
class EmptyCacheHook(Hook):
    """``torch.cuda.empty_cache()`` before/after epochs and after iterations, as configured."""

    def __init__(self, before_epoch: bool = False, after_epoch: bool = True, after_iter: bool = False):
        self._before_epoch, self._after_epoch, self._after_iter = before_epoch, after_epoch, after_iter

    def after_iter(self, runner) -> None:
        """Empty the cache after iterations if asked."""
        if self._after_iter:
            _empty_cuda_cache()

    def before_epoch(self, runner) -> None:
        """Empty the cache before epochs if asked."""
        if self._before_epoch:
            _empty_cuda_cache()

    def after_epoch(self, runner) -> None:
        """Empty the cache after epochs if asked."""
        if self._after_epoch:
            _empty_cuda_cache()


@MMCV_HOOKS.register_module()
class SyncBuffersHook(Hook):
    """Average model buffers (e.g. BN statistics) across ranks after each epoch."""

    def __init__(self, distributed: bool = True):
        self.distributed = distributed

    def after_epoch(self, runner) -> None:
        """All-reduce (mean) the buffers."""
        if self.distributed:
            allreduce_buffers(runner.model)


@MMCV_HOOKS.register_module()
class ProfilerHook(Hook):
    """``torch.profiler`` over the first ``profile_iters`` epochs or iterations.

    Args:
        by_epoch: profile epochs (True) or iterations.
        profile_iters: how many; activities: 'cpu' and/or 'cuda'; json_trace_path: export a
            Chrome trace; schedule / on_trace_ready: as in ``torch.profiler.profile``.
    """

    def __init__(self, by_epoch: bool = True, profile_iters: int = 1, activities: Any = ("cpu", "cuda"),
                 schedule: Optional[dict] = None, on_trace_ready: Any = None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False, with_flops: bool = False,
                 json_trace_path: Optional[str] = None):
        require_positive_ints("ProfilerHook", profile_iters=profile_iters)
        unknown = set(activities) - {"cpu", "cuda"}
        if unknown:
            raise ConfigError(f"ProfilerHook: activities must be 'cpu' and/or 'cuda', got {sorted(unknown)}")
        self.by_epoch, self.profile_iters, self.activities = by_epoch, profile_iters, list(activities)
        self.schedule, self.on_trace_ready = schedule, on_trace_ready
        self.options = dict(record_shapes=record_shapes, profile_memory=profile_memory, with_stack=with_stack,
                            with_flops=with_flops)
        self.json_trace_path = json_trace_path

    def before_run(self, runner) -> None:
        """Start the profiler."""
        import torch

        if self.by_epoch and runner.max_epochs < self.profile_iters:
            raise ConfigError(f"ProfilerHook: profile_iters ({self.profile_iters}) exceeds max_epochs")
        if not self.by_epoch and runner.max_iters < self.profile_iters:
            raise ConfigError(f"ProfilerHook: profile_iters ({self.profile_iters}) exceeds max_iters")
        kinds = {"cpu": torch.profiler.ProfilerActivity.CPU, "cuda": torch.profiler.ProfilerActivity.CUDA}
        activities = [kinds[a] for a in self.activities if a == "cpu" or torch.cuda.is_available()]
        schedule = torch.profiler.schedule(**self.schedule) if self.schedule is not None else None
        self.profiler = torch.profiler.profile(activities=activities, schedule=schedule,
                                               on_trace_ready=self.on_trace_ready, **self.options)
        self.profiler.__enter__()
        runner.logger.info("profiler is profiling...")

    def _stop(self) -> None:
        self.profiler.__exit__(None, None, None)
        if self.json_trace_path is not None:
            self.profiler.export_chrome_trace(self.json_trace_path)

    def after_train_epoch(self, runner) -> None:
        """Stop after ``profile_iters`` epochs."""
        if self.by_epoch and runner.epoch == self.profile_iters - 1:
            self._stop()

    def after_train_iter(self, runner) -> None:
        """Step the schedule; stop after ``profile_iters`` iterations."""
        self.profiler.step()
        if not self.by_epoch and runner.iter == self.profile_iters - 1:
            self._stop()


@MMCV_HOOKS.register_module()
class ClosureHook(Hook):
    """Runs ``fn(runner)`` at the mount point ``fn_name``."""

    def __init__(self, fn_name: str, fn: Callable):
        if fn_name not in MMCV_STAGES:
            raise ConfigError(f"ClosureHook: {fn_name!r} is not an MMCV mount point ({', '.join(MMCV_STAGES)})")
        if not callable(fn):
            raise ConfigError(f"ClosureHook: fn must be callable, got {fn!r}")
        self.fn_name, self.fn = fn_name, fn

    def bound(self, stage: str) -> Optional[Callable]:
        """The closure at its own mount point (MMCV calls it there though it overrides nothing)."""
        if stage != self.fn_name:
            return None
        return lambda runner, *_args: self.fn(runner)


__all__ = ["DistSamplerSeedHook", "EMAHook", "EmptyCacheHook", "SyncBuffersHook", "ProfilerHook", "ClosureHook",
           "allreduce_buffers"]
