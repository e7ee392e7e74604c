"""Checkpoint files: atomic writes, safe loads, and finding the newest one.

Writes go to a temporary file in the target directory and are renamed into
place, so a crash never leaves a truncated checkpoint. ``last_checkpoint`` in the
work dir (written by CheckpointHook, MMEngine's convention) names the newest one;
``resume=True`` reads it.

Loads always use ``torch.load(weights_only=True)`` (the default of current
torch), which unpickles only tensors, containers and primitive values, plus an
explicit allow-list for what real MMEngine checkpoints contain (numpy arrays and
scalars, and MMEngine's history buffers read into an inert stand-in), so
hookport resumes MMEngine 0.10.7 checkpoints that MMEngine itself cannot load
on this torch. A checkpoint that needs anything else is refused with an error
naming the offending types; a user who trusts the file can allow a type with
``torch.serialization.add_safe_globals([...])``.
"""
from __future__ import annotations

import os
import pickle
import re
import tempfile
import warnings
from collections import OrderedDict
from typing import Any, Dict, List, Optional

import torch

from hookport.errors import HookportError

LAST_CHECKPOINT = "last_checkpoint"
# How torch's weights-only unpickler names a refused type, and where its own detail starts.
_REFUSED_GLOBAL = re.compile(r"GLOBAL ([\w.]+) was not an allowed global")
_UNPICKLER_ERROR = "WeightsUnpickler error:"


class CheckpointError(HookportError):
    """A checkpoint that cannot be read safely or does not exist."""


def weights_to_cpu(state_dict: Dict[str, Any]) -> "OrderedDict[str, Any]":
    """A copy of ``state_dict`` with every tensor on the CPU (device-independent checkpoints)."""
    return OrderedDict((k, v.detach().cpu() if isinstance(v, torch.Tensor) else v) for k, v in state_dict.items())


def atomic_torch_save(obj: Any, path: str) -> None:
    """``torch.save`` to ``path`` through a temporary file and ``os.replace``."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pth", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(obj, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class MMEngineHistoryBuffer:
    """Stand-in for MMEngine's ``HistoryBuffer`` in a checkpoint's message hub: keeps its attributes.

    :meth:`hookport.runner.message_hub.HistoryBuffer.from_state` reads ``_log_history`` and
    ``_count_history`` from it. Nothing of MMEngine's code is imported or run.
    """

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update({k: v for k, v in state.items() if k in ("_log_history", "_count_history",
                                                                     "max_length")})


def _history_statistic(obj: Any, name: str) -> None:
    """Replaces ``getattr`` for the one use MMEngine's buffers make of it (their bound statistic
    methods); it never looks anything up, so it cannot reach arbitrary attributes."""
    return None


def _compat_globals() -> List[Any]:
    """Types real MMEngine 0.10.7 checkpoints legitimately contain (numpy arrays and scalars in the
    message hub's history buffers), mapped to safe equivalents."""
    allowed: List[Any] = [(MMEngineHistoryBuffer, "mmengine.logging.history_buffer.HistoryBuffer"),
                          (_history_statistic, "builtins.getattr")]
    try:
        import numpy as np
    except ImportError:  # without numpy, checkpoints holding numpy data are refused by name
        return allowed
    multiarray = getattr(np, "_core", getattr(np, "core", None)).multiarray
    allowed += [(multiarray._reconstruct, "numpy.core.multiarray._reconstruct"),
                (multiarray.scalar, "numpy.core.multiarray.scalar"), np.ndarray, np.dtype]
    allowed += [type(np.dtype(t)) for t in ("float64", "float32", "int64", "int32", "bool")]
    return allowed


def _unsafe_globals(path: str, err: Exception) -> List[str]:
    """The types a weights-only load refused (none when ``err`` is about something else)."""
    if not isinstance(err, pickle.UnpicklingError) and "weights_only" not in str(err):
        return []
    try:
        names = list(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    except Exception:  # an old (non-zip) format: the unpickling error itself names the type
        names = []
    return names or _REFUSED_GLOBAL.findall(str(err))


def _corruption_reason(err: Exception) -> str:
    """One line on why torch could not read the file (torch's own text is long and generic)."""
    text = str(err)
    if _UNPICKLER_ERROR in text:  # a weights-only load that met bytes no pickle has: keep the detail only
        text = text.split(_UNPICKLER_ERROR, 1)[1]
    detail = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"{type(err).__name__}: {detail}" if detail else type(err).__name__


def load_checkpoint_file(path: str, map_location: Any = "cpu") -> Dict[str, Any]:
    """Load a checkpoint dict safely (``weights_only=True``); see the module docstring."""
    if not os.path.isfile(path):
        raise CheckpointError("checkpoint not found", file=path)
    if os.path.getsize(path) == 0:
        raise CheckpointError("the checkpoint file is empty", file=path)
    try:
        with torch.serialization.safe_globals(_compat_globals()), warnings.catch_warnings():
            # Bytes that are not a pickle make torch warn about an odd protocol before it fails;
            # the failure is reported below, the warning is noise.
            warnings.filterwarnings("ignore", message="Detected pickle protocol", category=UserWarning)
            checkpoint = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises UnpicklingError, or RuntimeError for some formats
        names = _unsafe_globals(path, err)
        if not names:  # nothing was refused: the bytes themselves are bad
            raise CheckpointError(f"cannot read checkpoint (corrupt, truncated or not a PyTorch checkpoint): "
                                  f"{_corruption_reason(err)}", file=path) from err
        raise CheckpointError(
            f"refusing to unpickle {', '.join(names)}: not allowed in a weights-only load; "
            f"if you trust this file, allow the type with torch.serialization.add_safe_globals([...])", file=path
        ) from None
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f"expected a checkpoint dict, got {type(checkpoint).__name__}", file=path)
    return checkpoint


def find_latest_checkpoint(work_dir: str) -> Optional[str]:
    """The path named by ``<work_dir>/last_checkpoint``, or None when there is none."""
    pointer = os.path.join(work_dir, LAST_CHECKPOINT)
    if not os.path.exists(pointer):
        return None
    with open(pointer) as fh:
        path = fh.read().strip()
    if not path:
        return None
    if not os.path.isabs(path) and not os.path.exists(path):
        path = os.path.join(work_dir, path)
    return path


def state_dict_from_checkpoint(checkpoint: Dict[str, Any]) -> Dict[str, Any]:
    """The model weights of a checkpoint: ``state_dict`` (MMCV/MMEngine), ``model`` (detectron2/iMIX),
    or the dict itself when it is already a state dict."""
    for key in ("state_dict", "model"):
        if key in checkpoint and isinstance(checkpoint[key], dict):
            return checkpoint[key]
    return checkpoint


def strip_prefix(state_dict: Dict[str, Any], prefix: str = "module.") -> Dict[str, Any]:
    """Drop a DDP ``module.`` prefix from every key that has it."""
    return OrderedDict((k[len(prefix):] if k.startswith(prefix) else k, v) for k, v in state_dict.items())
