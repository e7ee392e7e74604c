"""RuntimeInfoHook: publishes the loop state, learning rates, losses and metrics to the message hub."""
from __future__ import annotations

from typing import Any, Dict, Optional

from hookport import __version__
from hookport.hooks.hook import Hook
from hookport.registry import HOOKS


def is_scalar(value: Any) -> bool:
    """Whether ``value`` is a number or a one-element tensor/array (logged as a scalar)."""
    if isinstance(value, (int, float)):
        return True
    numel = getattr(value, "numel", None)
    if callable(numel):
        return numel() == 1
    size = getattr(value, "size", None)
    return isinstance(size, int) and size == 1


class _PrefixedKeys(dict):
    """``'loss'`` -> ``'train/loss'``, built once per key (the hook runs every iteration)."""

    def __init__(self, prefix: str):
        super().__init__()
        self.prefix = prefix

    def __missing__(self, key: str) -> str:
        value = self[key] = self.prefix + key
        return value


@HOOKS.register_module()
class RuntimeInfoHook(Hook):
    """Keeps ``runner.message_hub`` up to date (MMEngine's RuntimeInfoHook, priority VERY_HIGH).

    Runtime info: ``cfg``, ``seed``, ``experiment_name``, ``hookport_version``, ``loop_stage``,
    ``epoch``, ``iter``, ``max_epochs``, ``max_iters``, ``dataset_meta``. Scalars: ``train/<lr
    name>`` (first param group) before each iteration, ``train/<key>`` for every train-step
    output, ``val/<metric>`` / ``test/<metric>`` after each evaluation (non-scalar metrics go
    to runtime info).
    """

    priority = "VERY_HIGH"

    def __init__(self):
        self.last_loop_stage: Optional[str] = None
        self._train_keys = _PrefixedKeys("train/")

    def before_run(self, runner) -> None:
        """Record the config text, seed, experiment name and version."""
        cfg = getattr(runner, "cfg", None)
        text = getattr(cfg, "pretty_text", None)
        runner.message_hub.update_info_dict(dict(
            cfg=text if isinstance(text, str) else repr(cfg),
            seed=getattr(runner, "seed", None),
            experiment_name=runner.experiment_name,
            hookport_version=__version__,
        ))
        self.last_loop_stage = None

    def before_train(self, runner) -> None:
        """Record the loop stage, position, limits and the dataset's metainfo."""
        hub = runner.message_hub
        hub.update_info("loop_stage", "train")
        hub.update_info("epoch", runner.epoch)
        hub.update_info("iter", runner.iter)
        hub.update_info("max_epochs", runner.max_epochs)
        hub.update_info("max_iters", runner.max_iters)
        dataset = getattr(getattr(runner, "train_dataloader", None), "dataset", None)
        if hasattr(dataset, "metainfo"):
            hub.update_info("dataset_meta", dataset.metainfo)

    def after_train(self, runner) -> None:
        """Leave the train stage."""
        runner.message_hub.pop_info("loop_stage")

    def before_train_epoch(self, runner) -> None:
        """Record the epoch."""
        runner.message_hub.update_info("epoch", runner.epoch)

    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        """Record the iteration and the learning rate of each optimizer's first param group."""
        hub = runner.message_hub
        hub.update_info("iter", runner.iter)
        keys = self._train_keys
        for name, lrs in runner.optim_wrapper.get_lr().items():
            hub.update_scalar(keys[name], lrs[0])

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Log every train-step output as ``train/<key>`` (tensors stay lazy until read)."""
        if outputs:
            hub = runner.message_hub
            keys = self._train_keys
            for key, value in outputs.items():
                hub.update_scalar(keys[key], value)

    def before_val(self, runner) -> None:
        """Enter the val stage, remembering the stage to return to."""
        self.last_loop_stage = runner.message_hub.get_info("loop_stage")
        runner.message_hub.update_info("loop_stage", "val")

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, Any]] = None) -> None:
        """Log the validation metrics as ``val/<metric>``."""
        self._log_metrics(runner, "val", metrics)

    def after_val(self, runner) -> None:
        """Return to the train stage (validation during training) or leave the stage."""
        if self.last_loop_stage == "train":
            runner.message_hub.update_info("loop_stage", "train")
            self.last_loop_stage = None
        else:
            runner.message_hub.pop_info("loop_stage")

    def before_test(self, runner) -> None:
        """Enter the test stage."""
        runner.message_hub.update_info("loop_stage", "test")

    def after_test_epoch(self, runner, metrics: Optional[Dict[str, Any]] = None) -> None:
        """Log the test metrics as ``test/<metric>``."""
        self._log_metrics(runner, "test", metrics)

    def after_test(self, runner) -> None:
        """Leave the test stage."""
        runner.message_hub.pop_info("loop_stage")

    @staticmethod
    def _log_metrics(runner, mode: str, metrics: Optional[Dict[str, Any]]) -> None:
        for key, value in (metrics or {}).items():
            if is_scalar(value):
                runner.message_hub.update_scalar(f"{mode}/{key}", value)
            else:
                runner.message_hub.update_info(f"{mode}/{key}", value)
