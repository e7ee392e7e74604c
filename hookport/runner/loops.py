"""Training, validation and test loops (MMEngine 0.10.7 semantics), registered in LOOPS.

A loop owns its dataloader and counters and calls the runner's mount points. The
per-iteration path reads precomputed call tuples from the hook table and the
model's step callables resolved once per run, so a hook that does not act at a
mount point costs nothing there.
"""
from __future__ import annotations

import bisect
import logging
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import torch

from hookport.errors import ConfigError
from hookport.registry import LOOPS
from hookport.runner.model import model_steps

logger = logging.getLogger("hookport")


class BaseLoop:
    """A loop over one dataloader (built from a config by the runner when needed)."""

    def __init__(self, runner, dataloader: Any):
        self.runner = runner
        self.dataloader = runner.build_dataloader(dataloader)

    def run(self) -> Any:
        """Run the loop."""
        raise NotImplementedError


def _check_positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be a positive int, got {value!r}")
    return value


def _alias(name: str) -> property:
    """A read/write property that stands for the attribute ``name``."""
    return property(lambda self: getattr(self, name), lambda self, value: setattr(self, name, value),
                    doc=f"Alias of ``{name}``.")


class _TrainLoopMixin:
    """Counters, validation schedule and ``dynamic_intervals`` shared by both train loops."""

    def _init_val_schedule(self, val_begin: int, val_interval: int, dynamic_intervals) -> None:
        self.val_begin = val_begin
        self.val_interval = _check_positive("val_interval", val_interval)
        self.stop_training = False
        # ``[(milestone, interval), ...]``: from each milestone on, validate every ``interval``.
        self.dynamic_milestones: List[int] = [0]
        self.dynamic_intervals: List[int] = [val_interval]
        for milestone, interval in sorted(dynamic_intervals or ()):
            self.dynamic_milestones.append(milestone)
            self.dynamic_intervals.append(_check_positive("dynamic interval", interval))

    def _decide_current_val_interval(self, progress: int) -> None:
        step = bisect.bisect(self.dynamic_milestones, progress + 1)
        self.val_interval = self.dynamic_intervals[step - 1]

    # The counters are plain attributes, not properties: hooks read them through ``runner.iter``
    # several times per iteration. The underscored names (MMEngine's, set by ``Runner.resume``)
    # are read/write aliases of them.
    epoch: int  #: Completed training epochs.
    iter: int  #: Completed training iterations.
    max_epochs: int  #: Planned number of epochs.
    max_iters: int  #: Planned number of iterations.
    _epoch = _alias("epoch")
    _iter = _alias("iter")
    _max_epochs = _alias("max_epochs")
    _max_iters = _alias("max_iters")

    def _prepare_iter(self) -> Tuple[Any, Any, Any, Any]:
        hooks = self.runner.hook_table
        steps = model_steps(self.runner.model)
        return hooks.calls("before_train_iter"), hooks.calls("after_train_iter"), steps.train, \
            self.runner.optim_wrapper


@LOOPS.register_module()
class EpochBasedTrainLoop(_TrainLoopMixin, BaseLoop):
    """Train for ``max_epochs`` epochs; validate after epoch ``e`` when ``e >= val_begin`` and
    ``e % val_interval == 0`` or ``e`` is the last epoch.
    """

    def __init__(self, runner, dataloader: Any, max_epochs: int, val_begin: int = 1, val_interval: int = 1,
                 dynamic_intervals: Optional[Sequence[Tuple[int, int]]] = None):
        super().__init__(runner, dataloader)
        self.max_epochs = _check_positive("max_epochs", max_epochs)
        self.max_iters = max_epochs * len(self.dataloader)
        self.epoch = 0
        self.iter = 0
        self._init_val_schedule(val_begin, val_interval, dynamic_intervals)

    def run(self) -> Any:
        """Run every remaining epoch, validating on schedule; returns the model."""
        runner = self.runner
        runner.call_hook("before_train")
        while self.epoch < self.max_epochs and not self.stop_training:
            self.run_epoch()
            self._decide_current_val_interval(self.epoch)
            if (runner.val_loop is not None and self.epoch >= self.val_begin
                    and (self.epoch % self.val_interval == 0 or self.epoch == self.max_epochs)):
                runner.val_loop.run()
        runner.call_hook("after_train")
        return runner.model

    def run_epoch(self) -> None:
        """One epoch over the dataloader.

        Resumed from a mid-epoch (iteration) checkpoint, the batches the interrupted run already
        trained on are drawn and skipped, so only the remaining iterations run and the run ends
        as an uninterrupted one would. (MMEngine 0.10.7 restarts the epoch from its first batch.)
        """
        runner = self.runner
        runner.call_hook("before_train_epoch")
        runner.model.train()
        before, after, train_step, optim_wrapper = self._prepare_iter()
        batches = iter(self.dataloader)
        done = self.iter - self.epoch * len(self.dataloader)
        if 0 < done < len(self.dataloader):
            logger.info("skipping the %d batches of epoch %d trained before the checkpoint", done, self.epoch + 1)
            for _ in range(done):
                next(batches)
        else:
            done = 0
        runner.restore_rng_state()
        for idx, data_batch in enumerate(batches, done):
            for fn in before:
                fn(runner, idx, data_batch)
            outputs = train_step(data_batch, optim_wrapper=optim_wrapper)  # keyword, as MMEngine calls it
            for fn in after:
                fn(runner, idx, data_batch, outputs)
            self.iter += 1
        runner.call_hook("after_train_epoch")
        self.epoch += 1


class _InfiniteIterator:
    """Cycle a dataloader forever; each pass is a new epoch (``sampler.set_epoch``)."""

    def __init__(self, dataloader: Any):
        self._dataloader = dataloader
        self._epoch = 0
        self._iterator = iter(dataloader)

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        try:
            return next(self._iterator)
        except StopIteration:
            self._epoch += 1
            sampler = getattr(self._dataloader, "sampler", None)
            if hasattr(sampler, "set_epoch"):
                sampler.set_epoch(self._epoch)
            self._iterator = iter(self._dataloader)
            return next(self._iterator)


@LOOPS.register_module()
class IterBasedTrainLoop(_TrainLoopMixin, BaseLoop):
    """Train for ``max_iters`` iterations as one big epoch; validate after iteration ``i`` when
    ``i >= val_begin`` and ``i % val_interval == 0`` or ``i`` is the last.
    """

    def __init__(self, runner, dataloader: Any, max_iters: int, val_begin: int = 1, val_interval: int = 1000,
                 dynamic_intervals: Optional[Sequence[Tuple[int, int]]] = None):
        super().__init__(runner, dataloader)
        self.max_iters = _check_positive("max_iters", max_iters)
        self.max_epochs = 1  # the whole run is one epoch, as in MMEngine
        self.epoch = 0
        self.iter = 0
        self._init_val_schedule(val_begin, val_interval, dynamic_intervals)
        self.dataloader_iterator = _InfiniteIterator(self.dataloader)

    def run(self) -> Any:
        """Run the remaining iterations; returns the model."""
        runner = self.runner
        runner.call_hook("before_train")
        runner.call_hook("before_train_epoch")
        if self.iter > 0:
            # A resumed run skips the batches the interrupted one already consumed.
            logger.info("advancing the dataloader %d steps to skip data that was already trained on", self.iter)
            for _ in range(self.iter):
                next(self.dataloader_iterator)
        runner.restore_rng_state()
        before, after, train_step, optim_wrapper = self._prepare_iter()
        val_loop = runner.val_loop
        while self.iter < self.max_iters and not self.stop_training:
            runner.model.train()
            data_batch = next(self.dataloader_iterator)
            idx = self.iter
            for fn in before:
                fn(runner, idx, data_batch)
            outputs = train_step(data_batch, optim_wrapper=optim_wrapper)  # keyword, as MMEngine calls it
            for fn in after:
                fn(runner, idx, data_batch, outputs)
            self.iter += 1
            self._decide_current_val_interval(self.iter)
            if (val_loop is not None and self.iter >= self.val_begin
                    and (self.iter % self.val_interval == 0 or self.iter == self.max_iters)):
                val_loop.run()
        runner.call_hook("after_train_epoch")
        runner.call_hook("after_train")
        return runner.model


class _EvalLoop(BaseLoop):
    """Shared body of ValLoop and TestLoop: predict every batch, feed the evaluator, compute."""

    mode = "val"

    def __init__(self, runner, dataloader: Any, evaluator: Any, fp16: bool = False):
        super().__init__(runner, dataloader)
        from hookport.evaluation import build_evaluator

        self.evaluator = build_evaluator(evaluator)
        self.fp16 = fp16
        meta = getattr(self.dataloader.dataset, "metainfo", None)
        if meta is not None:
            self.evaluator.dataset_meta = meta

    def run(self) -> Dict[str, Any]:
        """Run one pass; returns the metrics."""
        runner, mode = self.runner, self.mode
        runner.call_hook(f"before_{mode}")
        runner.call_hook(f"before_{mode}_epoch")
        runner.model.eval()
        steps = model_steps(runner.model)
        step = steps.val if mode == "val" else steps.test
        before = runner.hook_table.calls(f"before_{mode}_iter")
        after = runner.hook_table.calls(f"after_{mode}_iter")
        device = "cuda" if torch.cuda.is_available() else "cpu"
        with torch.no_grad():
            for idx, data_batch in enumerate(self.dataloader):
                for fn in before:
                    fn(runner, idx, data_batch)
                if self.fp16:
                    with torch.autocast(device_type=device):
                        outputs = step(data_batch)
                else:
                    outputs = step(data_batch)
                self.evaluator.process(data_samples=outputs, data_batch=data_batch)
                for fn in after:
                    fn(runner, idx, data_batch, outputs)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        runner.call_hook(f"after_{mode}_epoch", metrics)
        runner.call_hook(f"after_{mode}")
        return metrics


@LOOPS.register_module()
class ValLoop(_EvalLoop):
    """One validation pass over ``val_dataloader`` with ``val_evaluator``."""

    mode = "val"


@LOOPS.register_module()
class TestLoop(_EvalLoop):
    """One test pass over ``test_dataloader`` with ``test_evaluator``."""

    mode = "test"
