"""iMIX's training loop (``imixEngine.train_by_epoch`` / ``train_by_iter``) over a table of iMIX hooks.

Counters are iMIX's (``shared/reference/imix.md`` §4.3): in the iteration events
``trainer.iter`` is the 0-based index of the current iteration; by epoch,
``iter`` is incremented after ``after_train_iter`` (so in ``after_train_epoch``
it equals the iterations done) while ``epoch`` and ``inner_iter`` are the
0-based loop indices and are not advanced at the end; by iteration there is no
``epoch``/``inner_iter`` and ``after_train`` sees the last index. After each
``after_train_iter`` the log buffer steps (and records ``epoch_inner_iter`` by
epoch); after each ``after_train_epoch`` it advances its epoch.
``after_train`` runs in ``finally``, also when training raises.

Differences from iMIX, on purpose:

* by iteration, training runs ``max_iter - start_iter`` iterations, cycling the
  data loader, and ``iter`` continues from the resumed ``start_iter`` (iMIX makes
  exactly one pass over the loader and restarts ``iter`` at 0 on resume);
* no ``time.sleep(2)`` before each epoch / ``sleep(1)`` before ``after_train``
  (iMIX's deadlock workaround; nothing here needs it).
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from hookport.compat.imix.log_buffer import LogBufferStorage
from hookport.errors import HookportError

logger = logging.getLogger("hookport.imix")

# forward(batch) -> (model_output, output): the model's raw output and the loss dict with 'loss'.
ForwardFn = Callable[[Any], Tuple[Any, Dict[str, Any]]]


_RUNNING: List[Any] = []


def current_trainer() -> Optional[Any]:
    """The trainer view of the iMIX training running now (innermost), or None."""
    return _RUNNING[-1] if _RUNNING else None


def _cycle(loader: Any) -> Iterator[Any]:
    while True:
        empty = True
        for batch in loader:
            empty = False
            yield batch
        if empty:
            raise HookportError("the training data loader is empty")


class ImixLoop:
    """Runs iMIX training for a trainer view and a dispatch table of iMIX hooks.

    Args:
        view: the :class:`~hookport.compat.imix.trainer.TrainerView` (counters are written here).
        table: the :class:`~hookport.runner.dispatch.HookTable` in iMIX order.
        forward: ``forward(batch) -> (model_output, output)``, iMIX's ``run_train_iter`` minus logging
            (``output`` is the loss dict whose ``'loss'`` ``OptimizerHook`` backpropagates).
    """

    def __init__(self, view: Any, table: Any, forward: ForwardFn):
        self.view = view
        self.table = table
        self.forward = forward
        self._call = {stage: table.calls(stage) for stage in table.stages}

    def _fire(self, stage: str) -> None:
        view = self.view
        for fn in self._call[stage]:
            fn(view)

    def run(self) -> None:
        """Train by epoch or by iteration, as the view says."""
        _RUNNING.append(self.view)
        try:
            if self.view.by_epoch:
                self._train_by_epoch()
            else:
                self._train_by_iter()
        finally:
            _RUNNING.remove(self.view)

    def _train_iter(self, batch: Any, data_time: float) -> None:
        view = self.view
        if not getattr(view.model, "training", True):
            raise HookportError("the model is in eval mode at a training iteration (iMIX asserts model.training); "
                                "a hook that evaluates must switch it back to train()")
        view.model_output, output = self.forward(batch)
        view.output = output
        metrics = {k: v for k, v in output.items() if k != "loss"}
        view.log_buffer.put_scalars(data_time=data_time, **metrics)

    def _train_by_epoch(self) -> None:
        view = self.view
        view.iter = view.start_iter
        storage = LogBufferStorage(view.start_iter, len(view.data_loader), view.start_epoch, by_epoch=True)
        with storage:
            view.log_buffer = storage
            try:
                self._fire("before_train")
                for epoch in range(view.start_epoch, view.max_epoch):
                    view.epoch = epoch
                    self._fire("before_train_epoch")
                    fetched = time.perf_counter()
                    for inner_iter, batch in enumerate(view.data_loader):
                        view.inner_iter = inner_iter
                        data_time = time.perf_counter() - fetched
                        self._fire("before_train_iter")
                        self._train_iter(batch, data_time)
                        self._fire("after_train_iter")
                        storage.step()
                        storage.epoch_iter(inner_iter)
                        view.iter += 1
                        fetched = time.perf_counter()
                    self._fire("after_train_epoch")
                    storage.epoch_step()
            except Exception:
                logger.exception("Exception during training:")
                raise
            finally:
                self._fire("after_train")

    def _train_by_iter(self) -> None:
        view = self.view
        view.iter = view.start_iter
        storage = LogBufferStorage(view.start_iter, by_epoch=False)
        with storage:
            view.log_buffer = storage
            try:
                self._fire("before_train")
                batches = _cycle(view.data_loader)
                for it in range(view.start_iter, view.max_iter):
                    fetched = time.perf_counter()
                    batch = next(batches)
                    data_time = time.perf_counter() - fetched
                    view.iter = it
                    self._fire("before_train_iter")
                    self._train_iter(batch, data_time)
                    self._fire("after_train_iter")
                    storage.step()
            except Exception:
                logger.exception("Exception during training:")
                raise
            finally:
                self._fire("after_train")
