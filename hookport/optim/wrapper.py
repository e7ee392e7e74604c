"""Optimizer wrappers: one object that owns backward, clipping, accumulation and stepping.

:class:`OptimWrapper` follows MMEngine 0.10.7: ``update_params(loss)`` scales the
loss for gradient accumulation, back-propagates, and steps/zeroes every
``accumulative_counts`` calls. When the run's length is not a multiple of
``accumulative_counts`` the last, incomplete group divides its losses by the
remainder instead and still steps at the very last iteration
(``initialize_count_status`` tells the wrapper where the run starts and ends).
:class:`AmpOptimWrapper` adds ``torch.autocast`` around the forward
(``optim_context``): float16 with a GradScaler on CUDA, bfloat16 on CPU.
"""
from __future__ import annotations

import contextlib
import logging
from operator import itemgetter
from typing import Any, ContextManager, Dict, Iterator, List, Optional, Union

import torch
from torch import nn

from hookport.errors import ConfigError
from hookport.registry import OPTIM_WRAPPERS

logger = logging.getLogger("hookport")

#: What ``OptimWrapper.optim_context`` returns when there is nothing to do: train steps compare
#: with it to skip entering a no-op context every iteration.
NO_CONTEXT = contextlib.nullcontext()
_LR = itemgetter("lr")
_CLIP_FUNCS = {"norm": torch.nn.utils.clip_grad_norm_, "value": torch.nn.utils.clip_grad_value_}


@OPTIM_WRAPPERS.register_module()
class OptimWrapper:
    """Wrap a ``torch.optim.Optimizer`` (MMEngine's ``OptimWrapper``).

    Args:
        optimizer: the optimizer.
        accumulative_counts: gradients of this many calls are accumulated per step.
        clip_grad: ``dict(type='norm'|'value', **kwargs of clip_grad_norm_/clip_grad_value_)``.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, accumulative_counts: int = 1,
                 clip_grad: Optional[dict] = None):
        if not isinstance(accumulative_counts, int) or accumulative_counts < 1:
            raise ConfigError(f"accumulative_counts must be a positive int, got {accumulative_counts!r}")
        self.optimizer = optimizer
        self._accumulative_counts = accumulative_counts
        self.clip_grad_kwargs: Dict[str, Any] = {}
        self.clip_type: Optional[str] = None
        if clip_grad:
            kwargs = dict(clip_grad)
            self.clip_type = kwargs.pop("type", "norm")
            if self.clip_type not in _CLIP_FUNCS:
                raise ConfigError(f"clip_grad type must be 'norm' or 'value', got {self.clip_type!r}")
            self.clip_grad_kwargs = kwargs
            self._clip_func = _CLIP_FUNCS[self.clip_type]
        # Set by the runner; receives ``train/grad_norm`` when clipping by norm.
        self.message_hub = None
        self._inner_count = 0
        self._max_counts = -1
        self._remainder_counts = -1

    # -- the step --------------------------------------------------------
    def update_params(self, loss: torch.Tensor, step_kwargs: Optional[dict] = None,
                      zero_kwargs: Optional[dict] = None) -> None:
        """Scale, back-propagate, and step + zero when an accumulation group is complete."""
        self.backward(self.scale_loss(loss))
        if self.should_update():
            # No empty kwargs dicts built and unpacked every iteration.
            if step_kwargs:
                self.step(**step_kwargs)
            else:
                self.step()
            if zero_kwargs:
                self.zero_grad(**zero_kwargs)
            else:
                self.zero_grad()

    def scale_loss(self, loss: torch.Tensor) -> torch.Tensor:
        """Divide ``loss`` by the size of the accumulation group it belongs to."""
        if self._accumulative_counts == 1:
            return loss
        if self._max_counts == -1:
            return loss / self._accumulative_counts
        if self._inner_count < self._max_counts - self._remainder_counts:
            return loss / self._accumulative_counts
        return loss / self._remainder_counts

    def backward(self, loss: torch.Tensor, **kwargs: Any) -> None:
        """``loss.backward()`` and count the call."""
        loss.backward(**kwargs)
        self._inner_count += 1

    def step(self, **kwargs: Any) -> None:
        """Clip gradients if configured, then ``optimizer.step()``."""
        if self.clip_grad_kwargs:
            self._clip_grad()
        self.optimizer.step(**kwargs)

    def zero_grad(self, **kwargs: Any) -> None:
        """``optimizer.zero_grad()``."""
        self.optimizer.zero_grad(**kwargs)

    def _clip_grad(self) -> None:
        params = [p for group in self.optimizer.param_groups for p in group["params"]
                  if p.requires_grad and p.grad is not None]
        if not params:
            return
        norm = self._clip_func(params, **self.clip_grad_kwargs)
        if self.clip_type == "norm" and self.message_hub is not None:
            self.message_hub.update_scalar("train/grad_norm", float(norm))

    # -- accumulation bookkeeping ----------------------------------------
    def initialize_count_status(self, model: nn.Module, init_counts: int, max_counts: int) -> None:
        """Tell the wrapper the run starts at ``init_counts`` and ends at ``max_counts`` calls."""
        self._inner_count = init_counts
        self._max_counts = max_counts
        if init_counts % self._accumulative_counts:
            logger.warning("resumed iteration %d is not a multiple of accumulative_counts=%d: the "
                           "gradients of the interrupted group are lost", init_counts, self._accumulative_counts)
        if self._accumulative_counts > 1 and any(
                isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules()):
            logger.warning("gradient accumulation with BatchNorm layers may slightly decrease performance")
        self._remainder_counts = max_counts % self._accumulative_counts

    def should_update(self) -> bool:
        """True when this call completes an accumulation group (or is the run's last)."""
        return self._inner_count % self._accumulative_counts == 0 or self._inner_count == self._max_counts

    def should_sync(self) -> bool:
        """True when the coming backward must all-reduce gradients (DDP)."""
        nxt = self._inner_count + 1
        return nxt % self._accumulative_counts == 0 or nxt == self._max_counts

    def optim_context(self, model: nn.Module) -> ContextManager:
        """Around the forward: skip DDP gradient sync while accumulating.

        A plain method returning a context manager (not a generator-based one): it runs every
        iteration, and the common case is a shared no-op.
        """
        if not self.should_sync() and hasattr(model, "no_sync"):
            return model.no_sync()
        return NO_CONTEXT

    # -- introspection ---------------------------------------------------
    @property
    def inner_count(self) -> int:
        """How many ``backward`` calls the wrapper has seen."""
        return self._inner_count

    @property
    def param_groups(self) -> List[dict]:
        """The optimizer's parameter groups."""
        return self.optimizer.param_groups

    @property
    def defaults(self) -> dict:
        """The optimizer's defaults."""
        return self.optimizer.defaults

    def get_lr(self) -> Dict[str, List[float]]:
        """``{'lr': [lr of each group]}``."""
        return {"lr": list(map(_LR, self.optimizer.param_groups))}  # no comprehension frame: runs every iteration

    def get_momentum(self) -> Dict[str, List[float]]:
        """``{'momentum': [...]}``: ``momentum``, else ``betas[0]`` (Adam-like), else 0."""
        values = []
        for group in self.param_groups:
            if "momentum" in group:
                values.append(group["momentum"])
            elif "betas" in group:
                values.append(group["betas"][0])
            else:
                values.append(0)
        return {"momentum": values}

    def state_dict(self) -> dict:
        """The optimizer's state dict."""
        return self.optimizer.state_dict()

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the optimizer's state dict."""
        self.optimizer.load_state_dict(state_dict)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(accumulative_counts={self._accumulative_counts}, optimizer={self.optimizer!r})"


@OPTIM_WRAPPERS.register_module()
class AmpOptimWrapper(OptimWrapper):
    """Automatic mixed precision (MMEngine's ``AmpOptimWrapper`` on ``torch.amp``).

    Args:
        loss_scale: ``'dynamic'``, a float (static scale) or a dict of ``GradScaler`` kwargs.
            Used on CUDA with float16 only; bfloat16 needs no scaling.
        dtype: ``'float16'``, ``'bfloat16'`` or None (float16 on CUDA, bfloat16 on CPU).
        device_type: ``'cuda'`` or ``'cpu'``; defaults to CUDA when available.
    """

    def __init__(self, loss_scale: Union[str, float, dict] = "dynamic", dtype: Optional[str] = None,
                 device_type: Optional[str] = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.device_type = device_type or ("cuda" if torch.cuda.is_available() else "cpu")
        if dtype is None:
            dtype = "float16" if self.device_type == "cuda" else "bfloat16"
        if dtype not in ("float16", "bfloat16"):
            raise ConfigError(f"AmpOptimWrapper dtype must be 'float16' or 'bfloat16', got {dtype!r}")
        self.cast_dtype = getattr(torch, dtype)
        self._scale_update_param: Optional[float] = None
        use_scaler = self.cast_dtype is torch.float16
        if loss_scale == "dynamic":
            scaler_kwargs: dict = {}
        elif isinstance(loss_scale, (int, float)) and not isinstance(loss_scale, bool):
            # A static scale: GradScaler.update(new_scale) pins it after every step.
            self._scale_update_param = float(loss_scale)
            scaler_kwargs = {"init_scale": float(loss_scale)}
        elif isinstance(loss_scale, dict):
            scaler_kwargs = dict(loss_scale)
        else:
            raise ConfigError(f"loss_scale must be 'dynamic', a float or a dict, got {loss_scale!r}")
        self.loss_scaler = torch.amp.GradScaler(self.device_type, enabled=use_scaler, **scaler_kwargs)

    def backward(self, loss: torch.Tensor, **kwargs: Any) -> None:
        """Back-propagate the scaled loss."""
        self.loss_scaler.scale(loss).backward(**kwargs)
        self._inner_count += 1

    def step(self, **kwargs: Any) -> None:
        """Unscale before clipping, step through the scaler, update the scale."""
        if self.clip_grad_kwargs:
            self.loss_scaler.unscale_(self.optimizer)
            self._clip_grad()
        self.loss_scaler.step(self.optimizer, **kwargs)
        self.loss_scaler.update(self._scale_update_param)

    @contextlib.contextmanager
    def optim_context(self, model: nn.Module) -> Iterator[None]:
        """DDP ``no_sync`` handling plus ``torch.autocast`` in the configured dtype."""
        with super().optim_context(model), torch.autocast(device_type=self.device_type, dtype=self.cast_dtype):
            yield

    def state_dict(self) -> dict:
        """Optimizer state plus ``loss_scaler``."""
        state = dict(self.optimizer.state_dict())
        state["loss_scaler"] = self.loss_scaler.state_dict()
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore optimizer and loss-scaler state."""
        state = dict(state_dict)
        if "loss_scaler" in state:
            self.loss_scaler.load_state_dict(state.pop("loss_scaler"))
        self.optimizer.load_state_dict(state)
