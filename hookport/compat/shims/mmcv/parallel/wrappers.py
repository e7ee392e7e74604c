"""``MMDataParallel`` / ``MMDistributedDataParallel`` with MMCV's ``train_step``/``val_step`` forwarding."""
from torch.nn.parallel import DataParallel, DistributedDataParallel


class MMDataParallel(DataParallel):
    """Single-device wrapper: ``train_step``/``val_step`` call the module's (CPU or one GPU)."""

    def __init__(self, module, device_ids=None, dim=0, **kwargs):
        import torch

        if not torch.cuda.is_available():
            device_ids = []
        super().__init__(module, device_ids=device_ids, dim=dim, **kwargs)

    def train_step(self, *inputs, **kwargs):
        """The module's train_step."""
        return self.module.train_step(*inputs, **kwargs)

    def val_step(self, *inputs, **kwargs):
        """The module's val_step."""
        return self.module.val_step(*inputs, **kwargs)

    def forward(self, *inputs, **kwargs):
        """Call the module directly (no scatter: MMCV's CPU path)."""
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        return super().forward(*inputs, **kwargs)


class MMDistributedDataParallel(DistributedDataParallel):
    """DDP whose ``train_step``/``val_step`` run through DDP's forward (gradient sync hooks armed)."""

    def train_step(self, *inputs, **kwargs):
        """The module's train_step, with DDP's reducer prepared."""
        return self._run_step("train_step", *inputs, **kwargs)

    def val_step(self, *inputs, **kwargs):
        """The module's val_step."""
        return self._run_step("val_step", *inputs, **kwargs)

    def _run_step(self, name, *inputs, **kwargs):
        # Route the step through DDP's forward (it arms the gradient-sync hooks); the arguments are
        # captured by the closure so DDP never tries to move the optimizer between devices.
        module = self.module
        step = getattr(module, name)

        def forward_once():
            del module.forward  # the step's own forward calls reach the real forward
            return step(*inputs, **kwargs)

        module.forward = forward_once
        try:
            return super().forward()
        finally:
            module.__dict__.pop("forward", None)
