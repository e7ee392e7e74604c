"""Shared set-up for the MMCV 1.7.2 reference-data scripts (run with $REFENV/bin/python).

Importing this module makes the real ``mmcv.runner`` importable on CPU torch without torchvision
and removes the runners' sleeps, then offers the toy pieces every script uses.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import types
import warnings

warnings.filterwarnings("ignore")

# mmcv.runner imports torchvision at import time; no torchvision wheel matches the CPU torch here.
_tv = types.ModuleType("torchvision")
_tv.models = types.ModuleType("torchvision.models")
sys.modules.setdefault("torchvision", _tv)
sys.modules.setdefault("torchvision.models", _tv.models)

import mmcv  # noqa: E402
import mmcv.runner.epoch_based_runner as _ebr  # noqa: E402
import mmcv.runner.iter_based_runner as _ibr  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

# The runners sleep 2 s per epoch (and 1 s at the end of an IterBasedRunner run): make that a no-op.
_fast_time = types.SimpleNamespace(**{k: getattr(_ebr.time, k) for k in dir(_ebr.time) if not k.startswith("__")})
_fast_time.sleep = lambda *_a, **_k: None
_ebr.time = _fast_time
_ibr.time = _fast_time

assert mmcv.__version__ == "1.7.2", mmcv.__version__

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(REPO, "tests", "data", "reference", "mmcv")


class ToyModel(nn.Module):
    """Two linear layers (two parameter groups are possible) with MMCV's train_step protocol."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 2)
        self.b = nn.Linear(2, 1)

    def forward(self, x):
        return self.b(self.a(x))

    def train_step(self, data_batch, optimizer, **kwargs):
        x, y = data_batch
        loss = ((self(x) - y) ** 2).mean()
        return dict(loss=loss, log_vars=dict(loss=float(loss)), num_samples=len(x))

    def val_step(self, data_batch, optimizer=None, **kwargs):
        return self.train_step(data_batch, optimizer)


def toy_loader(n_batches: int = 10, batch_size: int = 2, seed: int = 0):
    """A deterministic, unshuffled DataLoader with ``n_batches`` batches of (x, y)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n_batches * batch_size, 2, generator=g)
    y = torch.randn(n_batches * batch_size, 1, generator=g)
    return torch.utils.data.DataLoader(list(zip(x, y)), batch_size=batch_size, shuffle=False)


def temp_work_dir() -> str:
    """A fresh temporary directory for a runner's work_dir."""
    return tempfile.mkdtemp(prefix="mmcv_ref_")


def write_json(name: str, payload: dict) -> str:
    """Write ``payload`` to tests/data/reference/mmcv/<name>: sorted keys, one list item per line."""
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    lines = []
    for key in sorted(payload):
        value = payload[key]
        if isinstance(value, list):
            items = ",\n  ".join(json.dumps(v, sort_keys=True) for v in value)
            lines.append(f"{json.dumps(key)}: [\n  {items}\n ]")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, sort_keys=True)}")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("{\n " + ",\n ".join(lines) + "\n}\n")
    os.replace(tmp, path)
    return path
