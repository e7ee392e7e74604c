"""MMCV 1.x checkpoint files: ``{'meta', 'state_dict', 'optimizer'}`` readable by MMCV's ``load_checkpoint``.

Loading accepts MMCV and MMEngine checkpoints (and bare state dicts) through hookport's safe
loader; keys are revised with MMCV's default ``(r'^module\\.', '')``.
"""
from __future__ import annotations

import os
import re
import time
from collections import OrderedDict
from typing import Any, Optional, Sequence, Tuple

from hookport.runner import checkpoint as ckpt

MMCV_FORMAT_VERSION = "1.7.2"  # the MMCV release whose checkpoint layout is written


def _unwrap(model):
    return getattr(model, "module", model)


def weights_to_cpu(state_dict) -> "OrderedDict":
    """A copy of ``state_dict`` on the CPU."""
    return ckpt.weights_to_cpu(state_dict)


def save_checkpoint(model, filename: str, optimizer: Any = None, meta: Optional[dict] = None) -> None:
    """Write ``meta`` (+ mmcv_version, time, CLASSES), the CPU ``state_dict`` and the optimizer state(s)."""
    import hookport

    meta = {} if meta is None else meta
    meta.update(mmcv_version=MMCV_FORMAT_VERSION, hookport_version=hookport.__version__, time=time.asctime())
    module = _unwrap(model)
    if getattr(module, "CLASSES", None) is not None:
        meta.update(CLASSES=module.CLASSES)
    checkpoint = {"meta": meta, "state_dict": weights_to_cpu(module.state_dict())}
    if isinstance(optimizer, dict):
        checkpoint["optimizer"] = {name: optim.state_dict() for name, optim in optimizer.items()}
    elif optimizer is not None:
        checkpoint["optimizer"] = optimizer.state_dict()
    ckpt.atomic_torch_save(checkpoint, filename)
    # The temporary file was created 0600; give the checkpoint the usual umask-based mode, as torch.save does.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(filename, 0o666 & ~umask)


def load_state_dict(module, state_dict, strict: bool = False, logger: Any = None) -> None:
    """Load ``state_dict`` into ``module``; report missing/unexpected keys (raise with ``strict``)."""
    result = _unwrap(module).load_state_dict(state_dict, strict=strict)
    if (result.missing_keys or result.unexpected_keys) and logger is not None:
        logger.warning("missing keys in source state_dict: %s; unexpected key in source state_dict: %s",
                       ", ".join(result.missing_keys), ", ".join(result.unexpected_keys))


def load_checkpoint(model, filename: str, map_location: Any = "cpu", strict: bool = False, logger: Any = None,
                    revise_keys: Sequence[Tuple[str, str]] = ((r"^module\.", ""),)) -> dict:
    """Load weights from ``filename`` into ``model`` and return the checkpoint dict."""
    checkpoint = ckpt.load_checkpoint_file(filename, map_location)
    state_dict = ckpt.state_dict_from_checkpoint(checkpoint)
    for pattern, replacement in revise_keys:
        state_dict = OrderedDict((re.sub(pattern, replacement, k), v) for k, v in state_dict.items())
    load_state_dict(model, state_dict, strict, logger)
    return checkpoint


def find_latest_checkpoint(work_dir: str) -> Optional[str]:
    """MMDetection 2.x ``auto_resume``: ``latest.pth``, else the highest ``epoch_N``/``iter_N`` file."""
    import glob
    import os.path as osp

    latest = osp.join(work_dir, "latest.pth")
    if osp.exists(latest):
        return latest
    best, best_n = None, -1
    for path in glob.glob(osp.join(work_dir, "*.pth")):
        match = re.fullmatch(r"(?:epoch|iter)_(\d+)\.pth", osp.basename(path))
        if match and int(match.group(1)) > best_n:
            best, best_n = path, int(match.group(1))
    return best
