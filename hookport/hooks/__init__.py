"""Hooks: the canonical :class:`Hook` base and the built-in hooks.

Built-in hooks live one per module and register into :data:`hookport.registry.HOOKS`
when ``hookport.hooks.builtin`` is imported (which the registry does on first lookup).
Names are resolved lazily so ``from hookport.hooks import Hook`` imports no torch.
"""
from __future__ import annotations

import importlib

from hookport.hooks.hook import STAGES, Hook

__all__ = ["Hook", "STAGES"]


def __getattr__(name: str):
    # Built-in hook classes (``from hookport.hooks import CheckpointHook``) without eager imports.
    builtin = importlib.import_module("hookport.hooks.builtin")
    try:
        return getattr(builtin, name)
    except AttributeError:
        raise AttributeError(f"module 'hookport.hooks' has no attribute {name!r}") from None
