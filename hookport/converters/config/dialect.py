"""Which system a config was written for, from its keys alone (no torch, no runner)."""
from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from hookport.converters.config.tables import table
from hookport.errors import ConfigError

DIALECTS = ("mmcv", "imix", "mmengine")


def detect(cfg: Dict[str, Any], override: Optional[str] = None, file: Optional[str] = None,
           own: Iterable[str] = (), kept: Iterable[str] = ()) -> str:
    """'mmcv', 'imix' or 'mmengine' (``override`` wins unless it is 'auto').

    ``own`` are the file's own keys and ``kept`` those a conversion left in place with a TODO:
    a converted file whose only legacy keys are kept ones is MMEngine; legacy keys over
    MMEngine keys that come from already converted bases are MMCV; both in the file itself
    is an error.
    """
    if override and override != "auto":
        if override not in DIALECTS:
            raise ConfigError(f"unknown dialect {override!r} ({', '.join(DIALECTS)})", file)
        return override
    markers = table("keys")["dialects"]
    if _is_imix(cfg, markers["imix"], markers["imix_policies"]):
        return "imix"
    kept = set(kept)
    legacy = [k for k in markers["mmcv"] if k in cfg and k != "optimizer" and k not in kept]
    new = [k for k in markers["mmengine"] if k in cfg]
    own = set(own)
    if legacy and new and not (set(new) & own):
        return "mmcv"
    if legacy and new:
        raise ConfigError(f"the config mixes MMCV keys ({', '.join(legacy[:3])}) with MMEngine keys "
                          f"({', '.join(new[:3])}); pass --dialect to say which it is", file)
    if not legacy and _legacy_hooks(cfg):
        legacy = ["custom_hooks"]
    if new or not (legacy or "optimizer" in cfg):
        return "mmengine"
    return "mmcv"


def _is_imix(cfg: Dict[str, Any], keys, policies) -> bool:
    if any(k in cfg for k in keys):
        return True
    lr_config = cfg.get("lr_config")
    if isinstance(lr_config, dict) and lr_config.get("policy") in policies:
        return True
    log = cfg.get("log_config")
    if isinstance(log, dict) and "period" in log:
        return True
    hooks = cfg.get("custom_hooks")
    return isinstance(hooks, (list, tuple)) and any(isinstance(h, dict) and "level" in h for h in hooks)


def _legacy_hooks(cfg: Dict[str, Any]) -> bool:
    """custom_hooks naming a hook type that only MMCV-era codebases had."""
    renamed = table("hooks")["custom_hooks"]
    hooks = cfg.get("custom_hooks")
    hooks = [hooks] if isinstance(hooks, dict) else hooks
    return isinstance(hooks, (list, tuple)) and any(
        isinstance(h, dict) and h.get("type") in renamed and h.get("type") != "EMAHook" for h in hooks)
