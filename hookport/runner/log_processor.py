"""Formatting of log lines and scalar tags from the message hub (MMEngine's ``LogProcessor``).

``get_log_after_iter`` gives, every logged interval, the tag dict that goes to the visualizer
(``scalars.json``) and the text line, e.g.::

    Epoch(train) [1][10/20]  lr: 1.0000e-02  eta: 0:00:03  time: 0.0123  data_time: 0.0010  loss: 0.6931

``get_log_after_epoch`` gives the validation/test summary line with the metrics. Smoothing:
keys matching ``mean_pattern`` (losses, times, grad norm) are averaged over the last
``window_size`` values, others show their latest value; ``custom_cfg`` adds or overrides
statistics (``dict(data_src='loss', method_name='max', window_size='global', log_name=...)``).
The layout, padding and number formats follow MMEngine 0.10.7 character for character.
"""
from __future__ import annotations

import copy
import datetime
import functools
import re
import sys
from collections import OrderedDict
from itertools import chain
from typing import Any, List, Optional, Tuple

from hookport.errors import ConfigError
from hookport.registry import LOG_PROCESSORS

_MODES = ("train", "val", "test")


def has_train_loop(runner) -> bool:
    """Whether the runner was configured for training (MMEngine: ``_train_loop`` is not None/dict)."""
    if hasattr(runner, "_train_loop"):
        loop = runner._train_loop
    else:
        loop = getattr(runner, "train_loop", None)
    return loop is not None and not isinstance(loop, dict)


def max_cuda_memory_mb(runner) -> Optional[int]:
    """Peak CUDA memory in MB since the last call (resets the peak), or None without CUDA."""
    torch = sys.modules.get("torch")
    if torch is None or not _cuda_built(torch) or not torch.cuda.is_available():
        return None
    device = getattr(runner.model, "output_device", None)
    mem = torch.cuda.max_memory_allocated(device)
    torch.cuda.reset_peak_memory_stats(device)
    return int(mem) // (1024 * 1024)


@functools.lru_cache(maxsize=1)
def _cuda_built(torch: Any) -> bool:
    """Whether torch was built with CUDA (asked once: without it CUDA is never available, and
    ``torch.cuda.is_available()`` costs microseconds every logged interval)."""
    return bool(torch.backends.cuda.is_built())


@LOG_PROCESSORS.register_module()
class LogProcessor:
    """Turns message-hub scalars into log lines and tag dicts.

    Args:
        window_size: smoothing window (iterations) for keys matching ``mean_pattern``.
        by_epoch: ``Epoch(train) [e][i/n]`` headers (True) or ``Iter(train) [i/N]`` (False).
        custom_cfg: extra statistics: dicts with ``data_src``, ``method_name``, optional
            ``window_size`` (int, ``'epoch'`` or ``'global'``) and ``log_name``.
        num_digits: digits after the point for floats (lr uses scientific notation).
        log_with_hierarchy: keep the ``train/``/``val/`` prefixes in the tag dict.
        mean_pattern: regex of keys that are averaged over the window.
    """

    def __init__(self, window_size: int = 10, by_epoch: bool = True, custom_cfg: Optional[List[dict]] = None,
                 num_digits: int = 4, log_with_hierarchy: bool = False,
                 mean_pattern: str = r".*(loss|time|data_time|grad_norm).*"):
        self.window_size = window_size
        self.by_epoch = by_epoch
        self.custom_cfg = list(custom_cfg) if custom_cfg else []
        self.num_digits = num_digits
        self.log_with_hierarchy = log_with_hierarchy
        self.mean_pattern = re.compile(mean_pattern)
        # key -> whether mean_pattern matches it, for the pattern object it was computed with
        self._mean_keys: dict = {}
        self._mean_keys_pattern = self.mean_pattern
        self._check_custom_cfg()

    def _check_custom_cfg(self) -> None:
        seen = set()
        for cfg in self.custom_cfg:
            if not isinstance(cfg, dict) or "data_src" not in cfg:
                raise ConfigError(f"log_processor.custom_cfg: every entry needs a 'data_src', got {cfg!r}")
            name = cfg.get("log_name", cfg["data_src"])
            if name in seen:
                raise ConfigError(f"log_processor.custom_cfg: log name {name!r} is defined twice; give each "
                                  f"statistic of {cfg['data_src']!r} its own 'log_name'")
            seen.add(name)
            window = cfg.get("window_size")
            if not self.by_epoch and window == "epoch":
                raise ConfigError("log_processor.custom_cfg: window_size='epoch' needs by_epoch=True")
            if window is not None and not isinstance(window, int) and window not in ("epoch", "global"):
                raise ConfigError(f"log_processor.custom_cfg: window_size must be an int, 'epoch' or 'global', "
                                  f"got {window!r}")

    # -- public API -------------------------------------------------------
    def get_log_after_iter(self, runner, batch_idx: int, mode: str) -> Tuple[dict, str]:
        """``(tag, line)`` for an iteration of ``mode`` ('train', 'val' or 'test')."""
        tag, log_tag, epoch, memory = self._iter_tag(runner, batch_idx, mode)
        digits = self.num_digits
        lr_parts = []
        for key, value in tag.items():
            if key.endswith("lr"):
                key = _remove_prefix(key, f"{mode}/")
                log_tag.pop(key)
                lr_parts.append(f"{key}: {value:.{digits}e}")
        line = self._iter_header(runner, batch_idx, mode, epoch) + " ".join(lr_parts) + "  "

        info = runner.message_hub.runtime_info
        if "time" in log_tag and "data_time" in log_tag and "eta" in info:
            eta = datetime.timedelta(seconds=int(info["eta"]))
            line += (f"eta: {eta}  time: {log_tag.pop('time'):.{digits}f}  "
                     f"data_time: {log_tag.pop('data_time'):.{digits}f}  ")
        if memory is not None:
            line += f"memory: {memory}  "
        if mode in ("train", "val"):
            items = []
            for name, value in log_tag.items():
                if mode == "val" and not name.startswith("val/loss"):
                    continue
                items.append(f"{name}: {self._fmt(value)}")
            line += "  ".join(items)
        return tag, line

    def get_tag_after_iter(self, runner, batch_idx: int, mode: str) -> dict:
        """The ``tag`` of :meth:`get_log_after_iter` without formatting the line (for a logger
        that would drop it; the scalar files still get the same record)."""
        return self._iter_tag(runner, batch_idx, mode, for_line=False)[0]

    def _iter_tag(self, runner, batch_idx: int, mode: str,
                  for_line: bool = True) -> Tuple[dict, dict, Optional[int], Optional[int]]:
        """``(tag, log_tag, epoch, memory)``: the smoothed scalars with ``epoch``/``iter``/``memory``
        (the visualizer's record), the scalars for the line, the epoch shown in the header and the
        peak CUDA memory (None without CUDA). Without ``for_line`` the tag is built in place of
        ``log_tag`` (no copy)."""
        self._check_mode(mode, _MODES)
        parsed = self._parse_window_size(runner, batch_idx, self.custom_cfg)
        log_tag = self._collect_scalars(parsed, runner, mode)
        if self.log_with_hierarchy:
            tag = self._collect_scalars(parsed, runner, mode, reserve_prefix=True)
        else:
            tag = log_tag.copy() if for_line else log_tag
        epoch = None
        if self.by_epoch and mode != "test":
            epoch = tag["epoch"] = self._epoch(runner, mode)
        tag["iter"] = runner.iter + 1 if has_train_loop(runner) else 0
        memory = max_cuda_memory_mb(runner)  # read (and the peak reset) once per logged iteration
        if memory is not None:
            tag["memory"] = memory
        return tag, log_tag, epoch, memory

    def get_log_after_epoch(self, runner, batch_idx: int, mode: str,
                            with_non_scalar: bool = False) -> Tuple[dict, str]:
        """``(tag, line)`` at the end of a validation or test epoch (metrics, then mean times)."""
        self._check_mode(mode, ("val", "test"))
        size = len(self._loop(runner, mode).dataloader)
        if self.by_epoch and mode == "val":
            line = f"Epoch({mode}) [{self._epoch(runner, mode)}][{size}/{size}]  "
        elif self.by_epoch:
            line = f"Epoch({mode}) [{size}/{size}]  "
        else:
            line = f"Iter({mode}) [{size}/{size}]  "

        cfgs = copy.deepcopy(self.custom_cfg)
        custom_keys = [_remove_prefix(cfg["data_src"], f"{mode}/") for cfg in cfgs]
        # Epoch summaries report times averaged over the whole epoch.
        for key in ("time", "data_time"):
            if key not in custom_keys:
                cfgs.append(dict(data_src=key, window_size="epoch", method_name="mean"))
        parsed = self._parse_window_size(runner, batch_idx, cfgs)
        scalars = self._collect_scalars(parsed, runner, mode, self.log_with_hierarchy)
        non_scalars = self._collect_non_scalars(runner, mode)
        time_keys = (f"{mode}/time", f"{mode}/data_time", "time", "data_time")
        tag = OrderedDict((k, v) for k, v in scalars.items() if k not in time_keys)
        time_tag = OrderedDict((k, v) for k, v in scalars.items() if k in time_keys)
        items = [f"{name}: {self._fmt(value, multiline=True)}"
                 for name, value in chain(tag.items(), non_scalars.items(), time_tag.items())]
        line += "  " + "  ".join(items)
        if with_non_scalar:
            tag.update(non_scalars)
        tag.update(time_tag)
        return tag, line

    # -- pieces ---------------------------------------------------------------
    @staticmethod
    def _check_mode(mode: str, allowed) -> None:
        if mode not in allowed:
            raise ValueError(f"mode must be one of {allowed}, got {mode!r}")

    def _fmt(self, value: Any, multiline: bool = False) -> str:
        if isinstance(value, float):
            return f"{value:.{self.num_digits}f}"
        if multiline and _is_array(value):
            return f"\n{value}\n"
        return f"{value}"

    def _iter_header(self, runner, batch_idx: int, mode: str, epoch: Optional[int]) -> str:
        if self.by_epoch:
            size = len(self._loop(runner, mode).dataloader)
            current = str(batch_idx + 1).rjust(len(str(size)))
            if mode == "test":
                return f"Epoch({mode}) [{current}/{size}]  "
            epoch_str = f"[{epoch}]"
            if has_train_loop(runner):
                epoch_str = epoch_str.rjust(len(str(runner.max_epochs)) + 3)
            return f"Epoch({mode}){epoch_str}[{current}/{size}]  "
        if mode == "train":
            current = str(runner.iter + 1).rjust(len(str(runner.max_iters)))
            return f"Iter({mode}) [{current}/{runner.max_iters}]  "
        size = len(self._loop(runner, mode).dataloader)
        return f"Iter({mode}) [{str(batch_idx + 1).rjust(len(str(size)))}/{size}]  "

    @staticmethod
    def _epoch(runner, mode: str) -> int:
        if mode == "train":
            return runner.epoch + 1
        return runner.epoch if has_train_loop(runner) else 0

    @staticmethod
    def _loop(runner, mode: str):
        return getattr(runner, f"{mode}_loop")

    @staticmethod
    def _parse_window_size(runner, batch_idx: int, custom_cfg: List[dict]) -> List[dict]:
        if not custom_cfg:  # the common case, logged every interval: nothing to copy
            return []
        parsed = copy.deepcopy(custom_cfg)
        for cfg in parsed:
            window = cfg.get("window_size")
            if window == "epoch":
                cfg["window_size"] = batch_idx + 1
            elif window == "global":
                cfg["window_size"] = runner.iter + 1
        return parsed

    def _collect_scalars(self, custom_cfg: List[dict], runner, mode: str,
                         reserve_prefix: bool = False) -> "OrderedDict[str, Any]":
        prefix = f"{mode}/"
        cut = len(prefix)
        buffers = OrderedDict()
        for full_key, buffer in runner.message_hub.log_scalars.items():
            if full_key.startswith(mode):
                buffers[full_key if reserve_prefix or not full_key.startswith(prefix) else full_key[cut:]] = buffer
        mean_keys, window = self._mean_key_cache(), self.window_size
        tag: "OrderedDict[str, Any]" = OrderedDict()
        for key, buffer in buffers.items():
            is_mean = mean_keys.get(key)  # _is_mean_key inlined: this runs for every key of every log
            if is_mean is None:
                is_mean = self._is_mean_key(key)
            tag[key] = buffer.mean(window) if is_mean else buffer.current()
        for cfg in custom_cfg:
            cfg = dict(cfg)
            data_src = cfg.pop("data_src")
            log_name = cfg.pop("log_name", data_src)
            if reserve_prefix:
                data_src, log_name = prefix + data_src, prefix + log_name
            if data_src in buffers:
                tag[log_name] = buffers[data_src].statistics(**cfg)
        return tag

    def _mean_key_cache(self) -> dict:
        """key -> whether ``mean_pattern`` matches it (started over when the pattern is replaced)."""
        if self._mean_keys_pattern is not self.mean_pattern:
            self._mean_keys, self._mean_keys_pattern = {}, self.mean_pattern
        return self._mean_keys

    def _is_mean_key(self, key: str) -> bool:
        """Whether ``key`` is averaged over the window (``mean_pattern`` matches), cached per key."""
        cache = self._mean_key_cache()
        found = cache.get(key)
        if found is None:
            found = cache[key] = self.mean_pattern.search(key) is not None
        return found

    def _collect_non_scalars(self, runner, mode: str) -> "OrderedDict[str, Any]":
        infos = OrderedDict()
        for key, value in runner.message_hub.runtime_info.items():
            if key.startswith(mode):
                infos[key if self.log_with_hierarchy else _remove_prefix(key, f"{mode}/")] = value
        return infos


def _is_array(value: Any) -> bool:
    """A torch tensor or numpy array (printed on their own lines in epoch summaries)."""
    torch = sys.modules.get("torch")
    return type(value).__name__ == "ndarray" or (torch is not None and isinstance(value, torch.Tensor))


def _remove_prefix(text: str, prefix: str) -> str:
    return text[len(prefix):] if text.startswith(prefix) else text
