"""Stand-in for ``imix.utils.checkpoint``: ``PeriodicCheckpointer`` (what ``CheckPointHook`` builds on)."""
from hookport.compat.imix.checkpointer import ImixCheckpointer as Checkpointer
from hookport.compat.imix.checkpointer import PeriodicCheckpointer

__all__ = ["Checkpointer", "PeriodicCheckpointer"]
