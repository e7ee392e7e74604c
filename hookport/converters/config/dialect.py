"""Which system a config was written for, from its keys alone (no torch, no runner)."""
from __future__ import annotations

from typing import Any, Dict, Optional

from hookport.converters.config.tables import table
from hookport.errors import ConfigError

DIALECTS = ("mmcv", "imix", "mmengine")


def detect(cfg: Dict[str, Any], override: Optional[str] = None, file: Optional[str] = None) -> str:
    """'mmcv', 'imix' or 'mmengine' (``override`` wins unless it is 'auto')."""
    if override and override != "auto":
        if override not in DIALECTS:
            raise ConfigError(f"unknown dialect {override!r} ({', '.join(DIALECTS)})", file)
        return override
    markers = table("keys")["dialects"]
    if _is_imix(cfg, markers["imix"]):
        return "imix"
    legacy = [k for k in markers["mmcv"] if k in cfg and k != "optimizer"]
    new = [k for k in markers["mmengine"] if k in cfg]
    if legacy and new:
        raise ConfigError(f"the config mixes MMCV keys ({', '.join(legacy[:3])}) with MMEngine keys "
                          f"({', '.join(new[:3])}); pass --dialect to say which it is", file)
    if new or not (legacy or "optimizer" in cfg):
        return "mmengine"
    return "mmcv"


def _is_imix(cfg: Dict[str, Any], keys) -> bool:
    if any(k in cfg for k in keys):
        return True
    log = cfg.get("log_config")
    if isinstance(log, dict) and "period" in log:
        return True
    hooks = cfg.get("custom_hooks")
    return isinstance(hooks, (list, tuple)) and any(isinstance(h, dict) and "level" in h for h in hooks)
