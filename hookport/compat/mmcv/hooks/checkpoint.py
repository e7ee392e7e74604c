"""MMCV's CheckpointHook (NORMAL): ``epoch_N.pth`` / ``iter_N.pth``, ``latest.pth`` link, pruning."""
from __future__ import annotations

import os
import os.path as osp
from typing import Any, Optional

from hookport.compat.mmcv.hook import Hook
from hookport.errors import ConfigError
from hookport.hooks.arguments import require_ints
from hookport.registry import MMCV_HOOKS


@MMCV_HOOKS.register_module()
class CheckpointHook(Hook):
    """Save every ``interval`` epochs (or iterations with ``by_epoch=False``) and at the end.

    Args:
        interval: period (-1: never, except the last with ``save_last``).
        by_epoch: count epochs or iterations.
        save_optimizer: include the optimizer state.
        out_dir: where to save (default ``work_dir``; else ``out_dir/<basename of work_dir>``).
        max_keep_ckpts: keep only the newest N periodic checkpoints (-1: all).
        save_last: always save after the last epoch/iteration.
        sync_buffer: all-reduce (mean) model buffers before saving in distributed runs.
        file_client_args: accepted for compatibility (local files only).
        **kwargs: passed to ``runner.save_checkpoint`` (``filename_tmpl``, ``create_symlink``).
    """

    def __init__(self, interval: int = -1, by_epoch: bool = True, save_optimizer: bool = True,
                 out_dir: Optional[str] = None, max_keep_ckpts: int = -1, save_last: bool = True,
                 sync_buffer: bool = False, file_client_args: Optional[dict] = None, **kwargs: Any):
        unknown = set(kwargs) - {"filename_tmpl", "create_symlink", "meta"}
        if unknown:
            raise ConfigError(f"CheckpointHook: unknown arguments {sorted(unknown)}")
        require_ints("CheckpointHook", interval=interval, max_keep_ckpts=max_keep_ckpts)
        self.interval, self.by_epoch, self.save_optimizer = interval, by_epoch, save_optimizer
        self.out_dir, self.max_keep_ckpts, self.save_last = out_dir, max_keep_ckpts, save_last
        self.args = kwargs
        self.sync_buffer = sync_buffer
        self.file_client_args = file_client_args

    def before_run(self, runner) -> None:
        """Resolve the output directory."""
        self.out_dir = runner.work_dir if not self.out_dir else osp.join(self.out_dir, osp.basename(
            osp.normpath(runner.work_dir)))
        runner.logger.info(f"Checkpoints will be saved to {self.out_dir} by HardDiskBackend.")

    def after_train_epoch(self, runner) -> None:
        """Epoch checkpoints."""
        if not self.by_epoch:
            return
        if self.every_n_epochs(runner, self.interval) or (self.save_last and self.is_last_epoch(runner)):
            runner.logger.info(f"Saving checkpoint at {runner.epoch + 1} epochs")
            self._sync_and_save(runner)

    def after_train_iter(self, runner) -> None:
        """Iteration checkpoints."""
        if self.by_epoch:
            return
        if self.every_n_iters(runner, self.interval) or (self.save_last and self.is_last_iter(runner)):
            runner.logger.info(f"Saving checkpoint at {runner.iter + 1} iterations")
            self._sync_and_save(runner)

    def _sync_and_save(self, runner) -> None:
        if self.sync_buffer:
            from hookport.compat.mmcv.hooks.misc import allreduce_buffers

            allreduce_buffers(runner.model)
        if runner.rank == 0:
            self._save_checkpoint(runner)

    def _save_checkpoint(self, runner) -> None:
        runner.save_checkpoint(self.out_dir, save_optimizer=self.save_optimizer, **self.args)
        default_tmpl, current = ("epoch_{}.pth", runner.epoch + 1) if self.by_epoch else ("iter_{}.pth",
                                                                                         runner.iter + 1)
        tmpl = self.args.get("filename_tmpl", default_tmpl)
        if runner.meta is not None:
            runner.meta.setdefault("hook_msgs", {})["last_ckpt"] = osp.join(self.out_dir, tmpl.format(current))
        if self.max_keep_ckpts > 0:
            # Walk back from the oldest one to drop; stop at the first gap, as MMCV does.
            for step in range(current - self.max_keep_ckpts * self.interval, 0, -self.interval):
                path = osp.join(self.out_dir, tmpl.format(step))
                if not osp.exists(path):
                    break
                os.remove(path)
