"""SyncBuffersHook: averages model buffers (e.g. BatchNorm statistics) across ranks."""
from __future__ import annotations

from hookport.hooks.hook import Hook
from hookport.registry import HOOKS


def all_reduce_buffers(model) -> None:
    """Average every buffer of ``model`` over all ranks, one collective per dtype.

    Floating-point buffers get the mean; integer buffers (``num_batches_tracked``) get the
    floor of the mean, so identical counters stay identical.
    """
    import torch
    import torch.distributed as dist

    world_size = dist.get_world_size()
    groups = {}
    for buffer in model.buffers():
        groups.setdefault((buffer.dtype, buffer.device), []).append(buffer)
    for (dtype, _), buffers in groups.items():
        flat = torch.cat([b.detach().reshape(-1) for b in buffers])
        dist.all_reduce(flat, op=dist.ReduceOp.SUM)
        flat = flat / world_size if dtype.is_floating_point else torch.div(flat, world_size, rounding_mode="floor")
        offset = 0
        for b in buffers:
            n = b.numel()
            b.data.copy_(flat[offset:offset + n].view_as(b))
            offset += n


@HOOKS.register_module()
class SyncBuffersHook(Hook):
    """All-reduces (mean) the model buffers after each train epoch and before validation
    (once, if the train epoch already did it). Does nothing outside distributed runs.
    MMEngine's SyncBuffersHook, priority NORMAL.
    """

    priority = "NORMAL"

    def __init__(self):
        self.called_in_train = False

    def before_val_epoch(self, runner) -> None:
        """Sync before validating, unless the train epoch just did."""
        if getattr(runner, "distributed", False):
            if not self.called_in_train:
                all_reduce_buffers(runner.model)
            self.called_in_train = False

    def after_train_epoch(self, runner) -> None:
        """Sync after each train epoch."""
        if getattr(runner, "distributed", False):
            all_reduce_buffers(runner.model)
            self.called_in_train = True
