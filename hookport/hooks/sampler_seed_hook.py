"""DistSamplerSeedHook: reseeds the training sampler every epoch."""
from __future__ import annotations

from hookport.hooks.hook import Hook
from hookport.registry import HOOKS


@HOOKS.register_module()
class DistSamplerSeedHook(Hook):
    """Calls ``set_epoch(runner.epoch)`` on the train dataloader's sampler before each epoch.

    Distributed samplers shuffle with ``seed + epoch``; without this every epoch would see
    the same order. The sampler is ``dataloader.sampler`` or, failing that,
    ``dataloader.batch_sampler.sampler`` (MMEngine's lookup order). Priority NORMAL.
    """

    priority = "NORMAL"

    def before_train_epoch(self, runner) -> None:
        """Pass the epoch to the sampler."""
        dataloader = runner.train_loop.dataloader
        sampler = getattr(dataloader, "sampler", None)
        if not hasattr(sampler, "set_epoch"):
            sampler = getattr(getattr(dataloader, "batch_sampler", None), "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(runner.epoch)
