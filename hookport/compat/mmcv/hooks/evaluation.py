"""MMCV's EvalHook / DistEvalHook (registered at LOW by the dialect, as MMDetection 2.x did).

Evaluation runs inside ``after_train_epoch`` (or ``after_train_iter``): results of the
evaluation loader go to ``dataset.evaluate(results, logger=..., **eval_kwargs)``, the metrics
into ``runner.log_buffer.output`` (the logger hooks, VERY_LOW, print them next), and with
``save_best`` the best checkpoint ``best_<key>_<epoch_N|iter_N>.pth`` replaces the previous one.
"""
from __future__ import annotations

import math
import os
import os.path as osp
import warnings
from typing import Any, Callable, List, Optional, Sequence

from hookport.compat.mmcv.hook import Hook
from hookport.compat.mmcv.hooks.logger import LoggerHook
from hookport.errors import ConfigError
from hookport.hooks.arguments import require_positive_ints
from hookport.registry import MMCV_HOOKS

RULES = {"greater": lambda x, y: x > y, "less": lambda x, y: x < y}
INIT_VALUE = {"greater": -math.inf, "less": math.inf}
GREATER_KEYS = ["acc", "top", "AR@", "auc", "precision", "mAP", "mDice", "mIoU", "mAcc", "aAcc"]
LESS_KEYS = ["loss"]


def single_gpu_test(model, data_loader) -> List[Any]:
    """Predictions of ``model`` over ``data_loader`` (``model(return_loss=False, **data)`` for dict batches)."""
    import torch

    from hookport.compat.mmcv.data_container import scatter
    from hookport.runner.model import model_device

    model.eval()
    device = model_device(model)
    results: List[Any] = []
    with torch.no_grad():
        for data in data_loader:
            data = scatter(data, device)  # as MMDataParallel's forward did
            result = model(return_loss=False, **data) if isinstance(data, dict) else model(data)
            results.extend(result)
    model.train()
    return results


def multi_gpu_test(model, data_loader, tmpdir: Optional[str] = None, gpu_collect: bool = False) -> Optional[list]:
    """Predictions gathered from every rank in dataset order (rank 0 gets them, others None)."""
    from hookport.runner import dist

    results = single_gpu_test(model, data_loader)
    gathered = dist.all_gather_object(results)
    if dist.get_rank() != 0:
        return None
    ordered = [item for part in zip(*gathered) for item in part]  # samplers interleave ranks
    return ordered[:len(data_loader.dataset)]


@MMCV_HOOKS.register_module()
class EvalHook(Hook):
    """Evaluate every ``interval`` epochs/iterations, from ``start`` on.

    Args:
        dataloader: the evaluation loader (may be None while only listing hooks).
        start: first epoch/iteration to evaluate at; ``start <= runner.epoch`` evaluates before training.
        interval, by_epoch: the period and its unit.
        save_best: a metric name or 'auto' (the first metric) to keep the best checkpoint.
        rule: 'greater' or 'less' (inferred from the key when None).
        dynamic_intervals: MMDetection 2.x ``[(milestone, interval), ...]``.
        **eval_kwargs: passed to ``dataset.evaluate``.
    """

    def __init__(self, dataloader: Any = None, start: Optional[int] = None, interval: int = 1,
                 by_epoch: bool = True, save_best: Optional[str] = None, rule: Optional[str] = None,
                 test_fn: Optional[Callable] = None, greater_keys: Optional[Sequence[str]] = None,
                 less_keys: Optional[Sequence[str]] = None, out_dir: Optional[str] = None,
                 file_client_args: Any = None, dynamic_intervals: Any = None, **eval_kwargs: Any):
        owner = type(self).__name__
        require_positive_ints(owner, interval=interval)
        if not isinstance(by_epoch, bool):
            raise ConfigError(f"{owner}: by_epoch must be a bool, got {by_epoch!r}")
        if start is not None and start < 0:
            raise ConfigError(f"{owner}: the evaluation start {start} is smaller than 0")
        if save_best is not None and not isinstance(save_best, str):
            raise ConfigError(f"{owner}: save_best must be a metric name or 'auto', got {save_best!r}")
        self.dataloader, self.interval, self.start, self.by_epoch = dataloader, interval, start, by_epoch
        self.save_best, self.eval_kwargs, self.initial_flag = save_best, eval_kwargs, True
        self.test_fn = test_fn or single_gpu_test
        self.greater_keys = list(GREATER_KEYS if greater_keys is None else greater_keys)
        self.less_keys = list(LESS_KEYS if less_keys is None else less_keys)
        self.out_dir, self.file_client_args = out_dir, file_client_args
        self.dynamic_intervals = sorted(dynamic_intervals or [])
        self.best_ckpt_path: Optional[str] = None
        self.rule: Optional[str] = None
        if save_best is not None:
            self._init_rule(rule, save_best)

    def _init_rule(self, rule: Optional[str], key: str) -> None:
        if rule is not None and rule not in RULES:
            raise ConfigError(f"{type(self).__name__}: rule must be 'greater', 'less' or None, got {rule!r}")
        if rule is None and key != "auto":
            low = key.lower()
            greater = [k.lower() for k in self.greater_keys]
            less = [k.lower() for k in self.less_keys]
            if low in greater or (low not in less and any(k in low for k in greater)):
                rule = "greater"
            elif low in less or any(k in low for k in less):
                rule = "less"
            else:
                raise ConfigError(f"{type(self).__name__}: cannot infer the rule for key {key!r}; give rule='greater' "
                                  f"or rule='less'")
        self.rule, self.key_indicator = rule, key

    def _interval_now(self, runner) -> None:
        progress = runner.epoch if self.by_epoch else runner.iter
        for milestone, interval in self.dynamic_intervals:
            if progress + 1 >= milestone:
                self.interval = interval

    def before_run(self, runner) -> None:
        """Resolve ``out_dir``; read the best checkpoint path of a resumed run."""
        if self.dataloader is None:
            raise ConfigError(f"{type(self).__name__} has no evaluation dataloader (data.val is missing)")
        self.out_dir = self.out_dir or runner.work_dir
        if self.save_best is not None:
            if runner.meta is None:
                warnings.warn("runner.meta is None. Creating an empty one.")
                runner.meta = {}
            self.best_ckpt_path = runner.meta.setdefault("hook_msgs", {}).get("best_ckpt")

    def before_train_iter(self, runner) -> None:
        """Iteration mode: evaluate once before training when ``start <= iter``."""
        if not self.by_epoch:
            self._interval_now(runner)
        if self.by_epoch or not self.initial_flag:
            return
        if self.start is not None and runner.iter >= self.start:
            self.after_train_iter(runner)
        self.initial_flag = False

    def before_train_epoch(self, runner) -> None:
        """Epoch mode: evaluate once before training when ``start <= epoch``."""
        if self.by_epoch:
            self._interval_now(runner)
        if not (self.by_epoch and self.initial_flag):
            return
        if self.start is not None and runner.epoch >= self.start:
            self.after_train_epoch(runner)
        self.initial_flag = False

    def after_train_iter(self, runner) -> None:
        """Iteration mode: flush the loggers' training window, then evaluate."""
        if not self.by_epoch and self._should_evaluate(runner):
            for hook in runner.hooks:
                if isinstance(hook, LoggerHook):
                    hook.after_train_iter(runner)
            runner.log_buffer.clear()
            self._do_evaluate(runner)

    def after_train_epoch(self, runner) -> None:
        """Epoch mode: evaluate."""
        if self.by_epoch and self._should_evaluate(runner):
            self._do_evaluate(runner)

    def _should_evaluate(self, runner) -> bool:
        current, check = ((runner.epoch, self.every_n_epochs) if self.by_epoch else (runner.iter, self.every_n_iters))
        if self.start is None:
            return check(runner, self.interval)
        if current + 1 < self.start:
            return False
        return (current + 1 - self.start) % self.interval == 0

    def _do_evaluate(self, runner) -> None:
        results = self.test_fn(runner.model, self.dataloader)
        self._record(runner, results)

    def _record(self, runner, results) -> None:
        runner.log_buffer.output["eval_iter_num"] = len(self.dataloader)
        key_score = self.evaluate(runner, results)
        if self.save_best and key_score:
            self._save_ckpt(runner, key_score)

    def _save_ckpt(self, runner, key_score: float) -> None:
        if self.by_epoch:
            current, cur_type, cur_time = f"epoch_{runner.epoch + 1}", "epoch", runner.epoch + 1
        else:
            current, cur_type, cur_time = f"iter_{runner.iter + 1}", "iter", runner.iter + 1
        msgs = runner.meta["hook_msgs"]
        best_score = msgs.get("best_score", INIT_VALUE[self.rule])
        if RULES[self.rule](key_score, best_score):
            best_score = key_score
            msgs["best_score"] = best_score
            if self.best_ckpt_path and osp.isfile(self.best_ckpt_path):
                os.remove(self.best_ckpt_path)
                runner.logger.info(f"The previous best checkpoint {self.best_ckpt_path} was removed")
            name = f"best_{self.key_indicator}_{current}.pth"
            self.best_ckpt_path = osp.join(self.out_dir, name)
            msgs["best_ckpt"] = self.best_ckpt_path
            runner.save_checkpoint(self.out_dir, filename_tmpl=name, create_symlink=False)
            runner.logger.info(f"Now best checkpoint is saved as {name}.")
            runner.logger.info(f"Best {self.key_indicator} is {best_score:0.4f} at {cur_time} {cur_type}.")

    def evaluate(self, runner, results) -> Optional[float]:
        """``dataset.evaluate`` into the log buffer; the ``save_best`` score (or None)."""
        eval_res = self.dataloader.dataset.evaluate(results, logger=runner.logger, **self.eval_kwargs)
        for name, val in eval_res.items():
            runner.log_buffer.output[name] = val
        runner.log_buffer.ready = True
        if self.save_best is None:
            return None
        if not eval_res:
            warnings.warn("Since eval_res is an empty dict, the behavior to save the best checkpoint will be skipped.")
            return None
        if self.key_indicator == "auto":
            self._init_rule(self.rule, list(eval_res)[0])
        return eval_res[self.key_indicator]


@MMCV_HOOKS.register_module()
class DistEvalHook(EvalHook):
    """EvalHook for distributed runs: every rank predicts its shard, rank 0 evaluates.

    Args:
        broadcast_bn_buffer: copy rank 0's batch-norm statistics to all ranks first.
        tmpdir, gpu_collect: accepted (results are gathered with ``all_gather_object``).
    """

    def __init__(self, dataloader: Any = None, start: Optional[int] = None, interval: int = 1,
                 by_epoch: bool = True, save_best: Optional[str] = None, rule: Optional[str] = None,
                 test_fn: Optional[Callable] = None, greater_keys: Optional[Sequence[str]] = None,
                 less_keys: Optional[Sequence[str]] = None, broadcast_bn_buffer: bool = True,
                 tmpdir: Optional[str] = None, gpu_collect: bool = False, out_dir: Optional[str] = None,
                 file_client_args: Any = None, **eval_kwargs: Any):
        super().__init__(dataloader, start=start, interval=interval, by_epoch=by_epoch, save_best=save_best,
                         rule=rule, test_fn=test_fn or multi_gpu_test, greater_keys=greater_keys,
                         less_keys=less_keys, out_dir=out_dir, file_client_args=file_client_args, **eval_kwargs)
        self.broadcast_bn_buffer, self.tmpdir, self.gpu_collect = broadcast_bn_buffer, tmpdir, gpu_collect

    def _do_evaluate(self, runner) -> None:
        if self.broadcast_bn_buffer:
            from hookport.runner import dist

            if dist.is_distributed():
                import torch.distributed as torch_dist
                from torch.nn.modules.batchnorm import _BatchNorm

                for module in runner.model.modules():
                    if isinstance(module, _BatchNorm) and module.track_running_stats:
                        torch_dist.broadcast(module.running_var, 0)
                        torch_dist.broadcast(module.running_mean, 0)
        results = self.test_fn(runner.model, self.dataloader, tmpdir=self.tmpdir, gpu_collect=self.gpu_collect)
        if runner.rank == 0:
            self._record(runner, results)
