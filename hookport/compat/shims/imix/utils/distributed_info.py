"""Stand-in for ``imix.utils.distributed_info`` (``comm``): rank helpers on torch.distributed.

Imports torch only when called, so hook modules importing it stay cheap.
"""
import functools
from typing import Any, Callable

__all__ = ["get_world_size", "get_rank", "is_main_process", "master_only_run", "synchronize"]


def _dist() -> Any:
    import torch.distributed as dist

    return dist if dist.is_available() and dist.is_initialized() else None


def get_world_size() -> int:
    """Number of processes (1 when not distributed)."""
    dist = _dist()
    return dist.get_world_size() if dist else 1


def get_rank() -> int:
    """This process's rank (0 when not distributed)."""
    dist = _dist()
    return dist.get_rank() if dist else 0


def is_main_process() -> bool:
    """True on rank 0."""
    return get_rank() == 0


def master_only_run(func: Callable) -> Callable:
    """Run ``func`` on the main process only (None elsewhere)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs) if is_main_process() else None

    return wrapper


def synchronize() -> None:
    """A barrier across processes (nothing when not distributed)."""
    dist = _dist()
    if dist and dist.get_world_size() > 1:
        dist.barrier()
