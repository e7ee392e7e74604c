"""Default hooks MMEngine registers that the legacy config left out (reference §1.2, §1.3).

MMCV registers a CheckpointHook only for a ``checkpoint_config`` and logger hooks only for a
``log_config``; MMEngine's ``default_hooks`` register both unless told ``None``. A converted
config that lacks the legacy key would otherwise gain a hook silently.
"""
from __future__ import annotations

from typing import Any, Mapping

from hookport.converters.config.context import Context

#: a training config has one key of each group (MMCV / iMIX / MMEngine names); a base fragment such
#: as ``_base_/models/*.py`` lacks some and is not meant to train on its own
_TRAINING_KEYS = (("model",), ("data", "train_data", "train_dataloader"), ("optimizer", "optim_wrapper"),
                  ("runner", "total_epochs", "max_iter", "train_cfg"))


def is_training_config(cfg: Mapping[str, Any]) -> bool:
    """Whether a complete config is one its system would train (a model, data, an optimizer and a length)."""
    return all(any(key in cfg for key in group) for group in _TRAINING_KEYS)


def keep_absent(ctx: Context, legacy_key: str, hook_key: str, hook_type: str, code: str) -> bool:
    """Write ``default_hooks.<hook_key>=None`` when ``legacy_key`` is None or missing from a training config.

    Returns True when it handled ``legacy_key`` (the caller has nothing more to translate).
    """
    if ctx.has(legacy_key):
        if ctx.get(legacy_key) is not None:
            return False
        ctx.consume(legacy_key)
        ctx.put_in("default_hooks", [hook_key], None, legacy_key)
        ctx.find(code, "change", f"{legacy_key}=None -> default_hooks.{hook_key}=None (MMCV registered no "
                 f"{hook_type}; MMEngine would add one)", legacy_key)
        return True
    if is_training_config(ctx.legacy):
        # written beside train_cfg: both follow from the training set-up, not from one legacy key
        ctx.put_in("default_hooks", [hook_key], None, "runner", "total_epochs")
        ctx.find(code, "change", f"no {legacy_key}: default_hooks.{hook_key}=None, as MMCV registered no {hook_type} "
                 f"without it (MMEngine would add one; delete the entry to get MMEngine's default)",
                 "runner" if ctx.has("runner") else "total_epochs")
    return True
