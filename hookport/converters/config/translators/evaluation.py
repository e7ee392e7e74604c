"""evaluation -> train_cfg.val_interval / val_begin, val_evaluator, checkpoint save_best (reference §1.4)."""
from __future__ import annotations

from hookport.converters.config.context import Context
from hookport.converters.config.tables import scope_info
from hookport.converters.config.values import Opaque, SDict, carry, sub_dict

_LOOP_KEYS = ("interval", "start", "by_epoch", "dynamic_intervals")
_BEST_KEYS = ("save_best", "rule", "greater_keys", "less_keys")
_COLLECT = ("gpu_collect", "tmpdir")


def translate(ctx: Context) -> None:
    """Split ``evaluation`` over the train loop, the evaluator and the checkpoint hook."""
    cfg = ctx.get("evaluation")
    if cfg is None:
        return
    cfg = ctx.need("evaluation", cfg, kind=dict)
    consumed_all = True
    train_cfg = ctx.out.get("train_cfg")
    if train_cfg is not None:
        _loop(ctx, cfg, train_cfg)
    else:
        ctx.find("HPC301", "note", "evaluation.interval is carried by train_cfg.val_interval in the configs that "
                 "define the runner", "evaluation")
    best = sub_dict(cfg, _BEST_KEYS)
    if best:
        hooks = ctx.out.get("default_hooks") or {}
        if isinstance(hooks.get("checkpoint"), dict):
            hooks["checkpoint"].update(best)
            ctx.put("default_hooks", hooks, "evaluation")
        elif "checkpoint" in hooks:  # checkpoint_config=None
            _best_only(ctx, hooks, best, train_cfg)
        else:
            # writing default_hooks here would collide with a sibling runtime base
            consumed_all = False
            ctx.find("HPC302", "todo", f"{sorted(best)} belong in default_hooks.checkpoint, which this config does not "
                     "define; they are carried by the configs that also define checkpoint_config", "evaluation")
            ctx.keep("evaluation", f"{', '.join(sorted(best))}: move to default_hooks.checkpoint where checkpoint_config "
                     "is defined (MMEngine's CheckpointHook saves the best checkpoint)")
    if not _evaluator(ctx, cfg):
        consumed_all = False
    if consumed_all:
        ctx.consume("evaluation")


def _best_only(ctx: Context, hooks: dict, best: dict, train_cfg) -> None:
    """MMCV's EvalHook saved the best checkpoint even with checkpoint_config=None; MMEngine's CheckpointHook
    does it, so write one that saves nothing else (interval=-1, save_last=False)."""
    hook = SDict(type="CheckpointHook", interval=-1, save_last=False)
    if isinstance(train_cfg, dict) and train_cfg.get("type") == "IterBasedTrainLoop":
        hook["by_epoch"] = False
    hook.update(best)
    hooks["checkpoint"] = hook
    ctx.put("default_hooks", hooks, "evaluation")
    ctx.find("HPC308", "change", f"evaluation {sorted(best)} with checkpoint_config=None -> default_hooks.checkpoint "
             "saving only the best checkpoint (interval=-1, save_last=False)", "evaluation")


def _loop(ctx: Context, cfg: dict, train_cfg: dict) -> None:
    interval = cfg.get("interval", 1)
    train_cfg["val_interval"] = interval
    ctx.origin.setdefault("train_cfg", []).append("evaluation")
    start = cfg.get("start")
    if start is not None:
        train_cfg["val_begin"] = start
        if start == 0:
            ctx.find("HPC303", "warning", "evaluation.start=0 evaluated once before training in MMCV; MMEngine has no "
                     "equivalent", "evaluation")
        elif interval != 1 and start % interval != 0:
            ctx.find("HPC304", "warning", f"evaluation start={start} with interval={interval}: MMCV evaluated at "
                     f"start+k*interval, MMEngine at multiples of val_interval from val_begin", "evaluation")
    if cfg.get("dynamic_intervals") is not None:
        train_cfg["dynamic_intervals"] = cfg["dynamic_intervals"]
    ctx.find("HPC305", "note", "MMEngine also validates after the last epoch/iteration even when it is not a multiple "
             "of val_interval; MMCV did not", "evaluation")


def _evaluator(ctx: Context, cfg: dict) -> bool:
    """Write val/test evaluators when the scope's table knows the metric; True when nothing is left over."""
    rest = {k: v for k, v in cfg.items() if k not in _LOOP_KEYS + _BEST_KEYS + _COLLECT + ("pre_eval", "efficient_test")}
    metric = rest.pop("metric", None)
    if metric is None and not rest:
        return True
    metrics = scope_info(ctx.options.scope).get("metrics", {})
    names = metric if isinstance(metric, (list, tuple)) else [metric]
    known = [metrics.get(n) for n in names]
    if metric is None or None in known or rest:
        ctx.keep("evaluation", f"val_evaluator: metric={metric!r}{' ' + repr(rest) if rest else ''} needs the codebase's metric class "
                 "(pass --scope, or write val_evaluator/test_evaluator by hand)")
        ctx.find("HPC306", "todo", f"evaluation metric={metric!r} needs a codebase-specific val_evaluator", "evaluation")
        return False
    evaluator = SDict(known[0])
    if len(names) > 1:
        evaluator["metric"] = list(names)
    val = _val_dataset(ctx)
    if evaluator.get("type") == "CocoMetric" and val is not None and "ann_file" in val:
        coco = SDict(type="CocoMetric")
        carry(coco, "ann_file", val)  # keeps `data_root + '...'` as written
        coco.update((k, v) for k, v in evaluator.items() if k != "type")
        evaluator = coco
    for key in _COLLECT:
        if key in cfg:
            evaluator["collect_device" if key == "gpu_collect" else "collect_dir"] = (
                ("gpu" if cfg[key] else "cpu") if key == "gpu_collect" else cfg[key])
    ctx.put("val_evaluator", evaluator, "evaluation")
    ctx.put("test_evaluator", Opaque("val_evaluator"), "evaluation")
    ctx.find("HPC307", "change", f"evaluation metric {metric!r} -> val_evaluator {evaluator['type']} (+ test_evaluator)", "evaluation")
    return True


def _val_dataset(ctx: Context):
    data = ctx.get("data")
    val = data.get("val") if isinstance(data, dict) else None
    return val if isinstance(val, dict) else None
