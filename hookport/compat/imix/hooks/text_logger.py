"""iMIX's ``TextLoggerHook`` (the "custom hook test") and the empty ``MomentumSchedulerHook``."""
from __future__ import annotations

import logging

from hookport.compat.imix.hook import HookBase
from hookport.registry import IMIX_HOOKS

logger = logging.getLogger("hookport.imix")


@IMIX_HOOKS.register_module()
class TextLoggerHook(HookBase):
    """Logs ``text`` before and after training and after every iteration."""

    def __init__(self, text: str = ""):
        super().__init__()
        self.text = text

    def before_train(self):
        """Log the text."""
        logger.info("before_train: %s", self.text)

    def after_train_iter(self):
        """Log the text."""
        logger.info("after_train_iter: %s", self.text)

    def after_train(self):
        """Log the text."""
        logger.info("after_train: %s", self.text)


@IMIX_HOOKS.register_module()
class MomentumSchedulerHook(HookBase):
    """Registered and exported by iMIX, but does nothing."""
