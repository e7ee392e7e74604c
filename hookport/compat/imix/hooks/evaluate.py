"""iMIX's ``EvaluateHook``: evaluation as a hook event, at epoch ends and every ``eval_iter_period``.

By epoch: after every epoch (unless ``is_run_eval`` is False) and, with
``eval_iter_period``, mid-epoch when ``(iter+1) % eval_iter_period == 0`` but not
on an epoch boundary. By iteration: when ``(iter+1) % eval_iter_period == 0`` or
at the last iteration, and only with ``eval_iter_period``. Every process evaluates;
the main process alone (iMIX's ``@master_only_run``) appends each result as a JSON
line to ``work_dir/eval_json_file`` with the checkpoint just saved by
``CheckPointHook`` (``curr_checkpoint_name``) and puts it into the log buffer (nested
dicts flattened one level). After training it copies the best result's checkpoint
to ``best_result.pth`` and saves the model to ``model_best.pth``.
"""
from __future__ import annotations

import json
import os
import shutil
from typing import Any, Callable, Dict, List, Optional, Tuple

from hookport.compat.imix.hook import HookBase
from hookport.registry import IMIX_HOOKS


def _flatten(results: Dict[str, Any]) -> Dict[str, float]:
    flat: Dict[str, float] = {}
    for key, value in results.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                flat[f"{key}/{sub}"] = v
        else:
            flat[key] = value
    return flat


def _is_main_process() -> bool:
    from hookport.runner.dist import is_main_process

    return is_main_process()


@IMIX_HOOKS.register_module()
class EvaluateHook(HookBase):
    """Runs ``eval_function()`` periodically and keeps the best result.

    Args:
        eval_function: returns a dict of metrics.
        eval_iter_period: evaluate every N iterations too (None: epoch ends only, by epoch).
        is_run_eval: evaluate at epoch ends.
        eval_json_file: the JSON-lines file, under the trainer's ``work_dir``.
    """

    def __init__(self, eval_function: Callable[[], Dict[str, Any]], eval_iter_period: Optional[int] = None,
                 is_run_eval: bool = True, eval_json_file: str = "eval_result.json"):
        super().__init__()
        self._func = eval_function
        self._period = eval_iter_period
        self._is_run_eval = is_run_eval
        self._eval_json_file = eval_json_file
        self.results: List[Tuple[Dict[str, Any], Optional[str]]] = []

    def _checkpoint_name(self) -> Optional[str]:
        for hook in self.trainer._hooks:
            if type(hook).__name__ == "CheckPointHook":
                return hook.curr_checkpoint_name
        return None

    def _do_eval(self) -> None:
        results = self._func()
        if not results or not _is_main_process():  # iMIX: evaluate everywhere, record on the main process
            return
        name = self._checkpoint_name()
        self.results.append((results, name))
        trainer = self.trainer
        record = {"iter": trainer.iter, "max_iter": trainer.max_iter, "epoch": getattr(trainer, "epoch", None),
                  "max_epoch": trainer.max_epoch, "model_name": name, **results}
        os.makedirs(trainer.work_dir, exist_ok=True)
        with open(os.path.join(trainer.work_dir, self._eval_json_file), "a", encoding="utf-8") as f:
            f.write(json.dumps(record, sort_keys=True, default=float) + "\n")
        for key, value in _flatten(results).items():
            trainer.log_buffer.put_scalar(key, value, smoothing_hint=False)

    def after_train_iter(self):
        """Evaluate every eval_iter_period iterations (not on epoch boundaries, by epoch)."""
        if not self._period:
            return
        done = self.trainer.iter + 1
        if self.trainer.by_epoch:
            if done % self._period == 0 and done % len(self.trainer.data_loader) != 0:
                self._do_eval()
        elif done % self._period == 0 or done == self.trainer.max_iter:
            self._do_eval()

    def after_train_epoch(self):
        """Evaluate at the end of every epoch unless is_run_eval is False."""
        if self._is_run_eval:
            self._do_eval()

    def after_train(self):
        """Export the best result (main process) and drop the evaluation closure."""
        if self.results and _is_main_process():
            best, name = max(self.results, key=lambda r: tuple(_flatten(r[0]).values()))
            work_dir = self.trainer.work_dir
            if name and os.path.exists(os.path.join(work_dir, name)):
                shutil.copyfile(os.path.join(work_dir, name), os.path.join(work_dir, "best_result.pth"))
            import torch

            model = getattr(self.trainer.model, "module", self.trainer.model)
            torch.save(model, os.path.join(work_dir, "model_best.pth"))
        del self._func  # as iMIX: the closure holds the organizer
