"""MMDetection 2.x's training samplers, for datasets with an aspect-ratio ``flag``.

MMDetection 2.x datasets carry ``flag`` (0/1 per image: landscape or portrait) and its
``build_dataloader`` samples so that every batch holds one group only:

- ``GroupSampler`` (one process, shuffled): each group shuffled with NumPy's global RNG and
  padded to a multiple of ``samples_per_gpu`` by random repeats, then batches permuted;
- ``DistributedGroupSampler`` (``torchrun``, shuffled): the same with a ``torch.Generator``
  seeded by ``seed + epoch``, groups padded by cycling, each rank taking a contiguous slice;
- ``InfiniteGroupBatchSampler`` / ``InfiniteBatchSampler`` (IterBasedRunner): an endless
  stream of (per-rank, strided) indices, reshuffled every pass with one seeded generator,
  cut into batches (per group for the first).

The index order equals MMDetection 2.28.2's for the same seeds
(tests/data/reference/mmcv/mmdet_samplers.json). The RNG calls are made in the same order
and number as there, since later draws (and the model's initialisation in the next run)
depend on them.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Iterator, List, Optional

import numpy as np
import torch
from torch.utils.data import Sampler

from hookport.runner import dist


def _groups(dataset: Any) -> np.ndarray:
    flag = getattr(dataset, "flag", None)
    if flag is None:
        raise TypeError(f"{type(dataset).__name__} has no 'flag' (MMDetection's aspect-ratio groups)")
    return np.bincount(np.asarray(flag).astype(np.int64))


class GroupSampler(Sampler):
    """One process: every ``samples_per_gpu`` consecutive indices share a flag group."""

    def __init__(self, dataset: Any, samples_per_gpu: int = 1):
        self.group_sizes = _groups(dataset)
        self.flag = np.asarray(dataset.flag).astype(np.int64)
        self.samples_per_gpu = samples_per_gpu
        self.num_samples = sum(math.ceil(size / samples_per_gpu) * samples_per_gpu for size in self.group_sizes)

    def __iter__(self) -> Iterator[int]:
        per_gpu = self.samples_per_gpu
        padded = []
        for group, size in enumerate(self.group_sizes):
            if size == 0:
                continue
            members = np.where(self.flag == group)[0]
            np.random.shuffle(members)
            # choice() is called even with nothing to pad: it is what MMDetection's RNG stream saw
            extra = math.ceil(size / per_gpu) * per_gpu - size
            padded.append(np.concatenate([members, np.random.choice(members, extra)]))
        order = np.concatenate(padded)
        batches = [order[i * per_gpu:(i + 1) * per_gpu] for i in np.random.permutation(len(order) // per_gpu)]
        return iter(np.concatenate(batches).astype(np.int64).tolist())

    def __len__(self) -> int:
        return self.num_samples


class DistributedGroupSampler(Sampler):
    """One rank's share of group-pure batches, reshuffled per epoch (``set_epoch``) from ``seed``."""

    def __init__(self, dataset: Any, samples_per_gpu: int = 1, num_replicas: Optional[int] = None,
                 rank: Optional[int] = None, seed: Optional[int] = 0):
        default_rank, default_world = dist.get_dist_info()
        self.num_replicas = default_world if num_replicas is None else num_replicas
        self.rank = default_rank if rank is None else rank
        self.group_sizes = _groups(dataset)
        self.flag = np.asarray(dataset.flag)
        self.samples_per_gpu = samples_per_gpu
        self.seed = 0 if seed is None else seed
        self.epoch = 0
        self.num_samples = sum(math.ceil(size / samples_per_gpu / self.num_replicas) * samples_per_gpu
                               for size in self.group_sizes)
        self.total_size = self.num_samples * self.num_replicas

    def __iter__(self) -> Iterator[int]:
        generator = torch.Generator()
        generator.manual_seed(self.epoch + self.seed)
        per_gpu, world = self.samples_per_gpu, self.num_replicas
        indices: List[int] = []
        for group, size in enumerate(self.group_sizes):
            if size == 0:
                continue
            members = np.where(self.flag == group)[0]
            shuffled = members[torch.randperm(int(size), generator=generator).numpy()].tolist()
            target = math.ceil(size / per_gpu / world) * per_gpu * world
            indices.extend(itertools.islice(itertools.cycle(shuffled), target))
        order = torch.randperm(len(indices) // per_gpu, generator=generator).tolist()
        indices = [indices[j] for i in order for j in range(i * per_gpu, (i + 1) * per_gpu)]
        offset = self.num_samples * self.rank
        return iter(indices[offset:offset + self.num_samples])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Reshuffle for ``epoch`` (DistSamplerSeedHook calls it before each epoch)."""
        self.epoch = epoch


def sync_random_seed(seed: Optional[int] = None) -> int:
    """``seed``, or (None) a random one drawn with NumPy's global RNG on rank 0 and shared with every rank."""
    if seed is None:
        seed = int(np.random.randint(2 ** 31)) if dist.is_main_process() else 0
    return dist.broadcast_object(seed)


class InfiniteBatchSampler(Sampler):
    """Endless batches for IterBasedRunner: pass after pass over the dataset, every ``world_size``-th index."""

    def __init__(self, dataset: Any, batch_size: int = 1, world_size: Optional[int] = None,
                 rank: Optional[int] = None, seed: Optional[int] = 0, shuffle: bool = True):
        default_rank, default_world = dist.get_dist_info()
        self.world_size = default_world if world_size is None else world_size
        self.rank = default_rank if rank is None else rank
        self.dataset, self.batch_size, self.shuffle = dataset, batch_size, shuffle
        self.seed = sync_random_seed(seed)
        self.size = len(dataset)
        self.indices = itertools.islice(self._passes(), self.rank, None, self.world_size)

    def _passes(self) -> Iterator[int]:
        generator = torch.Generator()
        generator.manual_seed(self.seed)
        while True:
            if self.shuffle:
                yield from torch.randperm(self.size, generator=generator).tolist()
            else:
                yield from range(self.size)

    def __iter__(self) -> Iterator[List[int]]:
        batch: List[int] = []
        for index in self.indices:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []

    def __len__(self) -> int:
        raise TypeError("an infinite batch sampler has no length (IterBasedRunner counts iterations)")


class InfiniteGroupBatchSampler(InfiniteBatchSampler):
    """:class:`InfiniteBatchSampler` whose batches are group-pure: each group fills its own batch."""

    def __init__(self, dataset: Any, batch_size: int = 1, world_size: Optional[int] = None,
                 rank: Optional[int] = None, seed: Optional[int] = 0, shuffle: bool = True):
        self.group_sizes = _groups(dataset)
        self.flag = np.asarray(dataset.flag)
        # per-group partial batches live as long as the sampler, like its index stream
        self.pending = {group: [] for group in range(len(self.group_sizes))}
        super().__init__(dataset, batch_size, world_size, rank, seed, shuffle)

    def __iter__(self) -> Iterator[List[int]]:
        for index in self.indices:
            batch = self.pending[self.flag[index]]
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch[:]
                del batch[:]
