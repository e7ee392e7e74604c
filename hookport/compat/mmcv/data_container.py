"""MMCV's ``DataContainer``, its ``collate`` and the single-process ``scatter`` that unwraps it.

MMCV-era datasets wrap sample fields that cannot be stacked by torch's ``default_collate``:
images of different sizes (``stack=True``: padded on their last ``pad_dims`` dimensions to the
largest in the batch, then stacked), per-image annotations (``stack=False``: kept as a list) and
metadata (``cpu_only=True``: a list that never moves to a device). ``collate`` batches them
per ``samples_per_gpu`` chunk, and the data-parallel wrappers ``scatter`` the batch before
``train_step``: in one process, every container becomes its first chunk. hookport does that
scatter itself before the model's step and before evaluation, as MMDataParallel did.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

import torch
import torch.nn.functional as F
from torch.utils.data.dataloader import default_collate

from hookport.errors import ConfigError


class DataContainer:
    """One sample field and how to batch it (``stack``, ``padding_value``, ``cpu_only``, ``pad_dims``)."""

    def __init__(self, data: Any, stack: bool = False, padding_value: int = 0, cpu_only: bool = False,
                 pad_dims: Optional[int] = 2):
        if pad_dims not in (None, 1, 2, 3):
            raise ConfigError(f"DataContainer: pad_dims must be None, 1, 2 or 3, got {pad_dims!r}")
        self._data, self._stack, self._padding_value = data, stack, padding_value
        self._cpu_only, self._pad_dims = cpu_only, pad_dims

    data = property(lambda self: self._data, doc="The wrapped value.")
    stack = property(lambda self: self._stack, doc="Whether batching stacks the values into one tensor.")
    padding_value = property(lambda self: self._padding_value, doc="The value padding fills in.")
    cpu_only = property(lambda self: self._cpu_only, doc="Whether the value stays on the CPU (metadata).")
    pad_dims = property(lambda self: self._pad_dims, doc="How many trailing dimensions are padded.")

    @property
    def datatype(self) -> Any:
        """The tensor type name (``torch.FloatTensor``), else the value's class."""
        return self._data.type() if isinstance(self._data, torch.Tensor) else type(self._data)

    def _tensor(self, what: str) -> torch.Tensor:
        if not isinstance(self._data, torch.Tensor):
            raise AttributeError(f"{type(self).__name__} has no attribute {what} for type {self.datatype}")
        return self._data

    def size(self, *args: Any, **kwargs: Any) -> torch.Size:
        """The wrapped tensor's size."""
        return self._tensor("size").size(*args, **kwargs)

    def dim(self) -> int:
        """The wrapped tensor's number of dimensions."""
        return self._tensor("dim").dim()

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"


def collate(batch: Sequence, samples_per_gpu: int = 1) -> Any:
    """Batch samples; DataContainer fields become a DataContainer of per-``samples_per_gpu`` chunks.

    Everything else is batched as MMCV did: sequences field by field (as lists), mappings key by
    key, the rest with torch's ``default_collate``. Strings are batched into a list of strings
    (MMCV split them into characters until it ran out of stack).
    """
    if not isinstance(batch, Sequence):
        raise TypeError(f"{getattr(batch, 'dtype', type(batch).__name__)} is not supported.")
    first = batch[0]
    if isinstance(first, DataContainer):
        chunks = [batch[i:i + samples_per_gpu] for i in range(0, len(batch), samples_per_gpu)]
        if first.cpu_only:
            return DataContainer([[s.data for s in chunk] for chunk in chunks], first.stack, first.padding_value,
                                 cpu_only=True)
        if first.stack:
            return DataContainer([_stacked(chunk) for chunk in chunks], first.stack, first.padding_value)
        return DataContainer([[s.data for s in chunk] for chunk in chunks], first.stack, first.padding_value)
    if isinstance(first, Sequence) and not isinstance(first, (str, bytes)):
        return [collate(list(samples), samples_per_gpu) for samples in zip(*batch)]
    if isinstance(first, Mapping):
        return {key: collate([sample[key] for sample in batch], samples_per_gpu) for key in first}
    return default_collate(batch)


def _stacked(chunk: Sequence[DataContainer]) -> torch.Tensor:
    """One chunk of ``stack=True`` tensors, padded at the end of their last ``pad_dims`` dims, stacked."""
    head = chunk[0]
    if not isinstance(head.data, torch.Tensor):
        raise ConfigError(f"DataContainer(stack=True) needs tensors, got {type(head.data).__name__}")
    dims = head.pad_dims
    if dims is None:
        return default_collate([s.data for s in chunk])
    if head.dim() <= dims:
        raise ConfigError(f"DataContainer: a {head.dim()}-d tensor cannot be padded on {dims} dimensions")
    fixed = head.dim() - dims
    for sample in chunk:
        if sample.size()[:fixed] != head.size()[:fixed]:
            raise ConfigError(f"DataContainer: cannot stack sizes {tuple(head.size())} and {tuple(sample.size())}: "
                              f"only the last {dims} dimension(s) are padded")
    largest = [max(s.size(-d) for s in chunk) for d in range(1, dims + 1)]
    padded = []
    for sample in chunk:
        # F.pad takes (before, after) pairs from the last dimension backwards: pad after only
        pad = [amount for d in range(1, dims + 1) for amount in (0, largest[d - 1] - sample.size(-d))]
        padded.append(F.pad(sample.data, pad, value=sample.padding_value))
    return default_collate(padded)


def scatter(inputs: Any, device: Optional[torch.device] = None) -> Any:
    """``inputs`` as the model's step gets it in one process: containers unwrapped to their first chunk.

    Tensors (except ``cpu_only`` metadata) are made contiguous and moved to ``device`` (when given
    and not the CPU), as MMDataParallel's scatter did.
    """
    if isinstance(inputs, torch.Tensor):
        out = inputs.contiguous()
        return out.to(device) if device is not None and device.type != "cpu" else out
    if isinstance(inputs, DataContainer):
        return inputs.data[0] if inputs.cpu_only else scatter(inputs.data[0], device)
    if isinstance(inputs, tuple) and inputs:
        return tuple(scatter(item, device) for item in inputs)
    if isinstance(inputs, list) and inputs:
        return [scatter(item, device) for item in inputs]
    if isinstance(inputs, dict) and inputs:
        return type(inputs)((key, scatter(value, device)) for key, value in inputs.items())
    return inputs
