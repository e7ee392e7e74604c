"""MMCV's distributed helpers without a top-level torch import (legacy hook files import them)."""
from __future__ import annotations

import functools
import sys
from typing import Any, Callable, Tuple


def get_dist_info() -> Tuple[int, int]:
    """``(rank, world_size)``; ``(0, 1)`` when no process group is initialised (or torch is not loaded)."""
    dist = sys.modules.get("torch.distributed")
    if dist is not None and dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def master_only(func: Callable) -> Callable:
    """Run ``func`` on rank 0 only (other ranks get None)."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if get_dist_info()[0] == 0:
            return func(*args, **kwargs)
        return None
    return wrapper


def allreduce_params(params, coalesce: bool = True, bucket_size_mb: int = -1) -> None:
    """Average tensors (parameters or buffers) across ranks in place."""
    rank, world_size = get_dist_info()
    if world_size == 1:
        return
    import torch.distributed as dist

    for tensor in params:
        dist.all_reduce(tensor.data)
        tensor.data.div_(world_size)


def init_dist(launcher: str, backend: str = "nccl", **kwargs: Any) -> None:
    """Initialise the process group for ``launcher`` ('pytorch': torchrun environment)."""
    from hookport.runner import dist

    dist.init_dist(launcher, backend)
