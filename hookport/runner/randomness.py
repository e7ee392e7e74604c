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
