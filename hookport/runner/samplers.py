"""Data samplers and collate functions (MMEngine's ``DefaultSampler``, ``InfiniteSampler``,
``pseudo_collate``, ``default_collate``).

Samplers shard the dataset across ranks and draw their shuffling order from
``seed + epoch``, so every rank agrees on the order and a resumed run replays the
same order as an uninterrupted one.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Iterator, Optional

import torch
from torch.utils.data import Sampler
from torch.utils.data._utils.collate import default_collate as _torch_default_collate

from hookport.registry import COLLATE_FUNCTIONS, DATA_SAMPLERS
from hookport.runner.dist import get_dist_info, sync_random_seed


@DATA_SAMPLERS.register_module()
class DefaultSampler(Sampler):
    """Finite sampler for epoch-based training, sharded by rank.

    Args:
        dataset: the dataset (only its length is used).
        shuffle: shuffle with ``seed + epoch``.
        seed: shared seed; drawn on rank 0 and broadcast when None.
        round_up: pad the index list so every rank gets the same number of samples.
    """

    def __init__(self, dataset, shuffle: bool = True, seed: Optional[int] = None, round_up: bool = True):
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0
        self.round_up = round_up
        if round_up:
            self.num_samples = math.ceil(len(dataset) / self.world_size)
            self.total_size = self.num_samples * self.world_size
        else:
            self.num_samples = math.ceil((len(dataset) - self.rank) / self.world_size)
            self.total_size = len(dataset)

    def __iter__(self) -> Iterator[int]:
        if self.shuffle:
            gen = torch.Generator()
            gen.manual_seed(self.seed + self.epoch)
            indices = torch.randperm(len(self.dataset), generator=gen).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if self.round_up:
            indices = (indices * (self.total_size // max(len(indices), 1) + 1))[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.world_size])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Select the shuffling order of ``epoch``."""
        self.epoch = epoch


@DATA_SAMPLERS.register_module()
class InfiniteSampler(Sampler):
    """Endless sampler for iteration-based training, sharded by rank.

    The stream of indices is a concatenation of permutations drawn from one generator
    seeded once, so it does not depend on the epoch (``set_epoch`` only records it,
    as in MMEngine).
    """

    def __init__(self, dataset, shuffle: bool = True, seed: Optional[int] = None):
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.size = len(dataset)
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0

    def _infinite_indices(self) -> Iterator[int]:
        gen = torch.Generator()
        gen.manual_seed(self.seed)
        while True:
            if self.shuffle:
                yield from torch.randperm(self.size, generator=gen).tolist()
            else:
                yield from range(self.size)

    def __iter__(self) -> Iterator[int]:
        return itertools.islice(self._infinite_indices(), self.rank, None, self.world_size)

    def __len__(self) -> int:
        return self.size

    def set_epoch(self, epoch: int) -> None:
        """Record the epoch; the index stream does not depend on it."""
        self.epoch = epoch


@COLLATE_FUNCTIONS.register_module()
def pseudo_collate(data_batch: Sequence) -> Any:
    """Transpose a list of samples without stacking: a list of dicts becomes a dict of lists.

    Tensors stay separate (a model's data preprocessor stacks them), tuples become
    tuples of lists, anything else a list.
    """
    elem = data_batch[0]
    if isinstance(elem, Mapping):
        return type(elem)({key: pseudo_collate([d[key] for d in data_batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(pseudo_collate(list(s)) for s in zip(*data_batch)))
    if isinstance(elem, Sequence) and not isinstance(elem, (str, bytes)):
        if any(len(d) != len(elem) for d in data_batch):
            raise RuntimeError("each element in the batch should be of equal size")
        transposed = [pseudo_collate(list(s)) for s in zip(*data_batch)]
        return tuple(transposed) if isinstance(elem, tuple) else transposed
    return list(data_batch)


@COLLATE_FUNCTIONS.register_module()
def default_collate(data_batch: Sequence) -> Any:
    """Stack samples into batch tensors (``torch.utils.data.default_collate``)."""
    return _torch_default_collate(list(data_batch))
