"""iMIX's ``EMAIterHook`` / ``EMAEpochHook`` (custom hooks used by DeVLBERT).

iMIX calls model methods: ``init_ema()`` once and ``update_ema()`` every
iteration; every epoch ``load_bkp_state_dict()`` then
``save_checkpoint_ema(path, epochId)``. A model without those methods gets the
same behaviour from the hook itself: an exponential moving average of its
floating-point state (``decay`` 0.9999, DeVLBERT's value), saved each epoch as
``work_dir/ema_epoch{epochId}.pth``.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Optional

from hookport.compat.imix.hook import HookBase
from hookport.registry import IMIX_HOOKS


def _unwrap(model: Any) -> Any:
    return model.module if hasattr(model, "module") else model


class _Ema:
    """A model-independent EMA of the floating-point entries of a state dict."""

    def __init__(self, model: Any, decay: float):
        self.decay = decay
        self.shadow: Dict[str, Any] = {k: v.detach().clone() for k, v in model.state_dict().items()
                                       if v.dtype.is_floating_point}

    def update(self, model: Any) -> None:
        """Blend the model's current state into the average."""
        import torch

        with torch.no_grad():
            for key, value in model.state_dict().items():
                if key in self.shadow:
                    self.shadow[key].mul_(self.decay).add_(value.detach(), alpha=1.0 - self.decay)


@IMIX_HOOKS.register_module()
class EMAIterHook(HookBase):
    """Updates the EMA weights after every iteration.

    Args:
        decay: EMA decay when the model has no ``update_ema()`` of its own.
    """

    def __init__(self, decay: float = 0.9999):
        super().__init__()
        self.decay = decay
        self.ema: Optional[_Ema] = None

    def before_train(self):
        """Initialise the EMA (the model's init_ema(), or the hook's own)."""
        model = _unwrap(self.trainer.model)
        if hasattr(model, "init_ema"):
            model.init_ema()
        else:
            self.ema = _Ema(model, self.decay)
            model.ema_state = self.ema

    def after_train_iter(self):
        """Update the EMA (the model's update_ema(), or the hook's own)."""
        model = _unwrap(self.trainer.model)
        if hasattr(model, "update_ema"):
            model.update_ema()
        else:
            self.ema.update(model)


@IMIX_HOOKS.register_module()
class EMAEpochHook(HookBase):
    """Saves the EMA weights after every epoch, counting epochs itself from 0 (``epochId``)."""

    def __init__(self):
        super().__init__()
        self.epochId = 0
        self.savePath = None

    def before_train(self):
        """Remember where to save (trainer.work_dir)."""
        self.savePath = self.trainer.work_dir

    def after_train_epoch(self):
        """Save the EMA weights of this epoch and count the epoch."""
        model = _unwrap(self.trainer.model)
        if hasattr(model, "save_checkpoint_ema"):
            model.load_bkp_state_dict()
            model.save_checkpoint_ema(self.savePath, self.epochId)
        else:
            import torch

            ema = getattr(model, "ema_state", None)
            state = ema.shadow if ema is not None else model.state_dict()
            os.makedirs(self.savePath, exist_ok=True)
            torch.save(state, os.path.join(self.savePath, f"ema_epoch{self.epochId}.pth"))
        self.epochId += 1
