"""iMIX's log writers (``imix/engine/hooks/periods``): not hooks, driven by ``PeriodicLogger``.

Despite their ``...Hook`` names they have only ``write()`` and ``close()``; each
``write()`` reads the innermost ``LogBufferStorage`` (:func:`get_log_buffer`).
Files are opened on the first write (iMIX opens them at construction), so that
listing a config's hooks creates nothing.
"""
from __future__ import annotations

import datetime
import json
import logging
import os
from collections import defaultdict
from typing import Any, Dict, List, Optional

from hookport.compat.imix.log_buffer import get_log_buffer
from hookport.registry import IMIX_HOOKS

logger = logging.getLogger("hookport.imix")

__all__ = ["LogBufferWriter", "CommonMetricLoggerHook", "JSONLoggerHook", "TensorboardLoggerHook"]


class LogBufferWriter:
    """Base of the writers: ``write()`` reads the current log buffer, ``close()`` releases files."""

    def write(self) -> None:
        """Write the latest scalars of :func:`get_log_buffer`."""
        self.process_buffer_data(get_log_buffer())

    def process_buffer_data(self, storage: Any) -> None:
        """Write what ``storage`` holds now."""
        raise NotImplementedError

    def close(self) -> None:
        """Release resources (files, writers)."""


class CommonMetricLoggerHook(LogBufferWriter):
    """Logs one line per write in iMIX's layout: position, losses, lr, data/iteration time, memory, ETA.

    By epoch: ``epoch:{e} \t {i}/{n} \t current_iter:{iter+1} \t max_iter:.. \t max_epoch:.. \t ...``;
    by iteration: ``current_iter:{iter+1} \t max_iter:.. \t ...``; then ``{loss}: {latest:.3f}`` for every
    scalar whose name contains ``loss``, ``lr:{:.6e}``, ``load_data_time:`` (mean of 20), ``iter_time:``
    (mean of all), the CUDA peak memory and ``eta:`` (median iteration time x iterations left).

    Args:
        max_iter: iMIX's ``max_iter``.
        max_epoch: iMIX's ``max_epoch`` (None in by-iter mode).
    """

    def __init__(self, max_iter: Optional[int], max_epoch: Optional[int] = None):
        self._max_iter = max_iter
        self._max_epoch = max_epoch
        self.lines: List[str] = []  # the logged lines, kept for tests and summaries

    @staticmethod
    def _latest(storage: Any, name: str, fmt: str, reduce: str = "latest") -> str:
        histories = storage.histories()
        if name not in histories:
            return "N/A" if name == "lr" else ""
        history = histories[name]
        value = {"latest": history.latest, "avg20": lambda: history.avg(20), "mean": history.global_avg}[reduce]()
        return fmt.format(value)

    def _eta(self, storage: Any) -> str:
        history = storage.histories().get("iter_time")
        if history is None or not self._max_iter:
            return ""
        return str(datetime.timedelta(seconds=int(history.median(1000) * (self._max_iter - storage.iter))))

    @staticmethod
    def _memory() -> str:
        import sys

        torch = sys.modules.get("torch")  # only report what a CUDA run already set up
        if torch is not None and torch.cuda.is_available():
            return "max used memory:{:.0f}M".format(torch.cuda.max_memory_allocated() / 1024.0 / 1024.0)
        return ""

    def process_buffer_data(self, storage):
        """Log the line for the current iteration."""
        done = storage.iter + 1
        if storage.by_epoch:
            inner = storage.iter % storage.single_epoch_iters + 1 if storage.single_epoch_iters else done
            head = (f"epoch:{storage.epoch} \t {inner}/{storage.single_epoch_iters} \t current_iter:{done} \t "
                    f"max_iter:{self._max_iter} \t max_epoch:{self._max_epoch} \t ")
        else:
            head = f"current_iter:{done} \t max_iter:{self._max_iter} \t "
        losses = "  ".join(f"{name}: {history.latest():.3f}" for name, history in storage.histories().items()
                           if "loss" in name)
        line = (f"{head}{losses} \t lr:{self._latest(storage, 'lr', '{:.6e}')} \t"
                f"load_data_time:{self._latest(storage, 'data_time', '{:.4f}', 'avg20')} \t "
                f"iter_time:{self._latest(storage, 'iter_time', '{}', 'mean')} \t "
                f"{self._memory()} \t eta:{self._eta(storage)}")
        self.lines.append(line)
        logger.info(line)


@IMIX_HOOKS.register_module()
class JSONLoggerHook(LogBufferWriter):
    """Appends one JSON object per iteration written: ``{"iteration": i, name: value, ...}``.

    Args:
        json_file: the file (``work_dir/training_status.json`` in iMIX).
        window_size: smoothing window for hinted scalars.
    """

    def __init__(self, json_file: str, window_size: int = 20):
        self._path = json_file
        self._window_size = window_size
        self._file = None
        self._last_write = -1

    def process_buffer_data(self, storage):
        """Append the scalars not written yet, one JSON object per iteration."""
        per_iter: Dict[int, Dict[str, float]] = defaultdict(dict)
        for name, (value, it) in storage.latest_with_smoothing_hint(self._window_size).items():
            if it > self._last_write:
                per_iter[it][name] = value
        if not per_iter:
            return
        if self._file is None:
            os.makedirs(os.path.dirname(os.path.abspath(self._path)), exist_ok=True)
            self._file = open(self._path, "a", encoding="utf-8")
        for it in sorted(per_iter):
            record = {"iteration": it, **per_iter[it]}
            if storage.by_epoch:
                record["epoch"] = storage.epoch
            self._file.write(json.dumps(record, sort_keys=True) + "\n")
        self._file.flush()
        self._last_write = max(per_iter)

    def close(self):
        """Close the file."""
        if self._file is not None:
            self._file.close()
            self._file = None


@IMIX_HOOKS.register_module()
class TensorboardLoggerHook(LogBufferWriter):
    """Writes scalars to TensorBoard under ``log_dir`` (one logged warning, then nothing, without tensorboard).

    Args:
        log_dir: the event directory (``work_dir`` in iMIX).
        window_size: smoothing window for hinted scalars.
        kwargs: passed to ``SummaryWriter``.
    """

    def __init__(self, log_dir: str, window_size: int = 20, **kwargs: Any):
        self._log_dir = log_dir
        self._window_size = window_size
        self._kwargs = kwargs
        self._writer = None
        self._unavailable = False
        self._last_write = -1
        self._last_epoch_write = -1

    def _get_writer(self):
        if self._writer is None and not self._unavailable:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except Exception as err:  # tensorboard is an optional extra (pip install hookport[tensorboard])
                logger.warning("TensorBoard logging disabled: %s", err)
                self._unavailable = True
                return None
            self._writer = SummaryWriter(self._log_dir, **self._kwargs)
        return self._writer

    def process_buffer_data(self, storage):
        """Add the scalars (and epoch scalars) not written yet."""
        writer = self._get_writer()
        if writer is None:
            return
        newest = self._last_write
        for name, (value, it) in storage.latest_with_smoothing_hint(self._window_size).items():
            if it > self._last_write:
                writer.add_scalar(name, value, it)
                newest = max(newest, it)
        self._last_write = newest
        for name, history in storage.epoch_histories().items():
            value, epoch = history.values()[-1]
            if epoch > self._last_epoch_write:
                writer.add_scalar(f"epoch/{name}", value, epoch)
        epochs = [h.values()[-1][1] for h in storage.epoch_histories().values()]
        if epochs:
            self._last_epoch_write = max(self._last_epoch_write, max(epochs))

    def close(self):
        """Flush and close the event writer."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
