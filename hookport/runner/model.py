"""Model protocols: how a loop turns a batch into outputs.

Two kinds of model train on the runner:

* an MMEngine-style model with ``train_step(data, optim_wrapper)``, ``val_step(data)`` and
  ``test_step(data)`` (subclass :class:`BaseModel` to get MMEngine's default behaviour);
* a plain ``nn.Module`` whose ``forward`` returns a loss tensor or a dict of losses
  (summed as MMEngine's ``parse_losses`` does); its prediction is its forward output.

Batches are moved to the model's device first (MMEngine's default data preprocessor does
this); on the CPU that is a no-op.

:func:`model_steps` resolves the three step callables once per run, so the loops call
them without further checks. Under DDP the forward must go through the wrapper for
gradient synchronisation, which :class:`MMDistributedDataParallel` does (named as
MMEngine's DDP wrapper, so code that recognises wrappers by name keeps working).
"""
from __future__ import annotations

import itertools
from collections import OrderedDict
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from hookport.errors import HookportError
from hookport.optim.wrapper import NO_CONTEXT


def _mean(value: torch.Tensor) -> torch.Tensor:
    # The mean of a 0-dim tensor is the tensor itself (same value and gradient); skipping the op
    # saves a few microseconds per iteration on the common case of a scalar loss.
    return value if value.dim() == 0 else value.mean()


def parse_losses(losses: Any) -> Tuple[torch.Tensor, "OrderedDict[str, torch.Tensor]"]:
    """Reduce a model's losses to ``(total_loss, log_vars)`` as MMEngine does.

    A tensor is taken as the loss itself. In a dict, each tensor value is averaged, each
    list of tensors is the sum of their averages, and the total is the sum of the entries
    whose key contains ``'loss'``; ``log_vars`` starts with ``loss`` and holds every entry
    (detached, so logging never keeps the graph alive).
    """
    if isinstance(losses, torch.Tensor):  # runs every iteration: _mean inlined
        loss = losses if losses.dim() == 0 else losses.mean()
        return loss, OrderedDict(loss=loss.detach())
    if not isinstance(losses, dict):
        raise HookportError(f"the model's loss output must be a tensor or a dict of tensors, "
                            f"got {type(losses).__name__}")
    items = []
    for name, value in losses.items():
        if isinstance(value, torch.Tensor):
            items.append((name, _mean(value)))
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, torch.Tensor) for v in value):
            items.append((name, sum(_mean(v) for v in value)))
        else:
            raise HookportError(f"loss {name!r} is not a tensor or a list of tensors "
                                f"(got {type(value).__name__})")
    loss_terms = [value for name, value in items if "loss" in name]
    if not loss_terms:
        raise HookportError(f"no loss to optimise: none of the model's outputs {[n for n, _ in items]} "
                            f"has 'loss' in its name")
    loss = sum(loss_terms)
    log_vars = OrderedDict([("loss", loss.detach())] + [(n, v.detach()) for n, v in items])
    return loss, log_vars


def run_forward(module: nn.Module, data: Any, mode: Optional[str] = None) -> Any:
    """Call ``module`` on a collated batch: a dict as keywords, a list/tuple as positionals.

    ``mode`` is passed as a keyword when given (MMEngine-style models); plain modules
    are called without it.
    """
    if mode is not None:
        if isinstance(data, dict):
            return module(**data, mode=mode)
        if isinstance(data, (list, tuple)):
            return module(*data, mode=mode)
        return module(data, mode=mode)
    if isinstance(data, (list, tuple)):  # the common collated batch first
        return module(*data)
    if isinstance(data, dict):
        return module(**data)
    return module(data)


def model_device(model: nn.Module) -> torch.device:
    """The device of ``model``'s first parameter (or buffer); CPU for a model without either."""
    for tensor in itertools.chain(model.parameters(), model.buffers()):
        return tensor.device
    return torch.device("cpu")


def cast_data(data: Any, device: torch.device) -> Any:
    """``data`` with every tensor (in dicts, lists, tuples) moved to ``device``.

    A no-op on the CPU, where collated batches already are; this is the part of MMEngine's
    default data preprocessor that models without one rely on.
    """
    if device.type == "cpu":
        return data
    if isinstance(data, torch.Tensor):
        return data.to(device, non_blocking=True)
    if isinstance(data, dict):
        return type(data)((k, cast_data(v, device)) for k, v in data.items())
    if isinstance(data, (list, tuple)) and not hasattr(data, "_fields"):
        return type(data)(cast_data(v, device) for v in data)
    return data


class BaseModel(nn.Module):
    """MMEngine-style model: implement ``forward(..., mode='loss'|'predict'|'tensor')``.

    ``train_step`` runs the forward inside ``optim_wrapper.optim_context`` (autocast,
    DDP ``no_sync`` during gradient accumulation), reduces the losses with
    :func:`parse_losses` and lets the wrapper update the parameters.
    """

    def data_preprocessor(self, data: Any, training: bool = False) -> Any:
        """Prepare a collated batch for ``forward``: move its tensors to the model's device.

        Override (or assign a callable) for normalisation, stacking...; MMEngine's models call
        ``self.data_preprocessor(data, training)`` the same way.
        """
        return cast_data(data, model_device(self))

    def train_step(self, data: Any, optim_wrapper) -> Dict[str, torch.Tensor]:
        """One optimisation step; returns the detached log variables."""
        with optim_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            losses = run_forward(self, data, mode="loss")
        loss, log_vars = parse_losses(losses)
        optim_wrapper.update_params(loss)
        return log_vars

    def val_step(self, data: Any) -> Any:
        """Predictions for a validation batch."""
        return run_forward(self, self.data_preprocessor(data, False), mode="predict")

    def test_step(self, data: Any) -> Any:
        """Predictions for a test batch."""
        return run_forward(self, self.data_preprocessor(data, False), mode="predict")

    parse_losses = staticmethod(parse_losses)


class MMDistributedDataParallel(DistributedDataParallel):
    """DDP wrapper that keeps the step protocol and routes every forward through DDP."""

    def train_step(self, data: Any, optim_wrapper) -> Dict[str, torch.Tensor]:
        """One optimisation step with gradient synchronisation."""
        mode = "loss" if _is_step_model(self.module) else None
        with optim_wrapper.optim_context(self):
            data = _preprocess(self.module, data, True)
            losses = run_forward(self, data, mode=mode)
        loss, log_vars = parse_losses(losses)
        optim_wrapper.update_params(loss)
        return log_vars

    def val_step(self, data: Any) -> Any:
        """Predictions for a validation batch (no gradient sync needed)."""
        return model_steps(self.module).val(data)

    def test_step(self, data: Any) -> Any:
        """Predictions for a test batch."""
        return model_steps(self.module).test(data)


class Steps(NamedTuple):
    """The three step callables of a model."""

    train: Callable[[Any, Any], Any]
    val: Callable[[Any], Any]
    test: Callable[[Any], Any]


def _preprocess(model: nn.Module, data: Any, training: bool) -> Any:
    """The model's own ``data_preprocessor`` if it has one, else a move to its device."""
    preprocess = getattr(model, "data_preprocessor", None)
    if callable(preprocess):
        return preprocess(data, training)
    return cast_data(data, model_device(model))


def _is_step_model(model: nn.Module) -> bool:
    return callable(getattr(model, "train_step", None))


def unwrap(model: nn.Module) -> nn.Module:
    """The user's model inside a DDP wrapper (the model itself otherwise)."""
    return model.module if isinstance(model, DistributedDataParallel) else model


def model_steps(model: nn.Module) -> Steps:
    """Resolve ``model``'s step protocol once (see the module docstring)."""
    if _is_step_model(model):
        return Steps(model.train_step, getattr(model, "val_step", None) or _plain_predict(model),
                     getattr(model, "test_step", None) or _plain_predict(model))

    device = model_device(model)  # resolved once per run: batches are moved to it
    on_cpu = device.type == "cpu"  # collated batches already are: no move to make

    def train(data: Any, optim_wrapper) -> Dict[str, torch.Tensor]:
        context = optim_wrapper.optim_context(model)
        if context is NO_CONTEXT:  # the common case: nothing to enter (saves two calls per iteration)
            losses = run_forward(model, data if on_cpu else cast_data(data, device))
        else:
            with context:
                losses = run_forward(model, data if on_cpu else cast_data(data, device))
        loss, log_vars = parse_losses(losses)
        optim_wrapper.update_params(loss)
        return log_vars

    predict = _plain_predict(model)
    return Steps(train, predict, predict)


def _plain_predict(model: nn.Module) -> Callable[[Any], Any]:
    device = model_device(model)

    def predict(data: Any) -> Any:
        return run_forward(model, cast_data(data, device))
    return predict
