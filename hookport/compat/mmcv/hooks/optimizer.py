"""MMCV's optimizer hooks: backward, clip and step run in ``after_train_iter`` (ABOVE_NORMAL).

So a hook at a higher priority can still edit ``runner.outputs['loss']``, and one at NORMAL
still sees this iteration's gradients (they are zeroed at the start of the next call).
"""
from __future__ import annotations

import logging
import warnings
from typing import Any, Optional

from hookport.compat.mmcv.hook import Hook
from hookport.errors import ConfigError
from hookport.hooks.arguments import require_positive_ints
from hookport.registry import MMCV_HOOKS


@MMCV_HOOKS.register_module()
class OptimizerHook(Hook):
    """zero_grad -> backward -> clip (``grad_clip=dict(max_norm, norm_type)``) -> step.

    Args:
        grad_clip: arguments of ``torch.nn.utils.clip_grad_norm_``, or None.
        detect_anomalous_params: log parameters that are not in the loss's autograd graph.
    """

    def __init__(self, grad_clip: Optional[dict] = None, detect_anomalous_params: bool = False):
        if grad_clip is not None and not isinstance(grad_clip, dict):
            raise ConfigError(f"{type(self).__name__}: grad_clip must be a dict(max_norm=..., norm_type=...) or None, "
                              f"got {grad_clip!r}")
        self.grad_clip = grad_clip
        self.detect_anomalous_params = detect_anomalous_params

    def clip_grads(self, params) -> Any:
        """Clip the gradients of ``params`` that have one; return the total norm (None if none)."""
        from torch.nn.utils import clip_grad_norm_

        params = [p for p in params if p.requires_grad and p.grad is not None]
        if params:
            return clip_grad_norm_(params, **self.grad_clip)
        return None

    def _log_grad_norm(self, runner) -> None:
        grad_norm = self.clip_grads(runner.model.parameters())
        if grad_norm is not None:
            runner.log_buffer.update({"grad_norm": float(grad_norm)}, runner.outputs["num_samples"])

    def after_train_iter(self, runner) -> None:
        """Update the parameters from ``runner.outputs['loss']``."""
        runner.optimizer.zero_grad()
        if self.detect_anomalous_params:
            self.detect_anomalous_parameters(runner.outputs["loss"], runner)
        runner.outputs["loss"].backward()
        if self.grad_clip is not None:
            self._log_grad_norm(runner)
        runner.optimizer.step()

    def detect_anomalous_parameters(self, loss, runner) -> None:
        """Log the names of trainable parameters the loss does not depend on."""
        logger = getattr(runner, "logger", logging.getLogger("hookport"))
        reached, stack = set(), [loss.grad_fn]
        while stack:
            fn = stack.pop()
            if fn is None or fn in reached:
                continue
            reached.add(fn)
            if hasattr(fn, "variable"):
                reached.add(fn.variable)
            stack.extend(parent for parent, _ in fn.next_functions)
        for name, param in runner.model.named_parameters():
            if param.requires_grad and param not in reached:
                logger.log(logging.ERROR, f"{name} with shape {param.size()} is not in the computational graph \n")


@MMCV_HOOKS.register_module()
class GradientCumulativeOptimizerHook(OptimizerHook):
    """Accumulate gradients over ``cumulative_iters`` iterations (loss divided by it).

    The last, incomplete group of a run divides by its own length, as MMCV does.
    """

    def __init__(self, cumulative_iters: int = 1, **kwargs):
        require_positive_ints(type(self).__name__, cumulative_iters=cumulative_iters)
        super().__init__(**kwargs)
        self.cumulative_iters = cumulative_iters
        self.divisible_iters = 0
        self.remainder_iters = 0
        self.initialized = False

    @staticmethod
    def has_batch_norm(module) -> bool:
        """Whether ``module`` contains a batch-norm layer (accumulation changes its statistics)."""
        from torch.nn.modules.batchnorm import _BatchNorm

        return any(isinstance(m, _BatchNorm) for m in module.modules())

    def _init(self, runner) -> None:
        if runner.iter % self.cumulative_iters != 0:
            runner.logger.warning("Resume iter number is not divisible by cumulative_iters in "
                                  "GradientCumulativeOptimizerHook, which means the gradient of some iters is lost "
                                  "and the result may be influenced slightly.")
        if self.has_batch_norm(runner.model) and self.cumulative_iters > 1:
            runner.logger.warning("GradientCumulativeOptimizerHook may slightly decrease performance if the model "
                                  "has BatchNorm layers.")
        residual = runner.max_iters - runner.iter
        self.divisible_iters = residual // self.cumulative_iters * self.cumulative_iters
        self.remainder_iters = residual - self.divisible_iters
        if self.remainder_iters > 0:
            runner.logger.warning(f"Loss will be divided by {self.remainder_iters} in the last {self.remainder_iters} "
                                  f"iterations because they are not enough for {self.cumulative_iters} "
                                  f"cumulative_iters.")
        self.initialized = True

    def _loss_factor(self, runner) -> int:
        return self.cumulative_iters if runner.iter < self.divisible_iters else self.remainder_iters

    def _should_step(self, runner) -> bool:
        return self.every_n_iters(runner, self.cumulative_iters) or self.is_last_iter(runner)

    def after_train_iter(self, runner) -> None:
        """Backward the scaled loss; step and zero every ``cumulative_iters`` (and at the end)."""
        if not self.initialized:
            self._init(runner)
        loss = runner.outputs["loss"] / self._loss_factor(runner)
        loss.backward()
        if self._should_step(runner):
            if self.grad_clip is not None:
                self._log_grad_norm(runner)
            runner.optimizer.step()
            runner.optimizer.zero_grad()


class _Fp16Mixin:
    """Loss scaling with ``torch.amp``: CUDA float16 with a GradScaler; CPU falls back to bfloat16."""

    def _setup_fp16(self, loss_scale: Any, coalesce: bool, bucket_size_mb: int, distributed: bool) -> None:
        self.coalesce, self.bucket_size_mb, self.distributed = coalesce, bucket_size_mb, distributed
        if not (loss_scale == "dynamic" or isinstance(loss_scale, (float, dict))):
            raise ConfigError(f"{type(self).__name__}: loss_scale must be a float, a dict or 'dynamic', "
                              f"got {loss_scale!r}")
        self.loss_scale = loss_scale
        self._scale_update_param = loss_scale if isinstance(loss_scale, float) else None
        self.loss_scaler: Any = None

    def _build_scaler(self, runner) -> None:
        import torch

        cuda = torch.cuda.is_available() and any(p.is_cuda for p in runner.model.parameters())
        if not cuda:
            warnings.warn(f"{type(self).__name__}: no CUDA device; training in bfloat16 autocast on the CPU "
                          f"without loss scaling", UserWarning, stacklevel=2)
        if isinstance(self.loss_scale, float):
            kwargs = dict(init_scale=self.loss_scale)
        elif isinstance(self.loss_scale, dict):
            kwargs = dict(self.loss_scale)
        else:
            kwargs = {}
        self.loss_scaler = torch.amp.GradScaler("cuda" if cuda else "cpu", enabled=cuda, **kwargs)
        from hookport.compat.mmcv.fp16 import wrap_fp16_model

        wrap_fp16_model(runner.model)
        meta = getattr(runner, "meta", None) or {}
        if "loss_scaler" in meta.get("fp16", {}):
            self.loss_scaler.load_state_dict(meta["fp16"]["loss_scaler"])

    def before_run(self, runner) -> None:
        """Build the scaler, switch ``fp16_enabled`` on, restore a resumed scale."""
        self._build_scaler(runner)

    def _scaled_step(self, runner) -> None:
        """Unscale, clip (and log the norm), step through the scaler, record its state."""
        self.loss_scaler.unscale_(runner.optimizer)
        if self.grad_clip is not None:
            self._log_grad_norm(runner)
        self.loss_scaler.step(runner.optimizer)
        self.loss_scaler.update(self._scale_update_param)
        runner.meta.setdefault("fp16", {})["loss_scaler"] = self.loss_scaler.state_dict()


@MMCV_HOOKS.register_module()
class Fp16OptimizerHook(_Fp16Mixin, OptimizerHook):
    """Mixed precision: scaled backward, unscale, clip, scaler step (MMCV's torch>=1.6 path).

    Args:
        loss_scale: a float (static), ``'dynamic'`` or a dict of GradScaler arguments.
        coalesce, bucket_size_mb, distributed: accepted for compatibility (DDP syncs gradients).
    """

    def __init__(self, grad_clip: Optional[dict] = None, coalesce: bool = True, bucket_size_mb: int = -1,
                 loss_scale: Any = 512.0, distributed: bool = True):
        super().__init__(grad_clip=grad_clip)
        self._setup_fp16(loss_scale, coalesce, bucket_size_mb, distributed)

    def after_train_iter(self, runner) -> None:
        """Scaled backward and step."""
        runner.model.zero_grad()
        runner.optimizer.zero_grad()
        self.loss_scaler.scale(runner.outputs["loss"]).backward()
        self._scaled_step(runner)


@MMCV_HOOKS.register_module()
class GradientCumulativeFp16OptimizerHook(_Fp16Mixin, GradientCumulativeOptimizerHook):
    """Gradient accumulation with mixed precision."""

    def __init__(self, cumulative_iters: int = 1, loss_scale: Any = 512.0, grad_clip: Optional[dict] = None,
                 coalesce: bool = True, bucket_size_mb: int = -1, distributed: bool = True, **kwargs):
        super().__init__(cumulative_iters=cumulative_iters, grad_clip=grad_clip, **kwargs)
        self._setup_fp16(loss_scale, coalesce, bucket_size_mb, distributed)

    def after_train_iter(self, runner) -> None:
        """Scaled backward of the divided loss; scaler step every ``cumulative_iters``."""
        if not self.initialized:
            self._init(runner)
        loss = runner.outputs["loss"] / self._loss_factor(runner)
        self.loss_scaler.scale(loss).backward()
        if self._should_step(runner):
            self._scaled_step(runner)
            runner.model.zero_grad()
            runner.optimizer.zero_grad()
