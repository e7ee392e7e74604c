"""LoggerHook: the text log (terminal + ``<timestamp>.log``) and the JSON-lines scalars."""
from __future__ import annotations

import json
import logging
import os
import os.path as osp
import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

from hookport.errors import ConfigError
from hookport.hooks.hook import Hook
from hookport.registry import HOOKS
from hookport.runner.log_processor import LogProcessor, has_train_loop


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(f"LoggerHook: {message}")


def _is_main(runner) -> bool:
    return getattr(runner, "rank", 0) == 0


def _drops_info(logger) -> bool:
    """Whether ``logger.info(...)`` would discard its record (the level check ``info`` makes first)."""
    enabled = getattr(logger, "isEnabledFor", None)
    return enabled is not None and not enabled(logging.INFO)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    tolist = getattr(value, "tolist", None)
    return tolist() if tolist is not None else None


@HOOKS.register_module()
class LoggerHook(Hook):
    """Writes a log line every ``interval`` iterations and the evaluation summaries
    (MMEngine's LoggerHook, priority BELOW_NORMAL).

    Lines come from ``runner.log_processor``; they go to ``runner.logger`` (terminal and
    ``<work_dir>/<timestamp>/<timestamp>.log``), and the tag dicts go to ``runner.visualizer``
    (``vis_data/scalars.json`` and ``vis_data/<timestamp>.json``, one JSON object per line).

    Args:
        interval: log every ``interval`` iterations (within an epoch).
        ignore_last: skip the last, incomplete interval of an epoch.
        interval_exp_name: log ``Exp name: ...`` every this many iterations (and at epoch ends).
        out_dir: also copy the log files to ``<out_dir>/<basename of work_dir>`` after the run.
        out_suffix: suffixes of the files copied to ``out_dir``.
        keep_local: keep the local copies of the files copied to ``out_dir``.
        log_metric_by_epoch: record validation metrics at step=epoch (True) or step=iter.
    """

    priority = "BELOW_NORMAL"

    def __init__(self, interval: int = 10, ignore_last: bool = True, interval_exp_name: int = 1000,
                 out_dir: Optional[Union[str, Path]] = None,
                 out_suffix: Union[str, Sequence[str]] = (".json", ".log", ".py", "yaml"),
                 keep_local: bool = True, file_client_args: Optional[dict] = None,
                 log_metric_by_epoch: bool = True, backend_args: Optional[dict] = None):
        _check(isinstance(interval, int) and not isinstance(interval, bool) and interval > 0,
               f"interval must be a positive int, got {interval!r}")
        _check(isinstance(ignore_last, bool), f"ignore_last must be a bool, got {ignore_last!r}")
        _check(isinstance(interval_exp_name, int) and interval_exp_name > 0,
               f"interval_exp_name must be a positive int, got {interval_exp_name!r}")
        _check(out_dir is None or isinstance(out_dir, (str, Path)),
               f"out_dir must be a path, got {type(out_dir).__name__}")
        _check(isinstance(keep_local, bool), f"keep_local must be a bool, got {keep_local!r}")
        _check(isinstance(out_suffix, str) or (isinstance(out_suffix, (list, tuple))
                                                and all(isinstance(s, str) for s in out_suffix)),
               f"out_suffix must be a string or a sequence of strings, got {out_suffix!r}")
        _check(file_client_args is None and backend_args is None,
               "file_client_args/backend_args (remote storage) are not supported; use a local out_dir")
        self.interval = interval
        self.ignore_last = ignore_last
        self.interval_exp_name = interval_exp_name
        self.out_dir = None if out_dir is None else str(out_dir)
        self.out_suffix = (out_suffix,) if isinstance(out_suffix, str) else tuple(out_suffix)
        self.keep_local = keep_local
        self.log_metric_by_epoch = log_metric_by_epoch
        self.json_log_path: Optional[str] = None
        # len(train_dataloader), needed every iteration, costs several Python calls for a torch
        # DataLoader: it is read again for a new dataloader object and at each epoch's first batch.
        self._sized_loader: Any = None
        self._loader_len = 0

    def before_run(self, runner) -> None:
        """Name the per-run JSON file and resolve ``out_dir``."""
        if self.out_dir is not None:
            self.out_dir = osp.join(self.out_dir, osp.basename(str(runner.work_dir).rstrip(osp.sep)))
            runner.logger.info(f"Text logs will be saved to {self.out_dir} after the training process.")
        self.json_log_path = f"{runner.timestamp}.json"

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Every ``interval`` iterations (and at an epoch's end unless ``ignore_last``): log a line.

        Runs every iteration, so the dataloader length cache and the two period checks
        (``every_n_train_iters``, ``every_n_inner_iters``) are inlined. When the logger drops
        INFO records, only the tag dict for the scalar files is computed, not the text line.
        """
        loader = runner.train_dataloader  # len() of a torch DataLoader costs several calls: cached
        if loader is not self._sized_loader or batch_idx == 0:
            self._sized_loader, self._loader_len = loader, len(loader)
        size = self._loader_len
        end = batch_idx + 1 == size
        if (runner.iter + 1) % self.interval_exp_name == 0 or end:
            runner.logger.info(f"Exp name: {runner.experiment_name}")
        if not ((batch_idx + 1) % self.interval == 0
                or (end and (not self.ignore_last or size <= self.interval))):
            return
        processor, logger = runner.log_processor, runner.logger
        if _drops_info(logger) and type(processor).get_log_after_iter is LogProcessor.get_log_after_iter:
            tag = processor.get_tag_after_iter(runner, batch_idx, "train")
        else:
            tag, line = processor.get_log_after_iter(runner, batch_idx, "train")
            logger.info(line)
        runner.visualizer.add_scalars(tag, step=runner.iter + 1, file_path=self.json_log_path)

    def after_val_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Every ``interval`` validation iterations: log a progress line."""
        if self.every_n_inner_iters(batch_idx, self.interval):
            runner.logger.info(runner.log_processor.get_log_after_iter(runner, batch_idx, "val")[1])

    def after_test_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Every ``interval`` test iterations: log a progress line."""
        if self.every_n_inner_iters(batch_idx, self.interval):
            runner.logger.info(runner.log_processor.get_log_after_iter(runner, batch_idx, "test")[1])

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, Any]] = None) -> None:
        """Log the validation summary and record the metrics at step=epoch (or iter)."""
        tag, line = runner.log_processor.get_log_after_epoch(runner, len(runner.val_dataloader), "val")
        runner.logger.info(line)
        step = 0
        if has_train_loop(runner):
            step = runner.epoch if self.log_metric_by_epoch else runner.iter
        runner.visualizer.add_scalars(tag, step=step, file_path=self.json_log_path)

    def after_test_epoch(self, runner, metrics: Optional[Dict[str, Any]] = None) -> None:
        """Log the test summary and write it (with non-scalar results) to ``<timestamp>.json``."""
        tag, line = runner.log_processor.get_log_after_epoch(runner, len(runner.test_dataloader), "test",
                                                             with_non_scalar=True)
        runner.logger.info(line)
        if _is_main(runner):
            path = osp.join(runner.log_dir, self.json_log_path or f"{runner.timestamp}.json")
            tmp = path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(_jsonable(tag), f)
            os.replace(tmp, path)

    def after_run(self, runner) -> None:
        """Close the visualizer; copy the log files to ``out_dir`` (and drop them if not ``keep_local``)."""
        runner.visualizer.close()
        if self.out_dir is None or not _is_main(runner):
            return
        copied: List[str] = []
        for root, _, files in os.walk(runner.log_dir):
            for name in sorted(files):
                if not name.endswith(self.out_suffix):
                    continue
                local = osp.join(root, name)
                target = osp.join(self.out_dir, osp.relpath(local, runner.log_dir))
                os.makedirs(osp.dirname(target), exist_ok=True)
                shutil.copyfile(local, target)
                copied.append(local)
                runner.logger.info(f"The file {local} has been uploaded to {target}.")
                if not self.keep_local:
                    runner.logger.info(f"{local} was removed due to the `self.keep_local=False`. "
                                       f"You can check the running logs in {target}")
        if not self.keep_local:
            for handler in list(getattr(runner.logger, "handlers", [])):
                if isinstance(handler, logging.FileHandler):
                    handler.close()
            for path in copied:
                os.remove(path)
