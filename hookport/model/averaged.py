"""Averaged copies of a model for EMAHook (MMEngine's averaged models plus MMDetection 3.x's ExpMomentumEMA).

Each class wraps a deep copy of the source model (``self.module``) and, every ``interval``
updates, moves each floating-point parameter (and buffer, with ``update_buffers``) towards
the source by its ``avg_func``. The first update copies the source; without
``update_buffers`` the buffers are copied every update. Registered in ``MODELS`` so
``EMAHook(ema_type=...)`` builds them by name.

``steps`` is a registered buffer (it is saved in ``ema_state_dict``); a Python mirror of it
avoids a device->host sync per update.
"""
from __future__ import annotations

import logging
import math
from copy import deepcopy
from typing import Any, Dict, Optional

import torch
from torch import Tensor, nn

from hookport.registry import MODELS


class BaseAveragedModel(nn.Module):
    """Keeps an averaged copy of ``model``.

    Args:
        model: the model to average.
        interval: average every ``interval`` updates (others only count).
        device: where to keep the copy (default: the model's device).
        update_buffers: average buffers too (else copy them).
    """

    def __init__(self, model: nn.Module, interval: int = 1, device: Optional[Any] = None,
                 update_buffers: bool = False):
        super().__init__()
        self.module = deepcopy(model).requires_grad_(False)
        self.interval = interval
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("steps", torch.tensor(0, dtype=torch.long, device=device))
        self._steps = 0
        self.update_buffers = update_buffers
        self.avg_parameters: Dict[str, Tensor] = (
            self.module.state_dict() if update_buffers else dict(self.module.named_parameters()))

    def avg_func(self, averaged_param: Tensor, source_param: Tensor, steps: int) -> None:
        """Move ``averaged_param`` towards ``source_param`` in place (``steps`` updates so far)."""
        raise NotImplementedError

    def forward(self, *args, **kwargs):
        """Run the averaged copy."""
        return self.module(*args, **kwargs)

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """One update from ``model``'s current weights."""
        source = model.state_dict() if self.update_buffers else dict(model.named_parameters())
        steps = self._steps
        if steps == 0:
            for key, avg in self.avg_parameters.items():
                avg.data.copy_(source[key].data)
        elif steps % self.interval == 0:
            for key, avg in self.avg_parameters.items():
                if avg.dtype.is_floating_point:
                    self.avg_func(avg.data, source[key].data.to(avg.device), steps)
        if not self.update_buffers:
            for avg_buffer, src_buffer in zip(self.module.buffers(), model.buffers()):
                avg_buffer.data.copy_(src_buffer.data.to(avg_buffer.device))
        self.steps.add_(1)
        self._steps = steps + 1

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        key = prefix + "steps"
        if key in state_dict:  # keep the Python mirror in step with a loaded counter
            self._steps = int(state_dict[key])


@MODELS.register_module()
class StochasticWeightAverage(BaseAveragedModel):
    """Uniform average of every ``interval``-th model: ``avg += (src - avg) / (steps // interval + 1)``."""

    def avg_func(self, averaged_param: Tensor, source_param: Tensor, steps: int) -> None:
        """Running mean update."""
        averaged_param.add_(source_param - averaged_param, alpha=1 / float(steps // self.interval + 1))


@MODELS.register_module()
class ExponentialMovingAverage(BaseAveragedModel):
    """``avg = (1 - momentum) * avg + momentum * src`` (MMEngine's convention: momentum is small).

    Args:
        momentum: weight of the new value, in (0, 1); default 0.0002.
    """

    def __init__(self, model: nn.Module, momentum: float = 0.0002, interval: int = 1,
                 device: Optional[Any] = None, update_buffers: bool = False):
        super().__init__(model, interval, device, update_buffers)
        if not 0.0 < momentum < 1.0:
            from hookport.errors import ConfigError

            raise ConfigError(f"{type(self).__name__}: momentum must be in (0, 1), got {momentum}")
        if momentum > 0.5:  # a common slip: MMCV-style "0.9998" instead of MMEngine's "0.0002"
            logging.getLogger("hookport").warning(
                "EMA momentum is the weight of the new value and is usually small (e.g. 0.0002), "
                "got %s; check that it is not the decay (1 - momentum)", momentum)
        self.momentum = momentum

    def avg_func(self, averaged_param: Tensor, source_param: Tensor, steps: int) -> None:
        """Linear interpolation by ``momentum``."""
        averaged_param.lerp_(source_param, self.momentum)


@MODELS.register_module()
class MomentumAnnealingEMA(ExponentialMovingAverage):
    """EMA whose momentum starts high and anneals: ``max(momentum, gamma / (gamma + steps))``.

    Args:
        gamma: annealing speed (> 0); default 100.
    """

    def __init__(self, model: nn.Module, momentum: float = 0.0002, gamma: int = 100, interval: int = 1,
                 device: Optional[Any] = None, update_buffers: bool = False):
        super().__init__(model, momentum=momentum, interval=interval, device=device, update_buffers=update_buffers)
        if gamma <= 0:
            from hookport.errors import ConfigError

            raise ConfigError(f"MomentumAnnealingEMA: gamma must be > 0, got {gamma}")
        self.gamma = gamma

    def avg_func(self, averaged_param: Tensor, source_param: Tensor, steps: int) -> None:
        """Interpolation by the annealed momentum."""
        averaged_param.lerp_(source_param, max(self.momentum, self.gamma / (self.gamma + steps)))


@MODELS.register_module()
class ExpMomentumEMA(ExponentialMovingAverage):
    """MMDetection 3.x's EMA: momentum ``(1 - m) * exp(-(1 + steps) / gamma) + m`` (YOLOX).

    Args:
        momentum: the final momentum ``m``; default 0.0002.
        gamma: decay length in updates; default 2000.
    """

    def __init__(self, model: nn.Module, momentum: float = 0.0002, gamma: int = 2000, interval: int = 1,
                 device: Optional[Any] = None, update_buffers: bool = False):
        super().__init__(model, momentum=momentum, interval=interval, device=device, update_buffers=update_buffers)
        if gamma <= 0:
            from hookport.errors import ConfigError

            raise ConfigError(f"ExpMomentumEMA: gamma must be > 0, got {gamma}")
        self.gamma = gamma

    def avg_func(self, averaged_param: Tensor, source_param: Tensor, steps: int) -> None:
        """``avg = (1 - mom) * avg + mom * src`` with the exponentially decaying momentum."""
        momentum = (1 - self.momentum) * math.exp(-float(1 + steps) / self.gamma) + self.momentum
        averaged_param.mul_(1 - momentum).add_(source_param, alpha=momentum)
