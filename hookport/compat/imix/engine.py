"""Assembling iMIX training from a config (iMIX's ``Organizer`` + ``imixEngine``).

:class:`ImixEngine` builds the model (``MODELS``), the optimizer (torch
optimizers by name), the train loader from
``train_data=dict(samples_per_gpu, workers_per_gpu, data=dict(type=...))``, the
LR policy from ``lr_config``, the checkpointer, the evaluation closure over
``test_data`` (metrics from ``post_processor=dict(type='Evaluator', metrics=[...])``,
accuracy by default), the hooks in iMIX's order and the trainer view; then
:meth:`train` runs :class:`~hookport.compat.imix.loop.ImixLoop`.

The forward pass follows iMIX's ``run_train_iter`` for hookport models: the
model's losses are averaged and summed (``total_loss``), and ``output['loss']``
is the tensor ``OptimizerHook`` backpropagates. Resume (``resume_from`` or
``--resume``) restores model, optimizer and LR policy and continues where the
checkpoint left off: by epoch at the next epoch, by iteration at the next iteration.
"""
from __future__ import annotations

import copy
import logging
from typing import Any, Dict, Optional, Tuple

import torch

from hookport.compat.imix.build import all_hooks, settings
from hookport.compat.imix.checkpointer import ImixCheckpointer
from hookport.compat.imix.dialect import table_of
from hookport.compat.imix.hook import attach
from hookport.compat.imix.loop import ImixLoop
from hookport.compat.imix.lr_policies import ConstantSchedule, build_policy
from hookport.compat.imix.trainer import Organizer, TrainerView
from hookport.errors import ConfigError
from hookport.registry import MODELS, OPTIMIZERS, apply_custom_imports
from hookport.runner.data import build_dataloader
from hookport.runner.model import parse_losses, run_forward

logger = logging.getLogger("hookport.imix")

# iMIX optimizer keys that its own constructors read; the plain torch optimizers here do not take them.
_IMIX_OPTIMIZER_KEYS = ("training_encoder_lr_multiply",)


def _loader(data_cfg: Any, name: str, shuffle: bool, seed: Optional[int], where: Optional[str]) -> Any:
    if not isinstance(data_cfg, dict) or "data" not in data_cfg:
        raise ConfigError(f"{name} must be dict(samples_per_gpu=..., workers_per_gpu=..., data=dict(type=...))",
                          file=where)
    cfg = {"dataset": copy.deepcopy(dict(data_cfg["data"])), "batch_size": data_cfg.get("samples_per_gpu", 1),
           "num_workers": data_cfg.get("workers_per_gpu", 0),
           "sampler": dict(type="DefaultSampler", shuffle=shuffle)}
    return build_dataloader(cfg, seed=seed)


def _optimizer(cfg: Any, model: Any, where: Optional[str]) -> Any:
    opt_cfg = cfg.get("optimizer")
    if not isinstance(opt_cfg, dict) or "type" not in opt_cfg:
        raise ConfigError("optimizer=dict(type=..., lr=...) is required", file=where)
    opt_cfg = {k: v for k, v in dict(opt_cfg).items() if k not in _IMIX_OPTIMIZER_KEYS}
    if "constructor" in opt_cfg or "paramwise_cfg" in opt_cfg:
        raise ConfigError("optimizer.constructor / paramwise_cfg (iMIX model-specific constructors) "
                          "are not supported", file=where)
    return OPTIMIZERS.build(opt_cfg, default_args={"params": model.parameters()})


def _forward(model: Any, mixed_precision: bool = False):
    mode = "loss" if callable(getattr(model, "train_step", None)) else None
    # iMIX runs the forward pass under CUDA autocast when the config has `fp16`.
    use_amp = mixed_precision and any(p.is_cuda for p in model.parameters())

    def forward(batch: Any) -> Tuple[Any, Dict[str, Any]]:
        """iMIX's run_train_iter for one batch: the model's output and the loss dict (``'loss'`` to
        backpropagate, ``total_loss`` and each loss, averaged)."""
        with torch.autocast("cuda", enabled=use_amp):
            model_output = run_forward(model, batch, mode=mode)
        loss, log_vars = parse_losses(model_output)
        output: Dict[str, Any] = {k: v for k, v in log_vars.items() if k != "loss"}
        output["total_loss"] = log_vars["loss"]
        output["loss"] = loss
        return model_output, output

    return forward


class ImixEngine:
    """An iMIX training run assembled from ``cfg``.

    Args:
        cfg: the config (iMIX keys, see ``docs/imix.md``).
        work_dir: overrides ``cfg.work_dir``.
        resume_from: a checkpoint to resume from (else ``cfg.resume_from``).
    """

    def __init__(self, cfg: Any, work_dir: Optional[str] = None, resume_from: Optional[str] = None,
                 model: Any = None, main_process: bool = True, table: Any = None):
        where = getattr(cfg, "filename", None)
        apply_custom_imports(cfg)
        self.cfg = cfg
        self.work_dir = work_dir or cfg.get("work_dir") or "./work_dirs"
        seed = cfg.get("seed")
        if model is None:
            if seed is not None:
                torch.manual_seed(seed)
            model_cfg = cfg.get("model")
            if not isinstance(model_cfg, dict):
                raise ConfigError("model=dict(type=...) is required", file=where)
            model = MODELS.build(copy.deepcopy(dict(model_cfg)))
        self.model = model
        self.model.train()
        self.data_loader = _loader(cfg.get("train_data"), "train_data", True, seed, where)
        self.test_loader = None
        if cfg.get("test_data") is not None:
            self.test_loader = _loader(cfg.get("test_data"), "test_data", False, seed, where)
        self.optimizer = _optimizer(cfg, self.model, where)
        lr_config = cfg.get("lr_config")
        self.scheduler = (build_policy(lr_config, self.optimizer, where) if lr_config
                          else ConstantSchedule(self.optimizer))
        self.checkpointer = ImixCheckpointer(self.model, self.work_dir, optimizer=self.optimizer,
                                             scheduler=self.scheduler)
        self.settings = settings(cfg, len(self.data_loader), where)
        self.organizer = Organizer(scheduler=self.scheduler, checkpointer=self.checkpointer, test=self._test)
        self.hooks = all_hooks(cfg, self.settings, where=where, main_process=main_process, optimizer=self.optimizer,
                               scheduler=self.scheduler, checkpointer=self.checkpointer, eval_function=self._evaluate,
                               work_dir=self.work_dir)
        self.organizer.hooks[:] = self.hooks
        self.table = table_of(self.hooks, table)
        st = self.settings
        self.trainer = TrainerView(model=self.model, optimizer=self.optimizer, data_loader=self.data_loader,
                                   cfg=cfg, work_dir=self.work_dir, by_epoch=st.by_epoch, max_iter=st.max_iter,
                                   max_epoch=st.max_epoch, gradient_accumulation_steps=st.gradient_accumulation_steps,
                                   is_lr_accumulation=st.is_lr_accumulation, organizer=self.organizer, logger=logger)
        for hook in self.hooks:
            attach(hook, self.trainer)
        resume = resume_from or cfg.get("resume_from")
        if resume:
            self.resume(resume)

    # -- evaluation (iMIX's Organizer.test and the EvaluateHook closure) ------
    def _test(self, cfg: Any = None, model: Any = None) -> Dict[str, Any]:
        from hookport.evaluation.evaluator import build_evaluator

        model = model or self.model
        spec = self.cfg.get("post_processor") or {"type": "Evaluator", "metrics": [{"type": "Accuracy"}]}
        evaluator = build_evaluator(copy.deepcopy(dict(spec)))
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                for batch in self.test_loader:
                    evaluator.process(run_forward(model, batch, mode="predict"), batch)
            return evaluator.evaluate(len(self.test_loader.dataset))
        finally:
            model.train(was_training)

    def _evaluate(self) -> Dict[str, Any]:
        results = self.organizer.test(self.cfg, self.model)
        self.organizer._last_eval_results = results
        return results

    # -- resume / train -----------------------------------------------------
    def resume(self, path: str) -> None:
        """Restore ``path``; continue after the epoch or iteration it was saved at."""
        extra = self.checkpointer.load(path)
        if extra.get("by_epoch"):
            self.trainer.start_iter = extra["epoch_iter"]
            self.trainer.start_epoch = extra["epoch"] + 1
        else:
            self.trainer.start_iter = extra.get("iteration", -1) + 1
        logger.info("resumed from %s: start_iter=%d start_epoch=%d", path, self.trainer.start_iter,
                    self.trainer.start_epoch)

    def train(self) -> None:
        """Run training (iMIX's ``imixEngine.train``)."""
        ImixLoop(self.trainer, self.table, _forward(self.model, "fp16" in self.cfg)).run()
