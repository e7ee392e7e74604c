"""EMAHook: keeps an averaged copy of the model, validates/tests with it and saves it."""
from __future__ import annotations

import copy
import itertools
from typing import Any, Dict, Optional

from hookport.errors import ConfigError
from hookport.hooks.hook import Hook
from hookport.registry import HOOKS, MODELS


def unwrap_model(model: Any) -> Any:
    """The model inside a DistributedDataParallel/DataParallel wrapper (or the model itself)."""
    inner = getattr(model, "module", None)
    if inner is not None and type(model).__name__ in ("DistributedDataParallel", "DataParallel",
                                                      "MMDistributedDataParallel"):
        return inner
    return model


@HOOKS.register_module()
class EMAHook(Hook):
    """Exponential (or other) moving average of the model weights (MMEngine's EMAHook, priority NORMAL).

    The averaged model is built in ``before_run`` as ``MODELS.build(dict(type=ema_type, model=...,
    **kwargs))``. It is updated after every train iteration once training reaches
    ``begin_iter``/``begin_epoch`` (before that it tracks the model exactly). Its weights are
    swapped into the model for validation and testing, and checkpoints store the averaged
    weights as ``state_dict`` and the raw ones as ``ema_state_dict`` (``module.``-prefixed),
    swapped back on load -- MMEngine's layout, so a checkpoint's ``state_dict`` is the EMA model.

    Args:
        ema_type: ``ExponentialMovingAverage``, ``MomentumAnnealingEMA``,
            ``StochasticWeightAverage``, ``ExpMomentumEMA`` or any registered averaged model.
        strict_load: strict key matching when loading ``ema_state_dict``.
        begin_iter / begin_epoch: start averaging at this iteration / epoch (not both).
        **kwargs: passed to the averaged model (``momentum``, ``interval``, ``gamma``,
            ``update_buffers``...).
    """

    priority = "NORMAL"

    def __init__(self, ema_type: str = "ExponentialMovingAverage", strict_load: bool = False,
                 begin_iter: int = 0, begin_epoch: int = 0, **kwargs):
        if begin_iter != 0 and begin_epoch != 0:
            raise ConfigError("EMAHook: set begin_iter or begin_epoch, not both")
        if begin_iter < 0 or begin_epoch < 0:
            raise ConfigError(f"EMAHook: begin_iter and begin_epoch must be >= 0, got {begin_iter}, {begin_epoch}")
        self.strict_load = strict_load
        self.ema_cfg = dict(type=ema_type, **kwargs)
        self.begin_iter = begin_iter
        self.begin_epoch = begin_epoch
        self.enabled_by_epoch = begin_epoch > 0
        self.src_model: Any = None
        self.ema_model: Any = None

    def before_run(self, runner) -> None:
        """Build the averaged copy of the (unwrapped) model."""
        self.src_model = unwrap_model(runner.model)
        self.ema_model = MODELS.build(self.ema_cfg, default_args=dict(model=self.src_model))

    def before_train(self, runner) -> None:
        """Check that averaging starts within the run."""
        if self.enabled_by_epoch and self.begin_epoch > runner.max_epochs:
            raise ConfigError(f"EMAHook: begin_epoch ({self.begin_epoch}) is after the last epoch "
                              f"({runner.max_epochs})")
        if not self.enabled_by_epoch and self.begin_iter > runner.max_iters:
            raise ConfigError(f"EMAHook: begin_iter ({self.begin_iter}) is after the last iteration "
                              f"({runner.max_iters})")

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Update the average (or, before it starts, copy the model)."""
        if self._ema_started(runner):
            self.ema_model.update_parameters(self.src_model)
        else:
            import torch

            with torch.no_grad():
                source = self.src_model.state_dict()
                for key, param in self.ema_model.module.state_dict().items():
                    param.copy_(source[key])

    def before_val_epoch(self, runner) -> None:
        """Validate with the averaged weights."""
        self._swap_ema_parameters()

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, Any]] = None) -> None:
        """Restore the trained weights."""
        self._swap_ema_parameters()

    def before_test_epoch(self, runner) -> None:
        """Test with the averaged weights."""
        self._swap_ema_parameters()

    def after_test_epoch(self, runner, metrics: Optional[Dict[str, Any]] = None) -> None:
        """Restore the trained weights."""
        self._swap_ema_parameters()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Store the averaged model as ``ema_state_dict``, then swap it with ``state_dict``."""
        checkpoint["ema_state_dict"] = self.ema_model.state_dict()
        self._swap_ema_state_dict(checkpoint)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Resume the average from ``ema_state_dict``; when loading weights, start it from them."""
        resuming = bool(getattr(runner, "_resume", False))
        if "ema_state_dict" in checkpoint and resuming:
            # The checkpoint's state_dict holds EMA weights: swap back before loading.
            self._swap_ema_state_dict(checkpoint)
            self.ema_model.load_state_dict(checkpoint["ema_state_dict"], strict=self.strict_load)
            return
        if resuming:
            runner.logger.warning("There is no `ema_state_dict` in checkpoint. `EMAHook` will make a copy of "
                                  "`state_dict` as the initial `ema_state_dict`")
        from hookport.runner.checkpoint import state_dict_from_checkpoint, strip_prefix

        weights = strip_prefix(copy.deepcopy(state_dict_from_checkpoint(checkpoint)))
        self.ema_model.module.load_state_dict(weights, strict=self.strict_load)

    def _swap_ema_parameters(self) -> None:
        import torch

        if self.ema_model.update_buffers:
            avg = itertools.chain(self.ema_model.module.parameters(), self.ema_model.module.buffers())
            src = itertools.chain(self.src_model.parameters(), self.src_model.buffers())
        else:
            avg, src = self.ema_model.module.parameters(), self.src_model.parameters()
        with torch.no_grad():
            for p_avg, p_src in zip(avg, src):
                tmp = p_avg.data.clone()
                p_avg.data.copy_(p_src.data)
                p_src.data.copy_(tmp)

    @staticmethod
    def _swap_ema_state_dict(checkpoint: dict) -> None:
        model_state = checkpoint["state_dict"]
        ema_state = checkpoint["ema_state_dict"]
        for key in ema_state:
            if key.startswith("module."):
                ema_state[key], model_state[key[7:]] = model_state[key[7:]], ema_state[key]

    def _ema_started(self, runner) -> bool:
        if self.enabled_by_epoch:
            return runner.epoch + 1 >= self.begin_epoch
        return runner.iter + 1 >= self.begin_iter
