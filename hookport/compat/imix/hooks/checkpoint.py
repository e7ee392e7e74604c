"""iMIX's ``CheckPointHook(PeriodicCheckpointer, HookBase)``: periodic checkpoints on the main process.

Written like iMIX's: multiple inheritance with an explicit ``HookBase.__init__``,
``prefix`` popped from the keyword arguments, ``max_iter``/``max_epoch`` copied
from the trainer in ``before_train``; naming in
:mod:`hookport.compat.imix.checkpointer`.
"""
from __future__ import annotations

from hookport.compat.imix.checkpointer import PeriodicCheckpointer
from hookport.compat.imix.hook import HookBase
from hookport.registry import IMIX_HOOKS


@IMIX_HOOKS.register_module()
class CheckPointHook(PeriodicCheckpointer, HookBase):
    """Saves ``{prefix}_epoch{e}_model.pth`` / ``{prefix}_iter{i:07d}_model.pth`` / ``..._model_final.pth``.

    Args:
        checkpointer: the object that writes files (``save(name, **extra)``).
        prefix: ``'{model.type}_{dataset_type}'`` in iMIX (keyword only).
        kwargs: ``iter_period``, ``epoch_period``, ``max_num_checkpoints`` (``checkpoint_config``).
    """

    def __init__(self, *args, **kwargs):
        self.prefix = kwargs.pop("prefix")
        PeriodicCheckpointer.__init__(self, *args, **kwargs)
        HookBase.__init__(self)

    def before_train(self):
        """Copy the trainer's max_iter (and max_epoch by epoch)."""
        self.max_iter = self.trainer.max_iter
        if self.trainer.by_epoch:
            self.max_epoch = self.trainer.max_epoch

    def _is_save_epoch_state(self) -> bool:
        if not self.iter_period:
            return False
        done = self.trainer.iter + 1
        return (done % self.iter_period == 0 and done % len(self.trainer.data_loader) != 0
                and done != self.trainer.max_iter)

    def _save_epoch_state(self, is_epoch: bool = False) -> None:
        self.record_epoch_checkpoint(self.trainer.epoch, self.prefix, is_epoch=is_epoch,
                                     epoch_inner_iter=self.trainer.inner_iter, epoch_iter=self.trainer.iter,
                                     by_epoch=True)

    def after_train_iter(self):
        """By iteration: periodic and final saves; by epoch: the mid-epoch iter_period saves."""
        if not self.trainer.by_epoch:
            self.record_iter_checkpoint(self.trainer.iter, self.prefix, by_epoch=False)
        elif self._is_save_epoch_state():
            self._save_epoch_state()

    def after_train_epoch(self):
        """The epoch-end save (and the final one in the last epoch)."""
        self._save_epoch_state(is_epoch=True)
