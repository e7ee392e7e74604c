"""Register every ``torch.optim`` optimizer into OPTIMIZERS.

Imported lazily (the registry's ``locations``) on the first optimizer lookup,
so ``import hookport`` does not import torch.
"""
from __future__ import annotations

import inspect

import torch

from hookport.registry import OPTIMIZERS


def register_torch_optimizers() -> list:
    """Register each ``torch.optim.Optimizer`` subclass under its class name; return the names."""
    names = []
    for name in dir(torch.optim):
        obj = getattr(torch.optim, name)
        if inspect.isclass(obj) and issubclass(obj, torch.optim.Optimizer) and obj is not torch.optim.Optimizer:
            if name not in OPTIMIZERS._modules:
                OPTIMIZERS.register_module(module=obj)
            names.append(name)
    return names


TORCH_OPTIMIZERS = register_torch_optimizers()
