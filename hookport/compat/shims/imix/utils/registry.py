"""Stand-in for ``imix.utils.registry``: ``Registry`` and ``build_from_cfg`` are hookport's."""
from hookport.registry import Registry, build_from_cfg

__all__ = ["Registry", "build_from_cfg"]
