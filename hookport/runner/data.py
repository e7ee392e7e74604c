"""Building a ``DataLoader`` from an MMEngine dataloader config.

``dict(dataset=<instance or dict>, sampler=dict(type='DefaultSampler', shuffle=True),
batch_size=..., collate_fn=<callable or dict(type=...)>, num_workers=..., ...)``: the
sampler gets the runner's seed (so every rank shuffles alike; with ``diff_rank_seed``
it gets none and draws its own), ``collate_fn`` defaults to ``pseudo_collate``, and
workers are seeded from ``seed + worker_id + num_workers * rank``.
"""
from __future__ import annotations

import copy
import functools
import random
from typing import Any, Optional

import torch
from torch.utils.data import DataLoader, Subset

from hookport.errors import ConfigError
from hookport.registry import COLLATE_FUNCTIONS, DATA_SAMPLERS, DATASETS


def worker_init_fn(worker_id: int, num_workers: int, rank: int, seed: int) -> None:
    """Seed a dataloader worker so its randomness is reproducible and differs across workers/ranks."""
    worker_seed = num_workers * rank + worker_id + seed
    random.seed(worker_seed)
    torch.manual_seed(worker_seed)
    try:
        import numpy as np
    except ImportError:  # numpy is optional
        return
    np.random.seed(worker_seed % 2**32)


def _collate_fn(spec: Any):
    if spec is None:
        return COLLATE_FUNCTIONS.get("pseudo_collate")
    if isinstance(spec, dict):
        spec = dict(spec)
        if "type" not in spec:
            raise ConfigError(f"collate_fn needs a 'type', got {spec!r}")
        func = COLLATE_FUNCTIONS.get(spec.pop("type"))
        return functools.partial(func, **spec) if spec else func
    if callable(spec):
        return spec
    raise ConfigError(f"collate_fn must be a callable or dict(type=...), got {spec!r}")


def build_dataloader(cfg: Any, seed: Optional[int] = None, rank: int = 0, diff_rank_seed: bool = False) -> Any:
    """A ``DataLoader`` from ``cfg``; a built loader (anything that is not a dict) is returned as is."""
    if not isinstance(cfg, dict):
        return cfg
    cfg = copy.copy(dict(cfg))
    if "dataset" not in cfg:
        raise ConfigError(f"a dataloader config needs a 'dataset', got keys {sorted(cfg)}")
    dataset = cfg.pop("dataset")
    if isinstance(dataset, dict):
        dataset = DATASETS.build(copy.deepcopy(dataset))
        if hasattr(dataset, "full_init"):
            dataset.full_init()
    num_batch_per_epoch = cfg.pop("num_batch_per_epoch", None)
    if num_batch_per_epoch is not None:
        # MMEngine's quick-debug option: train on the first N batches' worth of samples only.
        from hookport.runner.dist import get_dist_info

        size = num_batch_per_epoch * cfg.get("batch_size", 1) * get_dist_info()[1]
        dataset = Subset(dataset, range(min(size, len(dataset))))
    if "sampler" not in cfg:
        raise ConfigError("a dataloader config needs a 'sampler', e.g. sampler=dict(type='DefaultSampler', "
                          "shuffle=True)")
    sampler = cfg.pop("sampler")
    if isinstance(sampler, dict):
        sampler = DATA_SAMPLERS.build(dict(sampler), default_args={
            "dataset": dataset, "seed": None if diff_rank_seed else seed})
    batch_sampler = cfg.pop("batch_sampler", None)
    if isinstance(batch_sampler, dict):
        batch_sampler = DATA_SAMPLERS.build(dict(batch_sampler), default_args={
            "sampler": sampler, "batch_size": cfg.pop("batch_size", 1)})
    collate_fn = _collate_fn(cfg.pop("collate_fn", None))
    init_fn = None
    num_workers = cfg.get("num_workers", 0)
    if seed is not None and num_workers:
        init_fn = functools.partial(worker_init_fn, num_workers=num_workers, rank=rank, seed=seed)
    cfg.pop("worker_init_fn", None)
    # A private generator for the per-iterator base seed: creating an iterator then draws nothing from
    # the global generator, so a resumed run's random stream (dropout...) matches an uninterrupted one.
    # Worker seeds come from ``worker_init_fn`` either way.
    cfg.setdefault("generator", torch.Generator())
    try:
        return DataLoader(dataset=dataset, sampler=None if batch_sampler is not None else sampler,
                          batch_sampler=batch_sampler, collate_fn=collate_fn, worker_init_fn=init_fn, **cfg)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"dataloader: {err}") from None
