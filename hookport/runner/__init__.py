"""The canonical runner: ``from hookport.runner import Runner`` (as ``from mmengine.runner import Runner``).

Names are resolved on first access so that importing the package (the dispatch table,
the dialect table) does not import torch.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "Runner": "hookport.runner.runner",
    "EpochBasedTrainLoop": "hookport.runner.loops",
    "IterBasedTrainLoop": "hookport.runner.loops",
    "ValLoop": "hookport.runner.loops",
    "TestLoop": "hookport.runner.loops",
    "BaseModel": "hookport.runner.model",
    "DefaultSampler": "hookport.runner.samplers",
    "InfiniteSampler": "hookport.runner.samplers",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hookport.runner' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
