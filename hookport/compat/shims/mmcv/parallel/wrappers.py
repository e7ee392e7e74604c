"""``MMDataParallel`` / ``MMDistributedDataParallel`` with MMCV's ``train_step``/``val_step`` forwarding."""
from torch.nn.parallel import DataParallel, DistributedDataParallel


class MMDataParallel(DataParallel):
    """Single-device wrapper: scatters the inputs (DataContainers unwrapped, tensors on the module's
    device) and calls the module's ``train_step``/``val_step``/``forward`` (CPU or one GPU)."""

    def __init__(self, module, device_ids=None, dim=0, **kwargs):
        import torch

        if not torch.cuda.is_available():
            device_ids = []
        super().__init__(module, device_ids=device_ids, dim=dim, **kwargs)

    def train_step(self, *inputs, **kwargs):
        """The module's train_step on the scattered inputs (DataContainers unwrapped)."""
        return self.module.train_step(*self._scatter(inputs), **self._scatter(kwargs))

    def val_step(self, *inputs, **kwargs):
        """The module's val_step on the scattered inputs."""
        return self.module.val_step(*self._scatter(inputs), **self._scatter(kwargs))

    def forward(self, *inputs, **kwargs):
        """Call the module on the scattered inputs (one device, as MMCV's CPU / single-GPU path)."""
        return self.module(*self._scatter(inputs), **self._scatter(kwargs))

    def _scatter(self, inputs):
        return _scatter(self.module, inputs)


def _scatter(module, inputs):
    """``inputs`` as one device's share: DataContainers unwrapped, tensors on ``module``'s device."""
    from hookport.compat.mmcv.data_container import scatter
    from hookport.runner.model import model_device

    return scatter(inputs, model_device(module))


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
        inputs, kwargs = _scatter(module, inputs), _scatter(module, kwargs)  # as MMCV's to_kwargs scatter

        def forward_once():
            del module.forward  # the step's own forward calls reach the real forward
            return step(*inputs, **kwargs)

        module.forward = forward_once
        try:
            return super().forward()
        finally:
            module.__dict__.pop("forward", None)
