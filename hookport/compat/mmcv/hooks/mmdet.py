"""MMDetection 2.x's custom hooks (``mmdet/core/hook``, ``mmdet/datasets/utils.py``) under their names.

Configs of MMDetection 2.x (YOLOX and friends) name these in ``custom_hooks`` and ``lr_config``;
they run here without mmdet installed. Behaviour follows mmdet 2.28.2.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence

from hookport.compat.mmcv import formulas as F
from hookport.compat.mmcv.dist_utils import get_dist_info
from hookport.compat.mmcv.hook import Hook
from hookport.compat.mmcv.hooks.misc import register_ema_buffers, swap_ema, unwrap
from hookport.compat.mmcv.lr_updater import CosineAnnealingLrUpdaterHook
from hookport.compat.mmcv.updater import progress_of
from hookport.errors import ConfigError, HookportError
from hookport.registry import MMCV_HOOKS


@MMCV_HOOKS.register_module()
class CheckInvalidLossHook(Hook):
    """Stop training when the loss is NaN or infinite (checked every ``interval`` iterations)."""

    def __init__(self, interval: int = 50):
        self.interval = interval

    def after_train_iter(self, runner) -> None:
        """Check ``runner.outputs['loss']``."""
        import torch

        if self.every_n_iters(runner, self.interval) and not torch.isfinite(runner.outputs["loss"]).all():
            runner.logger.info("loss become infinite or NaN!")
            raise HookportError(f"CheckInvalidLossHook: the loss became infinite or NaN at iteration {runner.iter + 1}")


class BaseEMAHook(Hook):
    """EMA over the model's parameters (or whole state dict), kept as ``ema_*`` buffers.

    Args:
        momentum: EMA weight of the current value; interval: update period.
        skip_buffers: average parameters only (True) or the whole state dict.
        resume_from: checkpoint to resume from in ``before_run``.
        momentum_fun: ``iter -> momentum`` (subclasses define it).
    """

    def __init__(self, momentum: float = 0.0002, interval: int = 1, skip_buffers: bool = False,
                 resume_from: Optional[str] = None, momentum_fun: Optional[Callable[[int], float]] = None):
        if not 0 < momentum < 1:
            raise ConfigError(f"{type(self).__name__}: momentum must be in (0, 1), got {momentum!r}")
        self.momentum, self.interval, self.skip_buffers = momentum, interval, skip_buffers
        self.checkpoint, self.momentum_fun = resume_from, momentum_fun

    def before_run(self, runner) -> None:
        """Register the EMA buffers (a copy of each tracked tensor)."""
        model = unwrap(runner.model)
        self.model_parameters = dict(model.named_parameters()) if self.skip_buffers else dict(model.state_dict())
        self.param_ema_buffer = register_ema_buffers(model, self.model_parameters)
        self.model_buffers = dict(model.named_buffers())
        if self.checkpoint is not None:
            runner.resume(self.checkpoint)

    def get_momentum(self, runner) -> float:
        """The EMA momentum at the current iteration."""
        return self.momentum_fun(runner.iter) if self.momentum_fun else self.momentum

    def after_train_iter(self, runner) -> None:
        """Update the floating-point averages every ``interval`` iterations."""
        if (runner.iter + 1) % self.interval != 0:
            return
        momentum = self.get_momentum(runner)
        for name, parameter in self.model_parameters.items():
            if parameter.dtype.is_floating_point:
                buffer = self.model_buffers[self.param_ema_buffer[name]]
                buffer.mul_(1 - momentum).add_(parameter.data, alpha=momentum)

    def after_train_epoch(self, runner) -> None:
        """Swap the EMA values in (checkpoints and evaluation see them)."""
        self._swap_ema_parameters()

    def before_train_epoch(self, runner) -> None:
        """Swap the training values back."""
        self._swap_ema_parameters()

    def _swap_ema_parameters(self) -> None:
        swap_ema(self.model_parameters, self.model_buffers, self.param_ema_buffer)


@MMCV_HOOKS.register_module()
class ExpMomentumEMAHook(BaseEMAHook):
    """EMA with momentum ``(1 - m) * exp(-(1 + iter) / total_iter) + m`` (YOLOX)."""

    def __init__(self, total_iter: int = 2000, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum_fun = lambda x: (1 - self.momentum) * math.exp(-(1 + x) / total_iter) + self.momentum


@MMCV_HOOKS.register_module()
class LinearMomentumEMAHook(BaseEMAHook):
    """EMA with momentum ``min(m ** interval, (1 + iter) / (warm_up + iter))``."""

    def __init__(self, warm_up: int = 100, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum_fun = lambda x: min(self.momentum ** self.interval, (1 + x) / (warm_up + x))


@MMCV_HOOKS.register_module()
class MemoryProfilerHook(Hook):
    """Log system and process memory every ``interval`` iterations (needs psutil)."""

    def __init__(self, interval: int = 50):
        self.interval = interval

    def after_iter(self, runner) -> None:
        """Log available/used/swap memory and this process's resident size, in MB."""
        if not self.every_n_iters(runner, self.interval):
            return
        import psutil

        factor = 1024 * 1024
        vm, swap = psutil.virtual_memory(), psutil.swap_memory()
        process = psutil.Process()
        rss = process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))
        runner.logger.info(
            "Memory information "
            f"available_memory: {round(vm.available / factor)} MB, "
            f"used_memory: {round(vm.used / factor)} MB, used_memory_percent: {vm.percent}%, "
            f"swap_memory: {round(swap.used / factor)} MB, swap_memory_percent: {swap.percent}%, "
            f"current_process_memory: {round(rss / factor)} MB")


@MMCV_HOOKS.register_module()
class SetEpochInfoHook(Hook):
    """``model.set_epoch(runner.epoch)`` before each training epoch."""

    def before_train_epoch(self, runner) -> None:
        """Tell the model the epoch."""
        unwrap(runner.model).set_epoch(runner.epoch)


def get_norm_states(module) -> dict:
    """The state (running stats, affine) of every normalisation layer, by full name."""
    from torch.nn.modules.batchnorm import _NormBase

    states = {}
    for name, child in module.named_modules():
        if isinstance(child, _NormBase):
            for key, value in child.state_dict().items():
                states[f"{name}.{key}"] = value
    return states


@MMCV_HOOKS.register_module()
class SyncNormHook(Hook):
    """Average normalisation states across ranks every ``interval`` epochs (every epoch at the end)."""

    def __init__(self, num_last_epochs: int = 15, interval: int = 1):
        self.interval, self.num_last_epochs = interval, num_last_epochs

    def before_train_epoch(self, runner) -> None:
        """Sync every epoch once the last ``num_last_epochs`` start."""
        if runner.epoch + 1 == runner.max_epochs - self.num_last_epochs:
            self.interval = 1

    def after_train_epoch(self, runner) -> None:
        """All-reduce (mean) the norm states."""
        if (runner.epoch + 1) % self.interval != 0 or get_dist_info()[1] == 1:
            return
        import torch.distributed as dist

        module = unwrap(runner.model)
        states = get_norm_states(module)
        world_size = dist.get_world_size()
        for value in states.values():
            if value.is_floating_point():
                dist.all_reduce(value)
                value.div_(world_size)
        module.load_state_dict(states, strict=False)


@MMCV_HOOKS.register_module()
class SyncRandomSizeHook(Hook):
    """Pick one random input size per ``interval`` epochs on rank 0 and share it (deprecated in mmdet 2.x)."""

    def __init__(self, ratio_range: Sequence[int] = (14, 26), img_scale: Sequence[int] = (640, 640),
                 interval: int = 1, device: str = "cuda"):
        self.rank, self.world_size = get_dist_info()
        self.is_distributed = self.world_size > 1
        self.ratio_range, self.img_scale, self.interval, self.device = ratio_range, img_scale, interval, device

    def after_train_epoch(self, runner) -> None:
        """Set ``dataset.update_dynamic_scale`` to a multiple of 32 in ``ratio_range``."""
        import random

        import torch

        if self.ratio_range is None or (runner.epoch + 1) % self.interval != 0:
            return
        device = self.device if torch.cuda.is_available() else "cpu"
        tensor = torch.zeros(2, dtype=torch.long, device=device)
        if self.rank == 0:
            size_factor = self.img_scale[1] * 1.0 / self.img_scale[0]
            size = random.randint(*self.ratio_range)
            tensor[0], tensor[1] = int(32 * size), 32 * int(size * size_factor)
        if self.is_distributed:
            import torch.distributed as dist

            dist.barrier()
            dist.broadcast(tensor, 0)
        runner.data_loader.dataset.update_dynamic_scale((tensor[0].item(), tensor[1].item()))


@MMCV_HOOKS.register_module()
class YOLOXLrUpdaterHook(CosineAnnealingLrUpdaterHook):
    """YOLOX: quadratic warm-up on the *base* lr, cosine, then ``min_lr`` for the last epochs."""

    def __init__(self, num_last_epochs: int, **kwargs: Any):
        self.num_last_epochs = num_last_epochs
        super().__init__(**kwargs)

    def get_warmup_lr(self, cur_iters: int) -> Any:
        """``base * warmup_ratio * ((i + 1) / W) ** 2``."""
        k = self.warmup_ratio * pow((cur_iters + 1) / float(self.warmup_iters), 2)
        return F.map_values(self.base_lr, lambda lr: lr * k)

    def get_lr(self, runner, base_lr):
        """Cosine between the warm-up and the last epochs, ``min_lr`` after."""
        last_iter = len(runner.data_loader) * self.num_last_epochs
        progress, max_progress = progress_of(runner, self.by_epoch)
        progress += 1
        target_lr = self.target_lr(base_lr)
        if progress >= max_progress - last_iter:
            return target_lr
        return F.annealing_cos(base_lr, target_lr,
                               (progress - self.warmup_iters) / (max_progress - self.warmup_iters - last_iter))


@MMCV_HOOKS.register_module()
class YOLOXModeSwitchHook(Hook):
    """At ``max_epochs - num_last_epochs``: drop mosaic/mixup from the dataset and add the L1 loss."""

    def __init__(self, num_last_epochs: int = 15, skip_type_keys: Sequence[str] = ("Mosaic", "RandomAffine", "MixUp")):
        self.num_last_epochs, self.skip_type_keys = num_last_epochs, skip_type_keys
        self._restart_dataloader = False

    def before_train_epoch(self, runner) -> None:
        """Switch once, at exactly that epoch (mmdet 2.x's rule)."""
        train_loader = runner.data_loader
        if runner.epoch + 1 == runner.max_epochs - self.num_last_epochs:
            runner.logger.info("No mosaic and mixup aug now!")
            train_loader.dataset.update_skip_type_keys(self.skip_type_keys)
            if getattr(train_loader, "persistent_workers", False) is True:
                # Persistent workers hold a copy of the dataset: make the loader start new ones.
                train_loader._DataLoader__initialized = False
                train_loader._iterator = None
                self._restart_dataloader = True
            runner.logger.info("Add additional L1 loss now!")
            unwrap(runner.model).bbox_head.use_l1 = True
        elif self._restart_dataloader:
            train_loader._DataLoader__initialized = True


# Module classes mmdet's NumClassCheckHook does not compare with the dataset's classes.
_NUM_CLASS_EXEMPT = {"RPNHead", "VGG", "FusedSemanticHead", "GARPNHead"}


@MMCV_HOOKS.register_module()
class NumClassCheckHook(Hook):
    """Check every head's ``num_classes`` against ``len(dataset.CLASSES)`` before train and val epochs."""

    def _check_head(self, runner) -> None:
        dataset = runner.data_loader.dataset
        classes = getattr(dataset, "CLASSES", None)
        if classes is None:
            runner.logger.warning(f"Please set `CLASSES` in the {type(dataset).__name__} and check if it is "
                                  f"consistent with the `num_classes` of head")
            return
        if isinstance(classes, str):
            raise HookportError(f"`CLASSES` in {type(dataset).__name__} should be a tuple of str; add a comma "
                                f"if there is only one class: CLASSES = ({classes!r},)")
        for name, module in unwrap(runner.model).named_modules():
            if hasattr(module, "num_classes") and type(module).__name__ not in _NUM_CLASS_EXEMPT:
                if module.num_classes != len(classes):
                    raise HookportError(f"The `num_classes` ({module.num_classes}) in {type(module).__name__} of "
                                        f"{name or type(unwrap(runner.model)).__name__} does not match the length "
                                        f"of `CLASSES` {len(classes)} in {type(dataset).__name__}")

    def before_train_epoch(self, runner) -> None:
        """Check before training epochs."""
        self._check_head(runner)

    def before_val_epoch(self, runner) -> None:
        """Check before val epochs."""
        self._check_head(runner)
