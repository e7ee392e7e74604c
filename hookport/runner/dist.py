"""torch.distributed helpers: rank/world size, process-group set-up, object collectives.

Every helper degrades to the single-process answer when no process group is
initialised, so runner code never branches on ``distributed`` itself.
"""
from __future__ import annotations

import functools
import os
from typing import Any, Callable, List, Optional, Tuple

import torch
import torch.distributed as torch_dist

from hookport.errors import HookportError


def is_distributed() -> bool:
    """Whether a default process group is initialised."""
    return torch_dist.is_available() and torch_dist.is_initialized()


def get_dist_info() -> Tuple[int, int]:
    """``(rank, world_size)``; ``(0, 1)`` outside a process group."""
    if is_distributed():
        return torch_dist.get_rank(), torch_dist.get_world_size()
    return 0, 1


def get_rank() -> int:
    """This process's global rank (0 when not distributed)."""
    return get_dist_info()[0]


def is_main_process() -> bool:
    """True on rank 0: the process that logs and writes checkpoints."""
    return get_rank() == 0


def master_only(func: Callable) -> Callable:
    """Run ``func`` on rank 0 only; other ranks get None."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if is_main_process():
            return func(*args, **kwargs)
        return None
    return wrapper


def default_backend() -> str:
    """``nccl`` when CUDA is usable, else ``gloo`` (MMEngine 0.10.7 insists on nccl and fails on CPU)."""
    return "nccl" if torch.cuda.is_available() and torch_dist.is_nccl_available() else "gloo"


def init_dist(launcher: str, backend: Optional[str] = None, timeout_s: Optional[float] = None) -> None:
    """Initialise the default process group for ``launcher``.

    Only ``pytorch`` (torchrun / ``torch.distributed.launch``: ``RANK``, ``WORLD_SIZE``,
    ``MASTER_ADDR``, ``MASTER_PORT`` in the environment) is supported; ``none`` does nothing.
    """
    if launcher == "none":
        return
    if launcher != "pytorch":
        raise HookportError(f"unsupported launcher {launcher!r}; expected 'none' or 'pytorch'")
    if is_distributed():
        return
    missing = [k for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT") if k not in os.environ]
    if missing:
        raise HookportError(f"--launcher pytorch needs {', '.join(missing)} in the environment; "
                            f"start the job with torchrun")
    backend = backend or default_backend()
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    kwargs = {}
    if timeout_s is not None:
        import datetime

        kwargs["timeout"] = datetime.timedelta(seconds=timeout_s)
    torch_dist.init_process_group(backend=backend, **kwargs)


def destroy_dist() -> None:
    """Leave the process group (if any) after a barrier, so no rank exits while another still talks to it.

    Exiting with a live gloo group can abort the process at interpreter shutdown
    ("terminate called without an active exception").
    """
    if is_distributed():
        torch_dist.barrier()
        torch_dist.destroy_process_group()


def barrier() -> None:
    """Synchronise all ranks (no-op when not distributed)."""
    if is_distributed():
        torch_dist.barrier()


def broadcast_object(obj: Any, src: int = 0) -> Any:
    """Return rank ``src``'s ``obj`` on every rank."""
    if not is_distributed():
        return obj
    box = [obj]
    torch_dist.broadcast_object_list(box, src=src)
    return box[0]


def all_gather_object(obj: Any) -> List[Any]:
    """Every rank's ``obj``, in rank order."""
    if not is_distributed():
        return [obj]
    out: List[Any] = [None] * torch_dist.get_world_size()
    torch_dist.all_gather_object(out, obj)
    return out


def sync_random_seed() -> int:
    """A random seed drawn on rank 0 and shared with every rank."""
    return broadcast_object(int.from_bytes(os.urandom(4), "little") % 2**31)
