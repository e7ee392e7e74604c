"""MMCV 1.7.2's EpochBasedRunner / IterBasedRunner flow on hookport's dispatch table.

The runner exposes MMCV's attributes (``outputs``, ``log_buffer``, ``epoch``, ``iter``,
``inner_iter``, ``max_epochs``, ``max_iters``, ``data_loader``, ``optimizer``, ``model``,
``logger``, ``meta``, ``rank``, ``world_size``, ``work_dir``, ``mode``, ``timestamp``) and
methods (``current_lr()``, ``current_momentum()``, ``register_hook``, ``call_hook``,
``get_hook_info``, ``save_checkpoint``, ``resume``, ``load_checkpoint``, ``run``). The train
step is MMCV's: ``model.train_step(data_batch, optimizer)`` returns ``dict(loss, log_vars,
num_samples)`` and the OptimizerHook steps in ``after_train_iter``. Work-dir layout is MMCV's:
``<timestamp>.log``, ``<timestamp>.log.json``, ``epoch_N.pth``/``iter_N.pth`` and a relative
``latest.pth`` link at the top of ``work_dir``. Building from a config lives in
:mod:`hookport.compat.mmcv.build`.
"""
from __future__ import annotations

import os
import os.path as osp
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from hookport.compat.mmcv.checkpoint import load_checkpoint, save_checkpoint
from hookport.compat.mmcv.dist_utils import get_dist_info
from hookport.compat.mmcv.hook import MMCV_STAGES
from hookport.compat.mmcv.log_buffer import LogBuffer
from hookport.compat.mmcv.momentum_updater import read_momentum
from hookport.errors import ConfigError, HookportError
from hookport.runner.dispatch import HookTable


class BaseRunner:
    """State and hook plumbing shared by the two MMCV runners."""

    def __init__(self, model, optimizer: Any = None, work_dir: Optional[str] = None, logger: Any = None,
                 meta: Optional[dict] = None, max_iters: Optional[int] = None, max_epochs: Optional[int] = None):
        if max_epochs is not None and max_iters is not None:
            raise ConfigError("only one of max_epochs and max_iters can be set")
        if meta is not None and not isinstance(meta, dict):
            raise ConfigError(f"meta must be a dict or None, got {type(meta).__name__}")
        self.model, self.optimizer, self.logger, self.meta = model, optimizer, logger, meta
        self.work_dir = osp.abspath(work_dir) if work_dir is not None else None
        if self.work_dir is not None:
            os.makedirs(self.work_dir, exist_ok=True)
        self._model_name = type(getattr(model, "module", model)).__name__
        self._rank, self._world_size = get_dist_info()
        self.timestamp = time.strftime("%Y%m%d_%H%M%S", time.localtime())
        self.mode: Optional[str] = None
        self.hook_table = HookTable("mmcv", MMCV_STAGES)
        self._epoch = self._iter = self._inner_iter = 0
        self._max_epochs, self._max_iters = max_epochs, max_iters
        self.log_buffer = LogBuffer()
        self.outputs: Dict[str, Any] = {}
        self.data_loader: Any = None

    # -- MMCV attributes ---------------------------------------------------
    model_name = property(lambda self: self._model_name, doc="The (unwrapped) model's class name.")
    rank = property(lambda self: self._rank, doc="This process's rank.")
    world_size = property(lambda self: self._world_size, doc="Number of processes.")
    epoch = property(lambda self: self._epoch, doc="Completed epochs.")
    iter = property(lambda self: self._iter, doc="Completed training iterations.")
    inner_iter = property(lambda self: self._inner_iter, doc="Iteration within the current epoch.")
    max_epochs = property(lambda self: self._max_epochs, doc="Planned epochs.")
    max_iters = property(lambda self: self._max_iters, doc="Planned iterations.")

    @property
    def hooks(self) -> List[Any]:
        """Registered hooks in dispatch order."""
        return self.hook_table.hooks

    _hooks = hooks  # MMCV's private name, used by some legacy hooks

    def current_lr(self) -> Any:
        """Each group's lr (a dict of lists for a dict of optimizers)."""
        return self._per_group(lambda g: g["lr"], "lr")

    def current_momentum(self) -> Any:
        """Each group's momentum (``betas[0]`` for Adam-like; 0 without one)."""
        return self._per_group(lambda g: read_momentum(g) if ("momentum" in g or "betas" in g) else 0, "momentum")

    def _per_group(self, read, what: str) -> Any:
        if self.optimizer is None:
            raise HookportError(f"{what} is not applicable because the runner has no optimizer")
        if isinstance(self.optimizer, dict):
            return {name: [read(g) for g in optim.param_groups] for name, optim in self.optimizer.items()}
        return [read(g) for g in self.optimizer.param_groups]

    # -- hooks -------------------------------------------------------------
    def register_hook(self, hook: Any, priority: Any = "NORMAL") -> None:
        """Insert ``hook`` after every registered hook of equal or higher priority."""
        self.hook_table.register(hook, priority)

    def register_hook_from_cfg(self, hook_cfg: dict) -> None:
        """Build ``dict(type=..., priority=...)`` and register it (NORMAL by default)."""
        from hookport.compat.mmcv.defaults import custom_hooks

        for hook, priority in custom_hooks([hook_cfg]):
            self.register_hook(hook, priority)

    def call_hook(self, fn_name: str) -> None:
        """Call every hook acting at the MMCV mount point ``fn_name``."""
        for fn in self.hook_table.calls(fn_name):
            fn(self)

    def get_hook_info(self) -> str:
        """MMCV's per-stage hook listing."""
        return self.hook_table.info(MMCV_STAGES)

    # -- steps -------------------------------------------------------------
    def run_iter(self, data_batch: Any, train_mode: bool, **kwargs: Any) -> None:
        """One step of MMCV's protocol; log_vars go to the log buffer, the outputs to ``self.outputs``."""
        from hookport.compat.mmcv.train_step import run_step

        outputs = run_step(self.model, data_batch, self.optimizer, train_mode, **kwargs)
        if "log_vars" in outputs:
            self.log_buffer.update(outputs["log_vars"], outputs["num_samples"])
        self.outputs = outputs

    # -- checkpoints ---------------------------------------------------------
    def load_checkpoint(self, filename: str, map_location: Any = "cpu", strict: bool = False,
                        revise_keys: Sequence[Tuple[str, str]] = ((r"^module\.", ""),)) -> dict:
        """Load weights (MMCV or MMEngine checkpoint) into the model."""
        self.logger.info("load checkpoint from local path: %s", filename)
        return load_checkpoint(self.model, filename, map_location, strict, self.logger, revise_keys)

    def resume(self, checkpoint: str, resume_optimizer: bool = True, map_location: Any = "cpu") -> None:
        """Restore weights, counters, ``meta`` (hook_msgs included) and the optimizer state."""
        ckpt = self.load_checkpoint(checkpoint, map_location=map_location)
        meta = ckpt.get("meta", {})
        self._epoch, self._iter = meta.get("epoch", 0), meta.get("iter", 0)
        if self.meta is None:
            self.meta = {}
        self.meta.setdefault("hook_msgs", {}).update(meta.get("hook_msgs", {}))
        self.meta = dict(meta, hook_msgs=self.meta["hook_msgs"])
        if "optimizer" in ckpt and resume_optimizer:
            if isinstance(self.optimizer, dict):
                for name, optim in self.optimizer.items():
                    optim.load_state_dict(ckpt["optimizer"][name])
            else:
                self.optimizer.load_state_dict(ckpt["optimizer"])
        self.logger.info("resumed epoch %d, iter %d", self.epoch, self.iter)

    def _save(self, out_dir: str, filename: str, save_optimizer: bool, meta: Optional[dict],
              create_symlink: bool, counters: dict) -> str:
        if meta is None:
            meta = {}
        elif not isinstance(meta, dict):
            raise ConfigError(f"meta should be a dict or None, got {type(meta).__name__}")
        if self.meta is not None:
            meta.update(self.meta)
        meta.update(counters)
        path = osp.join(out_dir, filename)
        save_checkpoint(self.model, path, optimizer=self.optimizer if save_optimizer else None, meta=meta)
        if create_symlink:
            link = osp.join(out_dir, "latest.pth")
            if osp.lexists(link):
                os.remove(link)
            os.symlink(filename, link)  # relative, as MMCV writes it
        return path


class EpochBasedRunner(BaseRunner):
    """MMCV's epoch-based runner: ``workflow`` phases of whole epochs."""

    def train(self, data_loader: Any, **kwargs: Any) -> None:
        """One training epoch."""
        self.model.train()
        self.mode = "train"
        self.data_loader = data_loader
        self._max_iters = self._max_epochs * len(data_loader)
        self.call_hook("before_train_epoch")
        for i, data_batch in enumerate(data_loader):
            self.data_batch = data_batch
            self._inner_iter = i
            self.call_hook("before_train_iter")
            self.run_iter(data_batch, train_mode=True, **kwargs)
            self.call_hook("after_train_iter")
            del self.data_batch
            self._iter += 1
        self.call_hook("after_train_epoch")
        self._epoch += 1

    def val(self, data_loader: Any, **kwargs: Any) -> None:
        """One validation epoch (``val_step`` losses are logged)."""
        self.model.eval()
        self.mode = "val"
        self.data_loader = data_loader
        self.call_hook("before_val_epoch")
        for i, data_batch in enumerate(data_loader):
            self.data_batch = data_batch
            self._inner_iter = i
            self.call_hook("before_val_iter")
            with torch.no_grad():
                self.run_iter(data_batch, train_mode=False)
            self.call_hook("after_val_iter")
            del self.data_batch
        self.call_hook("after_val_epoch")

    def run(self, data_loaders: List[Any], workflow: List[Tuple[str, int]], **kwargs: Any) -> None:
        """Run ``workflow`` (e.g. ``[('train', 2), ('val', 1)]``) until ``max_epochs``."""
        _check_workflow(data_loaders, workflow)
        for i, (mode, _) in enumerate(workflow):
            if mode == "train":
                self._max_iters = self._max_epochs * len(data_loaders[i])
                break
        self.logger.info("Start running, work_dir: %s", self.work_dir)
        self.logger.info("Hooks will be executed in the following order:\n%s", self.get_hook_info())
        self.logger.info("workflow: %s, max: %d epochs", workflow, self._max_epochs)
        self.call_hook("before_run")
        while self.epoch < self._max_epochs:
            for i, (mode, epochs) in enumerate(workflow):
                for _ in range(epochs):
                    if mode == "train" and self.epoch >= self._max_epochs:
                        break
                    getattr(self, mode)(data_loaders[i], **kwargs)
        self.call_hook("after_run")

    def save_checkpoint(self, out_dir: str, filename_tmpl: str = "epoch_{}.pth", save_optimizer: bool = True,
                        meta: Optional[dict] = None, create_symlink: bool = True) -> str:
        """``epoch_{epoch+1}.pth`` with ``meta`` (runner meta, epoch, iter) and the ``latest.pth`` link."""
        return self._save(out_dir, filename_tmpl.format(self.epoch + 1), save_optimizer, meta, create_symlink,
                          dict(epoch=self.epoch + 1, iter=self.iter))


class IterLoader:
    """Endless iteration over a loader; ``epoch`` counts completed passes (bumped on roll-over)."""

    def __init__(self, dataloader: Any):
        self._dataloader = dataloader
        self.iter_loader = iter(dataloader)
        self._epoch = 0

    @property
    def epoch(self) -> int:
        """Completed passes."""
        return self._epoch

    def __next__(self) -> Any:
        try:
            return next(self.iter_loader)
        except StopIteration:
            self._epoch += 1
            sampler = getattr(self._dataloader, "sampler", None)
            if hasattr(sampler, "set_epoch"):
                sampler.set_epoch(self._epoch)
            self.iter_loader = iter(self._dataloader)
            return next(self.iter_loader)

    def __len__(self) -> int:
        return len(self._dataloader)


class IterBasedRunner(BaseRunner):
    """MMCV's iteration-based runner: ``workflow`` phases of iterations.

    Like MMCV it calls ``before_epoch``/``after_epoch`` once around the run (never
    ``before_train_epoch``), and ``epoch`` is the loader's pass count read *before* the
    iteration's batch is fetched, so it lags one iteration at each roll-over.
    """

    def train(self, data_loader: IterLoader, **kwargs: Any) -> None:
        """One training iteration."""
        self.model.train()
        self.mode = "train"
        self.data_loader = data_loader
        self._epoch = data_loader.epoch
        self.data_batch = next(data_loader)
        self.call_hook("before_train_iter")
        self.run_iter(self.data_batch, train_mode=True, **kwargs)
        self.call_hook("after_train_iter")
        del self.data_batch
        self._inner_iter += 1
        self._iter += 1

    def val(self, data_loader: IterLoader, **kwargs: Any) -> None:
        """One validation iteration."""
        self.model.eval()
        self.mode = "val"
        self.data_loader = data_loader
        self.data_batch = next(data_loader)
        self.call_hook("before_val_iter")
        with torch.no_grad():
            self.run_iter(self.data_batch, train_mode=False)
        self.call_hook("after_val_iter")
        del self.data_batch
        self._inner_iter += 1

    def run(self, data_loaders: List[Any], workflow: List[Tuple[str, int]], max_iters: Optional[int] = None,
            **kwargs: Any) -> None:
        """Run ``workflow`` until ``max_iters``."""
        _check_workflow(data_loaders, workflow)
        if max_iters is not None:
            self._max_iters = max_iters
        self.logger.info("Start running, work_dir: %s", self.work_dir)
        self.logger.info("Hooks will be executed in the following order:\n%s", self.get_hook_info())
        self.logger.info("workflow: %s, max: %d iters", workflow, self._max_iters)
        self.call_hook("before_run")
        loaders = [IterLoader(x) for x in data_loaders]
        self._call_generic("before_epoch")
        while self.iter < self._max_iters:
            for i, (mode, iters) in enumerate(workflow):
                self._inner_iter = 0
                for _ in range(iters):
                    if mode == "train" and self.iter >= self._max_iters:
                        break
                    getattr(self, mode)(loaders[i], **kwargs)
        self._call_generic("after_epoch")
        self.call_hook("after_run")

    def _call_generic(self, name: str) -> None:
        # MMCV calls hook.before_epoch / after_epoch directly here (not a mount point of its own).
        for hook in self.hooks:
            method = getattr(hook, name, None)
            if callable(method):
                method(self)

    def resume(self, checkpoint: str, resume_optimizer: bool = True, map_location: Any = "cpu") -> None:
        """As the epoch runner, and ``inner_iter`` continues from the resumed iteration."""
        super().resume(checkpoint, resume_optimizer, map_location)
        self._inner_iter = self._iter

    def save_checkpoint(self, out_dir: str, filename_tmpl: str = "iter_{}.pth", meta: Optional[dict] = None,
                        save_optimizer: bool = True, create_symlink: bool = True) -> str:
        """``iter_{iter+1}.pth`` and the ``latest.pth`` link; MMCV stores ``iter`` (not +1) in the meta."""
        return self._save(out_dir, filename_tmpl.format(self.iter + 1), save_optimizer, meta, create_symlink,
                          dict(epoch=self.epoch + 1, iter=self.iter))


RUNNERS = {"EpochBasedRunner": EpochBasedRunner, "IterBasedRunner": IterBasedRunner}


def _check_workflow(data_loaders: List[Any], workflow: Any) -> None:
    if not isinstance(workflow, (list, tuple)) or not all(
            isinstance(f, (list, tuple)) and len(f) == 2 and f[0] in ("train", "val") and isinstance(f[1], int)
            for f in workflow):
        raise ConfigError(f"workflow must be a list of ('train'|'val', n) pairs, got {workflow!r}")
    if len(data_loaders) != len(workflow):
        raise ConfigError(f"workflow has {len(workflow)} phases but there are {len(data_loaders)} data loaders")


__all__ = ["BaseRunner", "EpochBasedRunner", "IterBasedRunner", "IterLoader", "RUNNERS"]
