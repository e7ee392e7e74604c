"""Stand-in for ``imix.engine.hooks.builder``: iMIX's hook registry and ``build_hook``.

``HOOKS`` is hookport's ``IMIX_HOOKS`` (scope ``imix``), so a hook registered with
``@HOOKS.register_module()`` is found by iMIX configs and, as ``'imix.Name'`` or
by its unique name, by MMEngine and MMCV configs.
"""
from typing import Any, Optional

from hookport.registry import IMIX_HOOKS as HOOKS

__all__ = ["HOOKS", "build_hook"]


def build_hook(cfg: Any, default_args: Optional[dict] = None) -> Any:
    """Build a hook from ``dict(type=..., **kwargs)`` (iMIX's ``build_hook``)."""
    return HOOKS.build(cfg, default_args)
