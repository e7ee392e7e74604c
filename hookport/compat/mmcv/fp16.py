"""MMCV's fp16 switches: ``wrap_fp16_model``, ``auto_fp16`` and ``force_fp32``.

MMCV 1.x marks modules with ``fp16_enabled``; ``@auto_fp16`` runs a method in reduced
precision only when its module's ``fp16_enabled`` is True (set by ``wrap_fp16_model``, which
the Fp16 optimizer hooks call). hookport runs such methods under ``torch.autocast``
(float16 on CUDA, bfloat16 on the CPU) instead of casting inputs by hand; ``@force_fp32``
runs its method with autocast off and float inputs.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Optional


def wrap_fp16_model(model) -> None:
    """Switch ``fp16_enabled`` on for every module that declares it."""
    for module in model.modules():
        if hasattr(module, "fp16_enabled"):
            module.fp16_enabled = True


def _device_type(module) -> str:
    for param in module.parameters():
        return param.device.type
    return "cpu"


def auto_fp16(apply_to: Optional[Iterable[str]] = None, out_fp32: bool = False,
              supported_types: tuple = ()) -> Callable:
    """Decorator: run the method under autocast when ``self.fp16_enabled`` is True."""
    def decorator(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(self, *args: Any, **kwargs: Any) -> Any:
            if not getattr(self, "fp16_enabled", False):
                return fn(self, *args, **kwargs)
            import torch

            device = _device_type(self)
            dtype = torch.float16 if device == "cuda" else torch.bfloat16
            with torch.autocast(device_type=device, dtype=dtype):
                out = fn(self, *args, **kwargs)
            if out_fp32:
                out = _to_float(out)
            return out
        return wrapper
    return decorator


def force_fp32(apply_to: Optional[Iterable[str]] = None, out_fp16: bool = False) -> Callable:
    """Decorator: run the method in float32 (autocast off, float inputs) when fp16 is on."""
    def decorator(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(self, *args: Any, **kwargs: Any) -> Any:
            if not getattr(self, "fp16_enabled", False):
                return fn(self, *args, **kwargs)
            import torch

            with torch.autocast(device_type=_device_type(self), enabled=False):
                return fn(self, *_to_float(list(args)), **_to_float(kwargs))
        return wrapper
    return decorator


def _to_float(obj: Any) -> Any:
    import torch

    if isinstance(obj, torch.Tensor):
        return obj.float() if obj.is_floating_point() else obj
    if isinstance(obj, dict):
        return type(obj)((k, _to_float(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_float(v) for v in obj)
    return obj
