"""MMCV's logger hooks (VERY_LOW): the shared ``LoggerHook`` logic and ``TextLoggerHook``.

TextLoggerHook writes MMCV's terminal/``<timestamp>.log`` lines and ``<timestamp>.log.json``
(one JSON object per line; the first line is ``runner.meta``; floats rounded to 5 digits).
"""
from __future__ import annotations

import datetime
import json
import numbers
import os
import os.path as osp
from collections import OrderedDict
from typing import Any, Dict

from hookport.compat.mmcv.hook import Hook
from hookport.hooks.arguments import require_ints
from hookport.registry import MMCV_HOOKS


class LoggerHook(Hook):
    """Base of the logger hooks: averages the log buffer every ``interval`` and calls :meth:`log`.

    Args:
        interval: logging period (iterations within an epoch, or global with ``by_epoch=False``).
        ignore_last: skip the last, shorter window of an epoch.
        reset_flag: clear the buffer's output after logging (the last logger hook always does).
        by_epoch: count iterations within the epoch.
    """

    def __init__(self, interval: int = 10, ignore_last: bool = True, reset_flag: bool = False,
                 by_epoch: bool = True):
        require_ints(type(self).__name__, interval=interval)
        self.interval, self.ignore_last, self.reset_flag, self.by_epoch = interval, ignore_last, reset_flag, by_epoch

    def log(self, runner) -> Any:
        """Write one record from ``runner.log_buffer.output``."""
        raise NotImplementedError

    @staticmethod
    def is_scalar(value: Any, include_np: bool = True, include_torch: bool = True) -> bool:
        """Whether ``value`` is a plain number or a one-element tensor."""
        if isinstance(value, numbers.Number):
            return True
        numel = getattr(value, "numel", None)
        return include_torch and callable(numel) and numel() == 1 and hasattr(value, "item")

    def get_mode(self, runner) -> str:
        """'train', or 'val' for records written during a train epoch without timing (evaluation)."""
        if runner.mode == "train":
            return "train" if "time" in runner.log_buffer.output else "val"
        if runner.mode == "val":
            return "val"
        raise ValueError(f"runner mode should be 'train' or 'val', got {runner.mode!r}")

    def get_epoch(self, runner) -> int:
        """1-based epoch during training; after a val phase the epoch has already advanced."""
        if runner.mode == "train":
            return runner.epoch + 1
        if runner.mode == "val":
            return runner.epoch
        raise ValueError(f"runner mode should be 'train' or 'val', got {runner.mode!r}")

    def get_iter(self, runner, inner_iter: bool = False) -> int:
        """1-based iteration (within the epoch when ``by_epoch`` and ``inner_iter``)."""
        if self.by_epoch and inner_iter:
            return runner.inner_iter + 1
        return runner.iter + 1

    def get_lr_tags(self, runner) -> Dict[str, float]:
        """``learning_rate`` (or ``learning_rate/<optimizer>``) of the first group."""
        lrs = runner.current_lr()
        if isinstance(lrs, dict):
            return {f"learning_rate/{name}": value[0] for name, value in lrs.items()}
        return {"learning_rate": lrs[0]}

    def get_momentum_tags(self, runner) -> Dict[str, float]:
        """``momentum`` (or ``momentum/<optimizer>``) of the first group."""
        momentums = runner.current_momentum()
        if isinstance(momentums, dict):
            return {f"momentum/{name}": value[0] for name, value in momentums.items()}
        return {"momentum": momentums[0]}

    def get_loggable_tags(self, runner, allow_scalar: bool = True, allow_text: bool = False, add_mode: bool = True,
                          tags_to_skip: tuple = ("time", "data_time")) -> Dict[str, Any]:
        """``<mode>/<key>`` tags of the buffer's output plus lr and momentum."""
        tags = {}
        for var, val in runner.log_buffer.output.items():
            if var in tags_to_skip or (self.is_scalar(val) and not allow_scalar) or (
                    isinstance(val, str) and not allow_text):
                continue
            tags[f"{self.get_mode(runner)}/{var}" if add_mode else var] = val
        tags.update(self.get_lr_tags(runner))
        tags.update(self.get_momentum_tags(runner))
        return tags

    def before_run(self, runner) -> None:
        """The last registered logger hook clears the buffer's output after logging."""
        for hook in reversed(runner.hooks):
            if isinstance(hook, LoggerHook):
                hook.reset_flag = True
                break

    def before_epoch(self, runner) -> None:
        """Start each epoch with an empty buffer."""
        runner.log_buffer.clear()

    def after_train_iter(self, runner) -> None:
        """Average the last ``interval`` values when a window is complete, then log."""
        if self.by_epoch and self.every_n_inner_iters(runner, self.interval):
            runner.log_buffer.average(self.interval)
        elif not self.by_epoch and self.every_n_iters(runner, self.interval):
            runner.log_buffer.average(self.interval)
        elif self.end_of_epoch(runner) and not self.ignore_last:
            runner.log_buffer.average(self.interval)
        if runner.log_buffer.ready:
            self.log(runner)
            if self.reset_flag:
                runner.log_buffer.clear_output()

    def after_train_epoch(self, runner) -> None:
        """Log what an evaluation hook put in the buffer."""
        if runner.log_buffer.ready:
            self.log(runner)
            if self.reset_flag:
                runner.log_buffer.clear_output()

    def after_val_epoch(self, runner) -> None:
        """Log the val phase's averages."""
        runner.log_buffer.average()
        self.log(runner)
        if self.reset_flag:
            runner.log_buffer.clear_output()


def _round_float(items: Any) -> Any:
    if isinstance(items, list):
        return [_round_float(item) for item in items]
    if isinstance(items, float):
        return round(items, 5)
    return items


def _max_cuda_memory_mb(runner) -> int:
    import torch

    device = getattr(runner.model, "output_device", None)
    mem = torch.cuda.max_memory_allocated(device=device)
    torch.cuda.reset_peak_memory_stats()
    return int(mem / (1024 * 1024))


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


@MMCV_HOOKS.register_module()
class TextLoggerHook(LoggerHook):
    """MMCV's text and JSON logs in ``work_dir``.

    Args:
        interval_exp_name: print ``Exp name: ...`` every this many iterations.
        out_dir, out_suffix, keep_local, file_client_args: accepted; copying logs to ``out_dir``
            is done at the end of the run for the files ending in ``out_suffix``.
    """

    def __init__(self, by_epoch: bool = True, interval: int = 10, ignore_last: bool = True, reset_flag: bool = False,
                 interval_exp_name: int = 1000, out_dir: Any = None,
                 out_suffix: Any = (".log.json", ".log", ".py"), keep_local: bool = True,
                 file_client_args: Any = None):
        super().__init__(interval, ignore_last, reset_flag, by_epoch)
        self.time_sec_tot = 0.0
        self.interval_exp_name = interval_exp_name
        self.out_dir, self.out_suffix, self.keep_local = out_dir, out_suffix, keep_local
        self.file_client_args = file_client_args

    def before_run(self, runner) -> None:
        """Open the JSON log; its first line is the runner meta."""
        super().before_run(runner)
        self.start_iter = runner.iter
        self.json_log_path = osp.join(runner.work_dir, f"{runner.timestamp}.log.json")
        if runner.meta is not None:
            self._dump_log(runner.meta, runner)

    def _log_info(self, log_dict: Dict[str, Any], runner) -> None:
        meta = runner.meta
        if meta is not None and "exp_name" in meta and (
                self.every_n_iters(runner, self.interval_exp_name) or (self.by_epoch and self.end_of_epoch(runner))):
            runner.logger.info(f"Exp name: {meta['exp_name']}")
        if log_dict["mode"] == "train":
            if isinstance(log_dict["lr"], dict):
                lr_str = " ".join(f"lr_{k}: {v:.3e}" for k, v in log_dict["lr"].items())
            else:
                lr_str = f"lr: {log_dict['lr']:.3e}"
            if self.by_epoch:
                log_str = f"Epoch [{log_dict['epoch']}][{log_dict['iter']}/{len(runner.data_loader)}]\t"
            else:
                log_str = f"Iter [{log_dict['iter']}/{runner.max_iters}]\t"
            log_str += f"{lr_str}, "
            if "time" in log_dict:
                self.time_sec_tot += log_dict["time"] * self.interval
                time_sec_avg = self.time_sec_tot / (runner.iter - self.start_iter + 1)
                eta_sec = time_sec_avg * (runner.max_iters - runner.iter - 1)
                log_str += f"eta: {datetime.timedelta(seconds=int(eta_sec))}, "
                log_str += f"time: {log_dict['time']:.3f}, data_time: {log_dict['data_time']:.3f}, "
                if "memory" in log_dict:
                    log_str += f"memory: {log_dict['memory']}, "
        elif self.by_epoch:
            log_str = f"Epoch({log_dict['mode']}) [{log_dict['epoch']}][{log_dict['iter']}]\t"
        else:
            log_str = f"Iter({log_dict['mode']}) [{log_dict['iter']}]\t"
        skip = {"mode", "Epoch", "iter", "lr", "time", "data_time", "memory", "epoch"}
        items = [f"{name}: {val:.4f}" if isinstance(val, float) else f"{name}: {val}"
                 for name, val in log_dict.items() if name not in skip]
        runner.logger.info(log_str + ", ".join(items))

    def _dump_log(self, log_dict: Dict[str, Any], runner) -> None:
        if runner.rank != 0:
            return
        record = OrderedDict((k, _round_float(v)) for k, v in log_dict.items())
        with open(self.json_log_path, "a+") as f:
            json.dump(record, f, default=str)
            f.write("\n")

    def log(self, runner) -> Dict[str, Any]:
        """One record: terminal/text line and JSON line."""
        output = runner.log_buffer.output
        cur_iter = output.pop("eval_iter_num") if "eval_iter_num" in output else self.get_iter(runner, inner_iter=True)
        log_dict: Dict[str, Any] = OrderedDict(mode=self.get_mode(runner), epoch=self.get_epoch(runner), iter=cur_iter)
        cur_lr = runner.current_lr()
        log_dict["lr"] = {k: v[0] for k, v in cur_lr.items()} if isinstance(cur_lr, dict) else cur_lr[0]
        if "time" in output and _cuda_available():
            log_dict["memory"] = _max_cuda_memory_mb(runner)
        log_dict = OrderedDict(log_dict, **output)
        self._log_info(log_dict, runner)
        self._dump_log(log_dict, runner)
        return log_dict

    def after_run(self, runner) -> None:
        """Copy the log files to ``out_dir`` when one is set."""
        if self.out_dir is None:
            return
        import glob
        import shutil

        target = osp.join(self.out_dir, osp.basename(osp.normpath(runner.work_dir)))
        os.makedirs(target, exist_ok=True)
        for path in glob.glob(osp.join(runner.work_dir, "*")):
            if path.endswith(tuple(self.out_suffix)):
                shutil.copy(path, target) if self.keep_local else shutil.move(path, target)
