"""EmptyCacheHook: releases cached CUDA memory at chosen points."""
from __future__ import annotations

import sys
from typing import Any

from hookport.hooks.hook import Hook
from hookport.registry import HOOKS


def _empty_cuda_cache() -> None:
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


@HOOKS.register_module()
class EmptyCacheHook(Hook):
    """Calls ``torch.cuda.empty_cache()`` before/after epochs and after iterations (all modes).

    Args:
        before_epoch: empty the cache before each epoch.
        after_epoch: empty the cache after each epoch (default).
        after_iter: empty the cache after each iteration.
    """

    priority = "NORMAL"

    def __init__(self, before_epoch: bool = False, after_epoch: bool = True, after_iter: bool = False):
        self._do_before_epoch = before_epoch
        self._do_after_epoch = after_epoch
        self._do_after_iter = after_iter

    def _before_epoch(self, runner, mode: str = "train") -> None:
        """Empty the cache before an epoch (if ``before_epoch``)."""
        if self._do_before_epoch:
            _empty_cuda_cache()

    def _after_epoch(self, runner, mode: str = "train") -> None:
        """Empty the cache after an epoch (if ``after_epoch``)."""
        if self._do_after_epoch:
            _empty_cuda_cache()

    def _after_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None,
                    mode: str = "train") -> None:
        """Empty the cache after an iteration (if ``after_iter``)."""
        if self._do_after_iter:
            _empty_cuda_cache()
