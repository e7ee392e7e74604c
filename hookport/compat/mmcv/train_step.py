"""MMCV's train-step protocol: ``model.train_step(data_batch, optimizer)`` -> ``dict(loss, log_vars, num_samples)``.

A model without ``train_step`` (a plain ``nn.Module``) is run forward and its losses are summed
the way MMDetection 2.x's ``_parse_losses`` did (every key containing ``'loss'``); the step never
calls backward: the OptimizerHook does, in ``after_train_iter``.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

from hookport.errors import HookportError


def _batch_size(data_batch: Any) -> int:
    if isinstance(data_batch, dict):
        data_batch = next(iter(data_batch.values()), [])
    elif isinstance(data_batch, (list, tuple)) and data_batch:
        data_batch = data_batch[0]
    return len(data_batch) if hasattr(data_batch, "__len__") else 1


def plain_step(model, data_batch: Any) -> dict:
    """MMCV outputs for a model without ``train_step``."""
    from hookport.runner.model import parse_losses, run_forward

    loss, log_vars = parse_losses(run_forward(model, data_batch))
    log_vars = OrderedDict((k, float(v)) for k, v in log_vars.items())
    return dict(loss=loss, log_vars=log_vars, num_samples=_batch_size(data_batch))


def run_step(model, data_batch: Any, optimizer: Any, train_mode: bool, **kwargs: Any) -> dict:
    """One ``train_step`` (or ``val_step``) call with MMCV's output check.

    The batch is scattered first (DataContainers unwrapped, tensors on the model's device), as
    MMCV's data-parallel wrappers did before calling the module's step.
    """
    from hookport.compat.mmcv.data_container import scatter
    from hookport.runner.model import model_device

    data_batch = scatter(data_batch, model_device(model))
    name = "train_step" if train_mode else "val_step"
    step = getattr(model, name, None)
    outputs = step(data_batch, optimizer, **kwargs) if callable(step) else plain_step(model, data_batch)
    if not isinstance(outputs, dict):
        raise HookportError(f"model.{name}() must return a dict, got {type(outputs).__name__}")
    return outputs
