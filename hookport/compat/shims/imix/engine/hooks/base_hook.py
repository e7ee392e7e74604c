"""Stand-in for ``imix.engine.hooks.base_hook``: ``HookBase`` and ``PriorityStatus``."""
from hookport.compat.imix.hook import HookBase
from hookport.compat.imix.levels import PriorityStatus

__all__ = ["HookBase", "PriorityStatus"]
