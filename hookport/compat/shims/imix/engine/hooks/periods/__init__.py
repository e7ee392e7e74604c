"""Stand-in for ``imix.engine.hooks.periods``: the log buffer and the writers."""
from hookport.compat.imix.checkpointer import PeriodicCheckpointer
from hookport.compat.imix.hooks.checkpoint import CheckPointHook
from hookport.compat.imix.log_buffer import LogBufferStorage, get_log_buffer
from hookport.compat.imix.writers import (CommonMetricLoggerHook, JSONLoggerHook, LogBufferWriter,
                                          TensorboardLoggerHook)

__all__ = ["get_log_buffer", "LogBufferStorage", "LogBufferWriter", "CommonMetricLoggerHook", "JSONLoggerHook",
           "TensorboardLoggerHook", "CheckPointHook", "PeriodicCheckpointer"]
