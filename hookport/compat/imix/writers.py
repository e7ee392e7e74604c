"""iMIX's log writers (``imix/engine/hooks/periods``): not hooks, driven by ``PeriodicLogger``.

Despite their ``...Hook`` names they have only ``write()`` and ``close()``; each
``write()`` reads the innermost ``LogBufferStorage`` (:func:`get_log_buffer`).
Files are opened on the first write (iMIX opens them at construction), so that
listing a config's hooks creates nothing.
"""
from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from typing import Any, Dict, Optional

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
    """Prints one line per write: position, losses, timings, LR (detectron2's CommonMetricPrinter).

    Args:
        max_iter: iMIX's ``max_iter``.
        max_epoch: iMIX's ``max_epoch`` (None in by-iter mode).
    """

    def __init__(self, max_iter: Optional[int], max_epoch: Optional[int] = None):
        self._max_iter = max_iter
        self._max_epoch = max_epoch
        self.lines = []  # the printed lines, kept for tests and the run summary

    def process_buffer_data(self, storage):
        parts = []
        if storage.by_epoch and self._max_epoch:
            parts.append(f"epoch: {storage.epoch}/{self._max_epoch}")
            parts.append(f"iter: {storage.epoch_inner_iter}/{storage.single_epoch_iters}")
        else:
            parts.append(f"iter: {storage.iter}/{self._max_iter}")
        timing = {"iter_time", "data_time"}
        for name, (value, _) in storage.latest_with_smoothing_hint(20).items():
            if name == "lr":
                parts.append(f"lr: {value:.6g}")
            elif name in timing:
                parts.append(f"{name}: {value:.4f}")
            else:
                parts.append(f"{name}: {value:.4g}")
        line = "  ".join(parts)
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
        if self._writer is not None:
            self._writer.close()
            self._writer = None
