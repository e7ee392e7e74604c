"""CheckpointHook: periodic, last and best checkpoints with MMEngine 0.10.7's names and rules."""
from __future__ import annotations

import hashlib
import os
import os.path as osp
import shutil
import tempfile
from collections import deque
from math import inf
from pathlib import Path
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, Union

from hookport.errors import ConfigError
from hookport.hooks.arguments import require_ints
from hookport.hooks.hook import Hook
from hookport.registry import HOOKS

# Substrings that say "higher is better" / "lower is better" (MMEngine's defaults).
DEFAULT_GREATER_KEYS = ("acc", "top", "AR@", "auc", "precision", "mAP", "mDice", "mIoU", "mAcc", "aAcc")
DEFAULT_LESS_KEYS = ("loss",)
RULES: Dict[str, Callable[[Any, Any], bool]] = {"greater": lambda x, y: x > y, "less": lambda x, y: x < y}
INITIAL_SCORE = {"greater": -inf, "less": inf}


def infer_rule(key: str, rule: Optional[str], greater_keys: Sequence[str], less_keys: Sequence[str]) -> str:
    """The comparison rule for metric ``key``: ``rule`` if given, else inferred as MMEngine does.

    Exact (case-insensitive) matches win over substring matches, and "greater" keys are
    checked before "less" keys at each step.
    """
    if rule is not None:
        if rule not in RULES:
            raise ConfigError(f"CheckpointHook: rule must be 'greater', 'less' or None, got {rule!r}")
        return rule
    lowered = key.lower()
    greater = {k.lower() for k in greater_keys}
    less = {k.lower() for k in less_keys}
    if lowered in greater:
        return "greater"
    if lowered in less:
        return "less"
    if any(k in lowered for k in greater):
        return "greater"
    if any(k in lowered for k in less):
        return "less"
    raise ConfigError(f"CheckpointHook: cannot infer the rule for key {key!r}; set rule='greater' or 'less'")


def best_checkpoint_name(key: str, checkpoint_name: str) -> str:
    """``best_<key>_<checkpoint name>`` with ``/`` replaced by ``_`` (``best_accuracy_top1_epoch_3.pth``)."""
    return f"best_{key}_{checkpoint_name}".replace("/", "_")


def _str_list(value: Any, what: str) -> Optional[List[str]]:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"CheckpointHook: {what} must be a string or a list of strings, got {value!r}")


def _remove(path: str) -> bool:
    if osp.isfile(path):
        os.remove(path)
        return True
    if osp.isdir(path):
        shutil.rmtree(path)
        return True
    return False


@HOOKS.register_module()
class CheckpointHook(Hook):
    """Saves checkpoints (MMEngine's CheckpointHook, priority VERY_LOW).

    Args:
        interval: save every ``interval`` epochs (``by_epoch``) or iterations; -1: never (but
            ``save_last`` still saves the final one).
        by_epoch: count ``interval`` in epochs or iterations.
        save_optimizer / save_param_scheduler: include optimizer / scheduler states.
        out_dir: save to ``<out_dir>/<basename of work_dir>`` instead of ``work_dir``.
        max_keep_ckpts: keep only the newest this many periodic checkpoints (-1: all).
        save_last: always save after the last epoch/iteration.
        save_best: metric key(s) to keep a best checkpoint for; ``'auto'`` takes the first metric.
        rule: ``'greater'`` / ``'less'`` (one, or one per key); None infers it from the key.
        greater_keys / less_keys: substrings used to infer the rule.
        filename_tmpl: periodic checkpoint name (default ``epoch_{}.pth`` / ``iter_{}.pth``).
        published_keys: after training, also write ``<ckpt>-<sha256[:8]>.pth`` copies of the last
            and best checkpoints holding only these keys.
        save_begin: first epoch/iteration counted for ``interval``.
        **kwargs: passed on to ``runner.save_checkpoint``.

    State in ``runner.message_hub`` runtime info (saved with the checkpoint, so a resumed run
    continues it): ``best_score``/``best_ckpt`` (or ``best_score_<key>``/``best_ckpt_<key>``
    with several keys), ``last_ckpt`` and ``keep_ckpt_ids``.
    """

    priority = "VERY_LOW"

    def __init__(self, interval: int = -1, by_epoch: bool = True, save_optimizer: bool = True,
                 save_param_scheduler: bool = True, out_dir: Optional[Union[str, Path]] = None,
                 max_keep_ckpts: int = -1, save_last: bool = True, save_best: Union[str, List[str], None] = None,
                 rule: Union[str, List[str], None] = None, greater_keys: Optional[Sequence[str]] = None,
                 less_keys: Optional[Sequence[str]] = None, file_client_args: Optional[dict] = None,
                 filename_tmpl: Optional[str] = None, backend_args: Optional[dict] = None,
                 published_keys: Union[str, List[str], None] = None, save_begin: int = 0, **kwargs):
        if file_client_args is not None or backend_args is not None:
            raise ConfigError("CheckpointHook: file_client_args/backend_args (remote storage) are not "
                              "supported; use a local out_dir")
        require_ints("CheckpointHook", interval=interval, max_keep_ckpts=max_keep_ckpts, save_begin=save_begin)
        self.interval = interval
        self.by_epoch = by_epoch
        self.save_optimizer = save_optimizer
        self.save_param_scheduler = save_param_scheduler
        self.out_dir: Optional[str] = None if out_dir is None else str(out_dir)
        self.max_keep_ckpts = max_keep_ckpts
        self.save_last = save_last
        self.args = kwargs
        self.filename_tmpl = filename_tmpl or ("epoch_{}.pth" if by_epoch else "iter_{}.pth")

        keys = _str_list(save_best, "save_best")
        if keys is not None:
            if "auto" in keys and len(keys) != 1:
                raise ConfigError("CheckpointHook: 'auto' must be the only save_best entry")
            if len(keys) != len(set(keys)):
                raise ConfigError(f"CheckpointHook: save_best has duplicates: {keys}")
        self.save_best = keys
        rules = _str_list(rule, "rule") if rule is not None else [None]
        if keys is not None and len(rules) not in (1, len(keys)):
            raise ConfigError(f"CheckpointHook: give one rule or one per save_best key "
                              f"({len(keys)}), got {len(rules)}")
        self.greater_keys = tuple(_str_list(greater_keys, "greater_keys") or DEFAULT_GREATER_KEYS)
        self.less_keys = tuple(_str_list(less_keys, "less_keys") or DEFAULT_LESS_KEYS)
        self.rules: List[Optional[str]] = []
        self.key_indicators: List[str] = []
        self.is_better_than: Dict[str, Callable[[Any, Any], bool]] = {}
        if keys is not None:
            self._init_rule(rules, keys)
        # Best checkpoint path(s): one key -> best_ckpt_path, several -> best_ckpt_path_dict.
        self.best_ckpt_path: Optional[str] = None
        self.best_ckpt_path_dict: Dict[str, Optional[str]] = {}

        published = _str_list(published_keys, "published_keys")
        if published is not None and len(published) != len(set(published)):
            raise ConfigError(f"CheckpointHook: published_keys has duplicates: {published}")
        self.published_keys = published
        if not isinstance(save_begin, int) or save_begin < 0:
            raise ConfigError(f"CheckpointHook: save_begin must be an int >= 0, got {save_begin!r}")
        self.save_begin = save_begin
        self.last_ckpt: Optional[str] = None
        self.keep_ckpt_ids: Deque[int] = deque()

    def _init_rule(self, rules: List[Optional[str]], keys: List[str]) -> None:
        if len(rules) == 1:
            rules = rules * len(keys)
        self.rules = []
        for rule, key in zip(rules, keys):
            if key != "auto" or rule is not None:
                rule = infer_rule(key, rule, self.greater_keys, self.less_keys)
                self.is_better_than[key] = RULES[rule]
            self.rules.append(rule)
        self.key_indicators = list(keys)

    # -- mount points -------------------------------------------------------
    def before_train(self, runner) -> None:
        """Resolve ``out_dir``; pick up best/kept checkpoints recorded by a resumed run."""
        work_dir = str(runner.work_dir)
        if self.out_dir is None:
            self.out_dir = work_dir
        elif osp.abspath(self.out_dir) != osp.abspath(work_dir):
            self.out_dir = osp.join(self.out_dir, osp.basename(work_dir.rstrip(osp.sep)))
        runner.logger.info(f"Checkpoints will be saved to {self.out_dir}.")
        hub = runner.message_hub
        if self.save_best is not None:
            if len(self.key_indicators) == 1:
                self.best_ckpt_path = hub.get_info("best_ckpt")
            else:
                self.best_ckpt_path_dict = {k: hub.get_info(f"best_ckpt_{k}") for k in self.key_indicators}
        if self.max_keep_ckpts > 0:
            kept = list(hub.get_info("keep_ckpt_ids", []))
            while len(kept) > self.max_keep_ckpts:
                self._delete_periodic(runner, kept.pop(0))
            self.keep_ckpt_ids = deque(kept, self.max_keep_ckpts)

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Iteration-based saving."""
        if self.by_epoch:
            return
        if self.every_n_train_iters(runner, self.interval, self.save_begin) or (
                self.save_last and self.is_last_train_iter(runner)):
            runner.logger.info(f"Saving checkpoint at {runner.iter + 1} iterations")
            self._save_checkpoint(runner)

    def after_train_epoch(self, runner) -> None:
        """Epoch-based saving."""
        if not self.by_epoch:
            return
        if self.every_n_epochs(runner, self.interval, self.save_begin) or (
                self.save_last and self.is_last_train_epoch(runner)):
            runner.logger.info(f"Saving checkpoint at {runner.epoch + 1} epochs")
            self._save_checkpoint(runner)

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, Any]] = None) -> None:
        """Save a best checkpoint for every ``save_best`` key whose score improved."""
        if not metrics:
            runner.logger.warning("Since `metrics` is an empty dict, the behavior to save the best "
                                  "checkpoint will be skipped in this evaluation.")
            return
        self._save_best_checkpoint(runner, metrics)

    def after_train(self, runner) -> None:
        """Publish the last and best checkpoints when ``published_keys`` is set."""
        if self.published_keys is None or getattr(runner, "rank", 0) != 0:
            return
        paths = []
        if self.save_last and self.last_ckpt is not None:
            paths.append(self.last_ckpt)
        paths.append(self.best_ckpt_path)
        paths.extend(self.best_ckpt_path_dict.values())
        for path in paths:
            if path is not None:
                self._publish_model(runner, path)

    # -- saving -------------------------------------------------------------
    def _save_checkpoint(self, runner) -> None:
        if self.by_epoch:
            step = runner.epoch + 1
            meta = dict(epoch=step, iter=runner.iter)
        else:
            step = runner.iter + 1
            meta = dict(epoch=runner.epoch, iter=step)
        self._save_checkpoint_with_step(runner, step, meta)

    def _save_checkpoint_with_step(self, runner, step: int, meta: dict) -> None:
        hub = runner.message_hub
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                self._delete_periodic(runner, self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            hub.update_info("keep_ckpt_ids", list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        hub.update_info("last_ckpt", self.last_ckpt)
        runner.save_checkpoint(self.out_dir, filename, save_optimizer=self.save_optimizer,
                               save_param_scheduler=self.save_param_scheduler, meta=meta,
                               by_epoch=self.by_epoch, **self.args)
        if getattr(runner, "rank", 0) == 0:
            _atomic_write_text(osp.join(str(runner.work_dir), "last_checkpoint"), self.last_ckpt)

    def _delete_periodic(self, runner, step: int) -> None:
        if getattr(runner, "rank", 0) == 0:
            _remove(osp.join(self.out_dir, self.filename_tmpl.format(step)))

    def _save_best_checkpoint(self, runner, metrics: Dict[str, Any]) -> None:
        if not self.save_best:
            return
        cur_type, cur_time = ("epoch", runner.epoch) if self.by_epoch else ("iter", runner.iter)
        ckpt_filename = self.filename_tmpl.format(cur_time)
        meta = dict(epoch=runner.epoch, iter=runner.iter)
        if "auto" in self.key_indicators:
            self._init_rule(self.rules, [next(iter(metrics))])
        hub = runner.message_hub
        single = len(self.key_indicators) == 1
        updated = False
        for key in self.key_indicators:
            if key not in metrics:
                raise ConfigError(f"CheckpointHook: save_best key {key!r} is not among the metrics "
                                  f"{sorted(metrics)}")
            score = metrics[key]
            score_key = "best_score" if single else f"best_score_{key}"
            ckpt_key = "best_ckpt" if single else f"best_ckpt_{key}"
            rule = self.rules[self.key_indicators.index(key)]
            best_score = hub.get_info(score_key, INITIAL_SCORE[rule])
            if score is None or not self.is_better_than[key](score, best_score):
                continue
            updated = True
            hub.update_info(score_key, score)
            previous = self.best_ckpt_path if single else self.best_ckpt_path_dict.get(key)
            if previous and getattr(runner, "rank", 0) == 0 and _remove(previous):
                runner.logger.info(f"The previous best checkpoint {previous} is removed")
            name = best_checkpoint_name(key, ckpt_filename)
            path = osp.join(self.out_dir, name)
            if single:
                self.best_ckpt_path = path
            else:
                self.best_ckpt_path_dict[key] = path
            hub.update_info(ckpt_key, path)
            runner.save_checkpoint(self.out_dir, name, save_optimizer=False, save_param_scheduler=False,
                                   meta=meta, by_epoch=False)
            runner.logger.info(f"The best checkpoint with {float(score):0.4f} {key} at {cur_time} {cur_type} "
                               f"is saved to {name}.")
        # Re-save the periodic checkpoint so that it records the new best score (MMEngine does too).
        if updated and self.last_ckpt is not None:
            self._save_checkpoint_with_step(runner, cur_time, meta)

    def _publish_model(self, runner, path: str) -> None:
        import pickle

        from hookport.runner.checkpoint import atomic_torch_save, load_checkpoint_file

        checkpoint = load_checkpoint_file(path)
        removed = [key for key in list(checkpoint) if key not in self.published_keys]
        for key in removed:
            checkpoint.pop(key)
        if removed:
            runner.logger.info(f"Key {removed} will be removed because they are not found in published_keys. "
                               f"If you want to keep them, please set `{removed}` in published_keys")
        digest = hashlib.sha256(pickle.dumps(checkpoint)).hexdigest()
        final = osp.splitext(path)[0] + f"-{digest[:8]}.pth"
        atomic_torch_save(checkpoint, final)
        runner.logger.info(f"The checkpoint ({path}) is published to {final}.")


def _atomic_write_text(path: str, text: str) -> None:
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=osp.dirname(osp.abspath(path)))
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.unlink(tmp)
        raise
