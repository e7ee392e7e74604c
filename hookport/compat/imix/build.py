"""The hooks of an iMIX config, in iMIX's order (``Organizer.build_hooks`` + ``add_custom_hooks``).

Default hooks are built in iMIX's order -- optimizer (``Fp16OptimizerHook`` when
the config has ``fp16``), ``LRSchedulerHook``, ``IterationTimerHook``,
``PeriodicLogger`` and ``CheckPointHook`` (main process only), ``EvaluateHook``
(with ``test_data`` unless ``test_data.is_run_eval`` is false) -- then
stable-sorted by level. Each ``custom_hooks`` entry is then built and inserted
right after the last hook whose level is <= its own (config order kept among
equal levels).

Differences from iMIX, on purpose (iMIX would crash or misbehave):

* the config is not mutated (iMIX pops ``level`` out of ``custom_hooks``);
* a ``priority`` key in an iMIX ``custom_hooks`` entry is an error naming ``level``
  (iMIX passes it to the constructor, which raises ``TypeError``);
* a missing ``lr_config`` means a constant LR (iMIX HEAD passes ``None`` and crashes at
  the first step); a missing ``optimizer_config`` means no clipping (iMIX requires it);
* a missing ``dataset_type`` takes ``train_data.data.type`` for the checkpoint prefix.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Callable, Dict, List, Optional

from hookport.compat.imix.hook import HookBase
from hookport.compat.imix.levels import PriorityStatus, insertion_index, resolve_level
from hookport.errors import ConfigError, HookportError
from hookport.hooks.arguments import require_ints
from hookport.registry import IMIX_HOOKS

logger = logging.getLogger("hookport.imix")

__all__ = ["ImixSettings", "settings", "default_hooks", "custom_hooks", "all_hooks", "checkpoint_prefix"]


def _get(cfg: Any, key: str, default: Any = None) -> Any:
    return cfg.get(key, default) if cfg is not None else default


class ImixSettings:
    """The iMIX engine settings a config implies (``Organizer.__init__``).

    Attributes:
        by_epoch: False when the config has a ``by_iter`` key at all (its value does not matter).
        max_epoch: ``total_epochs`` by epoch, 0 by iteration.
        max_iter: ``max_iter`` by iteration; by epoch ``total_epochs * iters_per_epoch``, floor-divided
            by ``gradient_accumulation_steps`` when ``is_lr_accumulation`` and steps > 1 (None when the
            number of iterations per epoch is unknown).
        gradient_accumulation_steps, is_lr_accumulation: as configured (defaults 1, True).
    """

    def __init__(self, by_epoch: bool, max_epoch: int, max_iter: Optional[int], gradient_accumulation_steps: int,
                 is_lr_accumulation: bool):
        self.by_epoch = by_epoch
        self.max_epoch = max_epoch
        self.max_iter = max_iter
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.is_lr_accumulation = is_lr_accumulation


def settings(cfg: Any, iters_per_epoch: Optional[int] = None, where: Optional[str] = None) -> ImixSettings:
    """Read :class:`ImixSettings` from ``cfg`` (``iters_per_epoch``: ``len(train loader)``)."""
    steps = _get(cfg, "gradient_accumulation_steps", 1)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ConfigError(f"gradient_accumulation_steps must be a positive int, got {steps!r}", file=where)
    lr_acc = bool(_get(cfg, "is_lr_accumulation", True))
    if "by_iter" in cfg:
        max_iter = _get(cfg, "max_iter")
        if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
            raise ConfigError(f"by_iter training needs max_iter (a positive int), got {max_iter!r}", file=where)
        return ImixSettings(False, 0, max_iter, steps, lr_acc)
    epochs = _get(cfg, "total_epochs")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ConfigError(f"by-epoch training needs total_epochs (a positive int), got {epochs!r}; "
                          "add by_iter and max_iter to train by iteration", file=where)
    max_iter = None
    if iters_per_epoch is not None:
        max_iter = epochs * iters_per_epoch
        if lr_acc and steps > 1:
            max_iter //= steps
    return ImixSettings(True, epochs, max_iter, steps, lr_acc)


def checkpoint_prefix(cfg: Any) -> str:
    """``'{model.type}_{dataset_type}'``, iMIX's checkpoint file prefix."""
    model_type = _get(_get(cfg, "model", {}), "type", "model")
    dataset_type = _get(cfg, "dataset_type")
    if dataset_type is None:
        dataset_type = _get(_get(_get(cfg, "train_data", {}), "data", {}), "type", "dataset")
    name = lambda t: t if isinstance(t, str) else getattr(t, "__name__", str(t))  # noqa: E731
    return f"{name(model_type)}_{name(dataset_type)}"


def _writers(cfg: Any, st: ImixSettings, work_dir: str) -> List[Any]:
    from hookport.compat.imix.writers import CommonMetricLoggerHook, JSONLoggerHook, TensorboardLoggerHook

    return [CommonMetricLoggerHook(st.max_iter, st.max_epoch or None),
            JSONLoggerHook(os.path.join(work_dir, "training_status.json")),
            TensorboardLoggerHook(work_dir)]


def _warmup_iter(cfg: Any) -> int:
    lr_config = _get(cfg, "lr_config") or {}
    return _get(lr_config, "warmup_iterations", 0) if _get(lr_config, "use_warmup", False) else 0


def _eval_iter_period(cfg: Any) -> Optional[int]:
    period = _get(cfg, "eval_iter_period")
    iter_period = _get(_get(cfg, "checkpoint_config") or {}, "iter_period")
    if not period or not iter_period:
        return None
    if iter_period % period != 0:
        logger.warning("checkpoint_config.iter_period (%s) is not a multiple of eval_iter_period (%s): "
                       "evaluating every %s iterations, as iMIX does", iter_period, period, iter_period)
        return iter_period
    return period


def default_hooks(cfg: Any, st: ImixSettings, *, main_process: bool = True, optimizer: Any = None,
                  scheduler: Any = None, checkpointer: Any = None,
                  eval_function: Optional[Callable[[], Dict[str, Any]]] = None,
                  work_dir: Optional[str] = None, where: Optional[str] = None) -> List[HookBase]:
    """iMIX's default hooks for ``cfg`` in build order, stable-sorted by level."""
    from hookport.compat.imix import hooks as H

    work_dir = work_dir or _get(cfg, "work_dir") or "./work_dirs"
    grad_clip = _get(_get(cfg, "optimizer_config") or {}, "grad_clip")
    built: List[HookBase] = []
    if "fp16" in cfg:
        built.append(H.Fp16OptimizerHook(grad_clip, dict(_get(cfg, "fp16") or {})))
    else:
        built.append(H.OptimizerHook(grad_clip))
    built.append(H.LRSchedulerHook(optimizer, scheduler))
    built.append(H.IterationTimerHook(_warmup_iter(cfg)))
    if main_process:
        log_config = _get(cfg, "log_config")
        period = _get(log_config, "period") if log_config is not None else None
        if period is None:
            raise ConfigError("log_config=dict(period=N) is required by iMIX's PeriodicLogger", file=where)
        require_ints("log_config", period=period)
        built.append(H.PeriodicLogger(_writers(cfg, st, work_dir), period))
        ckpt_cfg = dict(_get(cfg, "checkpoint_config") or {})
        built.append(H.CheckPointHook(checkpointer, prefix=checkpoint_prefix(cfg), **ckpt_cfg))
    test_data = _get(cfg, "test_data")
    if test_data is not None and _get(test_data, "is_run_eval", True):
        kwargs: Dict[str, Any] = {"eval_json_file": "eval_result.json"}
        period = _eval_iter_period(cfg)
        if period is not None:
            kwargs["eval_iter_period"] = period
        if "is_run_eval" in test_data:
            kwargs["is_run_eval"] = test_data["is_run_eval"]
        built.append(H.EvaluateHook(eval_function or (lambda: {}), **kwargs))
    return sorted(built, key=lambda hook: hook.level.value)  # sorted() is stable


def custom_hooks(entries: Any, existing: List[HookBase], where: Optional[str] = None) -> List[HookBase]:
    """Build ``custom_hooks`` entries and insert each into ``existing`` (a new list is returned)."""
    hooks = list(existing)
    if not entries:
        return hooks
    if not isinstance(entries, (list, tuple)):
        raise ConfigError(f"custom_hooks must be a list of dicts, got {type(entries).__name__}", file=where)
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "type" not in entry:
            raise ConfigError(f"custom_hooks[{i}] must be dict(type=..., level=..., ...), got {entry!r}", file=where)
        entry = dict(entry)
        if "priority" in entry:
            raise ConfigError(f"custom_hooks[{i}] ({entry['type']}): iMIX hooks take 'level' "
                              f"(PriorityStatus, 0-60), not 'priority'", file=where)
        level_value = entry.pop("level", PriorityStatus.NORMAL)
        try:
            level = resolve_level(level_value, owner=f"custom_hooks[{i}] ({entry['type']})")
            hook = IMIX_HOOKS.build(entry)
        except HookportError as err:
            raise err.located(where)
        if not isinstance(hook, HookBase):
            raise ConfigError(f"custom_hooks[{i}]: {type(hook).__name__} is not an iMIX HookBase hook "
                              f"(iMIX's engine accepts only HookBase subclasses)", file=where)
        hook.level = level
        hooks.insert(insertion_index([h.level.value for h in hooks], level.value), hook)
    return hooks


def all_hooks(cfg: Any, st: ImixSettings, where: Optional[str] = None, **kwargs: Any) -> List[HookBase]:
    """Default plus custom hooks, in iMIX's execution order."""
    return custom_hooks(_get(cfg, "custom_hooks"), default_hooks(cfg, st, where=where, **kwargs), where=where)
