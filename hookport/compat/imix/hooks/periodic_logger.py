"""iMIX's ``PeriodicLogger``: drives the log writers every ``log_config.period`` iterations."""
from __future__ import annotations

from typing import Any, List

from hookport.compat.imix.hook import HookBase
from hookport.compat.imix.writers import TensorboardLoggerHook
from hookport.registry import IMIX_HOOKS


@IMIX_HOOKS.register_module()
class PeriodicLogger(HookBase):
    """Writes every writer in ``loggers`` periodically; TensorBoard also at epoch ends.

    Args:
        loggers: ``LogBufferWriter`` objects (Common-metric, JSON, TensorBoard).
        log_config_period: the period in iterations (re-read from ``trainer.cfg.log_config.period``).
    """

    def __init__(self, loggers: List[Any], log_config_period: int = 20):
        super().__init__()
        self._loggers = list(loggers)
        self._period = log_config_period

    def before_train(self):
        """Re-read the period from trainer.cfg.log_config.period (as iMIX)."""
        cfg = self.trainer.cfg
        log_config = getattr(cfg, "log_config", None) if cfg is not None else None
        period = getattr(log_config, "period", None) if log_config is not None else None
        if period is None and isinstance(log_config, dict):
            period = log_config.get("period")
        if period is not None:
            self._period = period

    def _write_all(self) -> None:
        for writer in self._loggers:
            writer.write()

    def after_train_iter(self):
        """Write every writer when the period is due (inner iteration by epoch, iteration by iter)."""
        if self.trainer.by_epoch:
            due = (self.trainer.inner_iter + 1) % self._period == 0
        else:
            due = (self.trainer.iter + 1) % self._period == 0 or self.trainer.iter == self.trainer.max_iter - 1
        if due:
            self._write_all()

    def after_train_epoch(self):
        """Write the TensorBoard writers."""
        for writer in self._loggers:
            if isinstance(writer, TensorboardLoggerHook):
                writer.write()

    def after_train(self):
        """Close every writer."""
        for writer in self._loggers:
            writer.close()
