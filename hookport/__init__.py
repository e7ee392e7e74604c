"""hookport: move training code between MMCV 1.x, MMEngine and iMIX hook systems.

``import hookport`` is cheap: torch, libcst and psutil are imported only by the
code paths that need them. ``hookport.Runner`` is resolved on first access.
"""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["Runner", "__version__"]


def __getattr__(name: str):
    if name == "Runner":
        from hookport.runner.runner import Runner

        return Runner
    raise AttributeError(f"module 'hookport' has no attribute {name!r}")
