"""Seeding (``randomness=dict(seed=None, deterministic=False, diff_rank_seed=False)``)."""
from __future__ import annotations

import os
import random
from typing import Optional

import torch

from hookport.runner.dist import get_rank, sync_random_seed


def set_random_seed(seed: Optional[int] = None, deterministic: bool = False, diff_rank_seed: bool = False) -> int:
    """Seed Python, NumPy (when installed) and torch; return the seed used.

    ``seed=None`` draws one on rank 0 and shares it; ``diff_rank_seed`` adds the rank
    so ranks differ; ``deterministic`` makes cuDNN and torch pick deterministic kernels.
    """
    if seed is None:
        seed = sync_random_seed()
    if diff_rank_seed:
        seed += get_rank()
    random.seed(seed)
    try:
        import numpy as np
    except ImportError:  # numpy is optional for hookport
        pass
    else:
        np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        torch.use_deterministic_algorithms(True)
    return seed


def get_rng_state() -> dict:
    """This process's random generator states as plain data (loadable with ``weights_only=True``)."""
    state = {"python": random.getstate(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    try:
        import numpy as np
    except ImportError:  # numpy is optional
        return state
    np_state = np.random.get_state(legacy=False)
    np_state["state"] = {"key": np_state["state"]["key"].tolist(), "pos": int(np_state["state"]["pos"])}
    state["numpy"] = np_state
    return state


def set_rng_state(state: dict) -> None:
    """Restore states saved by :func:`get_rng_state` (parts this process cannot use are skipped)."""
    if "python" in state:
        version, internal, gauss = state["python"]
        random.setstate((version, tuple(internal), gauss))
    if "torch" in state:
        torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available() and len(state["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(state["cuda"])
    if "numpy" in state:
        try:
            import numpy as np
        except ImportError:
            return
        np_state = dict(state["numpy"])
        np_state["state"] = {"key": np.asarray(np_state["state"]["key"], dtype=np.uint32),
                             "pos": np_state["state"]["pos"]}
        np.random.set_state(np_state)
