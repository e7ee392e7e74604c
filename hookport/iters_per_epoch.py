"""Iterations per epoch of one process, counted from a config's training dataset.

``hookport schedule`` and the verification of ``hookport convert --exec`` use it when
the user gives no ``--iters-per-epoch``. The dataset is built only for this count, so
importing this module loads nothing; building may import torch and the user's code.
"""
from __future__ import annotations

import math
from typing import Any, Tuple

from hookport.errors import ConfigError


def _train_loader_spec(cfg: Any) -> Tuple[Any, Any, bool]:
    """(dataset cfg, batch size, drop_last) for MMEngine (``train_dataloader``) or MMCV (``data.train``)."""
    loader = cfg.get("train_dataloader")
    if isinstance(loader, dict) and "dataset" in loader:
        return loader["dataset"], loader.get("batch_size"), bool(loader.get("drop_last", False))
    data = cfg.get("data")
    if isinstance(data, dict) and "train" in data:
        return data["train"], data.get("samples_per_gpu"), False
    train_data = cfg.get("train_data")  # iMIX: train_data=dict(samples_per_gpu=..., data=dict(type=...))
    if isinstance(train_data, dict) and "data" in train_data:
        return train_data["data"], train_data.get("samples_per_gpu"), False
    raise ConfigError("the config has no training dataset (train_dataloader.dataset, data.train or train_data.data)")


def iters_from_dataset(cfg: Any) -> int:
    """Iterations per epoch of one process: ``len(dataset) / batch_size``, floored with drop_last."""
    try:
        dataset_cfg, batch_size, drop_last = _train_loader_spec(cfg)
        if not isinstance(batch_size, int) or batch_size <= 0:
            raise ConfigError(f"the training batch size is {batch_size!r}")
        from hookport.registry import DATASETS  # datasets may import torch: only on this path

        dataset = DATASETS.build(dict(dataset_cfg)) if isinstance(dataset_cfg, dict) else dataset_cfg
        size = len(dataset)
    except Exception as err:  # any failure to build the dataset means: ask the user for the number
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(f"cannot count iterations per epoch from the training dataset ({reason}); "
                          f"pass --iters-per-epoch N") from err
    iters = size // batch_size if drop_last else math.ceil(size / batch_size)
    if iters <= 0:
        raise ConfigError(f"the training dataset gives {iters} iterations per epoch ({size} samples, "
                          f"batch size {batch_size}); pass --iters-per-epoch N")
    return iters
