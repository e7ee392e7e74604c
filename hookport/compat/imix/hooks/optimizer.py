"""iMIX's ``OptimizerHook`` / ``Fp16OptimizerHook``: backward, clipping and step in ``after_train_iter``.

In iMIX the engine's iteration only runs the forward pass and the loss; this
hook (level HIGH, so first) zeroes the gradients at the start of each
accumulation window, backpropagates ``trainer.output['loss'] /
gradient_accumulation_steps`` and steps the optimizer every
``gradient_accumulation_steps`` iterations. As in iMIX, ``output['loss']`` is
replaced by the divided loss (Fp16 leaves it alone), gradients are clipped
after every backward when ``grad_clip`` is set and ``grad_norm`` is logged
(checked against the real iMIX 0.1.0 hooks, ``tests/data/reference/imix``).

Difference, on purpose: iMIX's ``Fp16OptimizerHook`` unscales and clips after every
backward, which raises ``RuntimeError`` (``unscale_()`` twice before ``update()``) with
gradient accumulation; here it unscales and clips once per accumulation window, right
before the step (identical without accumulation).
"""
from __future__ import annotations

from typing import Any, Dict, Optional

from hookport.compat.imix.hook import HookBase, PriorityStatus
from hookport.errors import ConfigError
from hookport.registry import IMIX_HOOKS


def _clip_kwargs(grad_clip: Dict[str, Any]) -> Dict[str, Any]:
    """``clip_grad_norm_`` kwargs from iMIX's ``grad_clip`` (plain, or Pythia's ``clip_norm_mode``)."""
    cfg = dict(grad_clip)
    if "clip_norm_mode" in cfg or "max_grad_l2_norm" in cfg:
        mode = cfg.pop("clip_norm_mode", "all")
        if mode != "all":
            raise ConfigError(f"optimizer_config.grad_clip.clip_norm_mode {mode!r} is not supported (only 'all')")
        cfg.pop("use_scale", None)  # HEAD steps through a disabled GradScaler: same arithmetic as plain step
        return {"max_norm": cfg.pop("max_grad_l2_norm")}
    return cfg


@IMIX_HOOKS.register_module()
class OptimizerHook(HookBase):
    """Zero grads, backward, clip and step, with gradient accumulation.

    Args:
        grad_clip: ``clip_grad_norm_`` kwargs (``max_norm``, ``norm_type``) or None.
    """

    def __init__(self, grad_clip: Optional[Dict[str, Any]] = None):
        super().__init__()
        self._level = PriorityStatus.HIGH
        self._grad_clip = _clip_kwargs(grad_clip) if grad_clip else None

    def _is_step_iter(self) -> bool:
        return (self.trainer.iter + 1) % self.trainer.gradient_accumulation_steps == 0

    def before_train_iter(self):
        """Zero the gradients at the start of each accumulation window."""
        steps = self.trainer.gradient_accumulation_steps
        if self.trainer.iter == 0 or self.trainer.iter % steps == 0:
            self.trainer.optimizer.zero_grad()

    def _clip(self) -> None:
        import torch

        params = [p for p in self.trainer.model.parameters() if p.requires_grad and p.grad is not None]
        if params:
            norm = torch.nn.utils.clip_grad_norm_(params, **self._grad_clip)
            self.trainer.log_buffer.put_scalar("grad_norm", float(norm))

    def after_train_iter(self):
        """Backpropagate output['loss'] / steps (stored back), clip, step on window ends."""
        output = self.trainer.output
        output["loss"] = output["loss"] / self.trainer.gradient_accumulation_steps
        output["loss"].backward()
        if self._grad_clip is not None:
            self._clip()
        if self._is_step_iter():
            self.trainer.optimizer.step()


@IMIX_HOOKS.register_module()
class Fp16OptimizerHook(OptimizerHook):
    """``OptimizerHook`` with a ``GradScaler`` (config key ``fp16`` = its kwargs).

    Args:
        grad_clip: as for :class:`OptimizerHook`.
        grad_scaler_config: ``GradScaler`` kwargs (``init_scale``, ``growth_factor``, ...).
    """

    def __init__(self, grad_clip: Optional[Dict[str, Any]] = None,
                 grad_scaler_config: Optional[Dict[str, Any]] = None):
        super().__init__(grad_clip)
        self._grad_scaler_config = dict(grad_scaler_config or {})
        self._scaler = None

    def before_train(self):
        """Create the GradScaler (enabled on CUDA)."""
        import torch

        # Scaling only makes sense with CUDA autocast; on CPU the scaler is disabled (a plain step).
        enabled = torch.cuda.is_available()
        self._scaler = torch.amp.GradScaler("cuda", enabled=enabled, **self._grad_scaler_config)

    def after_train_iter(self):
        """Scaled backward of loss / steps; unscale, clip, step and update on window ends."""
        loss = self.trainer.output["loss"] / self.trainer.gradient_accumulation_steps
        self._scaler.scale(loss).backward()
        if self._is_step_iter():
            if self._grad_clip is not None:
                self._scaler.unscale_(self.trainer.optimizer)
                self._clip()
            self._scaler.step(self.trainer.optimizer)
            self._scaler.update()
