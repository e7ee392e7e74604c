"""The hooks an MMCV 1.x config implies, in MMCV's registration order and priorities.

Order, as MMDetection 2.28's ``train_detector`` + MMCV 1.7.2's ``register_training_hooks`` did it:
lr updater (VERY_HIGH), momentum updater (HIGH), optimizer hook (ABOVE_NORMAL; ``fp16`` makes it
an Fp16 hook), CheckpointHook (NORMAL), IterTimerHook (LOW), each ``log_config.hooks`` entry
(VERY_LOW), ``custom_hooks`` (NORMAL unless given), DistSamplerSeedHook when distributed
(EpochBasedRunner only), then EvalHook/DistEvalHook from ``evaluation`` (LOW). An
IterBasedRunner sets ``by_epoch=False`` by default on lr_config, checkpoint_config and each
logger hook (not on momentum_config), and EvalHook's ``by_epoch`` follows the runner type.
"""
from __future__ import annotations

import copy
from typing import Any, List, Optional, Tuple

from hookport.compat.mmcv.policy import build_updater
from hookport.errors import ConfigError, HookportError
from hookport.registry import MMCV_HOOKS

HookSpec = Tuple[Any, Any]  # (hook instance, priority)

_CUMULATIVE_FP16 = {"GradientCumulativeOptimizerHook": "GradientCumulativeFp16OptimizerHook",
                    "GradientCumulativeFp16OptimizerHook": "GradientCumulativeFp16OptimizerHook"}


def runner_type(cfg: dict) -> str:
    """``EpochBasedRunner`` or ``IterBasedRunner`` (``total_epochs``-era configs are epoch-based)."""
    runner = cfg.get("runner")
    kind = runner.get("type", "EpochBasedRunner") if isinstance(runner, dict) else "EpochBasedRunner"
    if kind not in ("EpochBasedRunner", "IterBasedRunner"):
        raise ConfigError(f"runner.type must be 'EpochBasedRunner' or 'IterBasedRunner', got {kind!r}")
    return kind


def _build(spec: Any, what: str, default_type: Optional[str] = None, default_args: Optional[dict] = None) -> Any:
    if not isinstance(spec, dict):
        return spec  # a hook instance
    cfg = dict(spec)
    if default_type is not None:
        cfg.setdefault("type", default_type)
    try:
        return MMCV_HOOKS.build(cfg, default_args)
    except ConfigError as err:
        raise ConfigError(f"{what}: {err.message}") from None


def optimizer_hook(cfg: dict, distributed: bool) -> Any:
    """The optimizer hook from ``optimizer_config`` and ``fp16`` (None without optimizer_config and fp16)."""
    optimizer_config = copy.deepcopy(cfg.get("optimizer_config"))
    fp16 = cfg.get("fp16")
    if fp16 is None:
        return None if optimizer_config is None else _build(optimizer_config, "optimizer_config", "OptimizerHook")
    if not isinstance(fp16, dict):
        raise ConfigError(f"fp16 must be a dict such as dict(loss_scale=512.), got {fp16!r}")
    args = dict(optimizer_config or {})
    kind = _CUMULATIVE_FP16.get(args.pop("type", "OptimizerHook"), "Fp16OptimizerHook")
    return _build(dict(args, type=kind, distributed=distributed, **fp16), "fp16")


def default_hooks(cfg: dict, *, distributed: bool = False, eval_loader: Any = None) -> List[HookSpec]:
    """``[(hook, priority)]`` for ``cfg`` in registration order (see the module docstring)."""
    iter_based = runner_type(cfg) == "IterBasedRunner"
    specs: List[HookSpec] = []

    lr_config = copy.deepcopy(cfg.get("lr_config"))
    checkpoint_config = copy.deepcopy(cfg.get("checkpoint_config"))
    log_config = copy.deepcopy(cfg.get("log_config"))
    if iter_based:
        for section in (lr_config, checkpoint_config):
            if isinstance(section, dict):
                section.setdefault("by_epoch", False)
        for info in (log_config or {}).get("hooks", []):
            info.setdefault("by_epoch", False)

    for key, config, priority in (("lr_config", lr_config, "VERY_HIGH"),
                                  ("momentum_config", copy.deepcopy(cfg.get("momentum_config")), "HIGH")):
        hook = build_updater(config, key)
        if hook is not None:
            specs.append((hook, priority))
    hook = optimizer_hook(cfg, distributed)
    if hook is not None:
        specs.append((hook, "ABOVE_NORMAL"))
    if checkpoint_config is not None:
        specs.append((_build(checkpoint_config, "checkpoint_config", "CheckpointHook"), "NORMAL"))
    specs.append((MMCV_HOOKS.get("IterTimerHook")(), "LOW"))
    if log_config is not None:
        if not isinstance(log_config, dict) or "interval" not in log_config:
            raise ConfigError(f"log_config must be dict(interval=..., hooks=[...]), got {log_config!r}")
        for info in log_config.get("hooks", []):
            specs.append((_build(info, "log_config.hooks", default_args=dict(interval=log_config["interval"])),
                          "VERY_LOW"))
    specs.extend(custom_hooks(cfg.get("custom_hooks")))
    if distributed and not iter_based:
        specs.append((MMCV_HOOKS.get("DistSamplerSeedHook")(), "NORMAL"))
    if "evaluation" in cfg:
        eval_cfg = dict(cfg.get("evaluation") or {})
        eval_cfg["by_epoch"] = not iter_based
        eval_cls = MMCV_HOOKS.get("DistEvalHook" if distributed else "EvalHook")
        try:
            specs.append((eval_cls(eval_loader, **eval_cfg), "LOW"))
        except TypeError as err:
            raise ConfigError(f"evaluation: {err}") from None
    return specs


def custom_hooks(config: Any) -> List[HookSpec]:
    """``custom_hooks`` (a list or a single dict): dicts may carry ``priority``; instances get NORMAL."""
    if config is None:
        return []
    items = config if isinstance(config, (list, tuple)) else [config]
    out = []
    from hookport.runner.dialect_mmengine import build_hook

    for i, item in enumerate(items):
        if not isinstance(item, dict) and not callable(getattr(item, "bound", None)):
            raise ConfigError(f"custom_hooks[{i}] must be a dict(type=...) or a Hook instance, got {item!r}")
        try:
            # build_hook also places hooks of other systems (iMIX `level`) in MMCV's scheme
            hook, priority = build_hook(item, "mmcv", MMCV_HOOKS)
        except HookportError as err:  # unknown type, bad arguments, a dotted path that does not import
            raise ConfigError(f"custom_hooks[{i}]: {err.message}", err.file, err.line) from None
        out.append((hook, "NORMAL" if priority is None else priority))
    return out
