"""MMEngine -> MMCV 1.x (``--to mmcv``): the forward tables read backwards.

Loops become ``runner``, default hooks become ``checkpoint_config`` / ``log_config``, the optim
wrapper becomes ``optimizer`` + ``optimizer_config`` (+ ``fp16``), and ``param_scheduler`` becomes
``lr_config`` / ``momentum_config`` when it is one of the recipes the forward direction writes
(warm-up + main policy); anything else stays in the file with a TODO.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from hookport.converters.config.context import Context
from hookport.converters.config.tables import table
from hookport.converters.config.values import SDict, carry, without

_LOOPS = {"EpochBasedTrainLoop": ("EpochBasedRunner", "max_epochs"), "IterBasedTrainLoop": ("IterBasedRunner", "max_iters")}
_DROPPED_HOOKS = ("runtime_info", "timer", "param_scheduler", "sampler_seed", "visualization")


def translate(ctx: Context) -> None:
    """Write the legacy keys of an MMEngine config."""
    _loops(ctx)
    _hooks(ctx)
    _optim(ctx)
    _schedule(ctx)
    _env(ctx)
    _data(ctx)
    _custom_imports(ctx)
    for key in ("default_scope", "log_processor", "visualizer", "vis_backends", "val_cfg", "test_cfg",
                "test_evaluator", "val_evaluator"):
        if ctx.has(key) and key not in ctx.kept:
            ctx.consume(key)


def _custom_imports(ctx: Context) -> None:
    """hookport.ext.mmengine is only needed by MMEngine; MMCV reads the legacy updater itself."""
    from hookport.converters.config.translators.schedules import EXT_MODULE

    imports = ctx.get("custom_imports")
    if not isinstance(imports, dict) or EXT_MODULE not in (imports.get("imports") or []):
        return
    rest = [name for name in imports["imports"] if name != EXT_MODULE]
    ctx.consume("custom_imports")
    if rest:
        ctx.put("custom_imports", SDict(imports, imports=rest), "custom_imports")


def _loops(ctx: Context) -> None:
    train = ctx.get("train_cfg")
    if train is None:
        return
    train = ctx.need("train_cfg", train, kind=dict)
    kind = train.get("type") or ("EpochBasedTrainLoop" if train.get("by_epoch", True) else "IterBasedTrainLoop")
    if kind not in _LOOPS:
        ctx.keep("train_cfg", f"custom train loop {kind!r} has no MMCV runner")
        return
    runner_type, length = _LOOPS[kind]
    ctx.put("runner", SDict(type=runner_type, **{length: train.get(length)}), "train_cfg")
    ctx.put("workflow", [("train", 1)], "train_cfg")
    evaluation = SDict(interval=train.get("val_interval", 1 if kind == "EpochBasedTrainLoop" else 1000))
    if "val_begin" in train:
        evaluation["start"] = train["val_begin"]
    if "dynamic_intervals" in train:
        evaluation["dynamic_intervals"] = train["dynamic_intervals"]
    metric = _metric(ctx)
    if metric is not None:
        evaluation["metric"] = metric
    if ctx.has("val_evaluator") or ctx.has("val_cfg"):
        ctx.put("evaluation", evaluation, "train_cfg", "val_evaluator", "val_cfg")
    ctx.consume("train_cfg")
    ctx.find("HPC1000", "change", f"train_cfg -> runner ({runner_type})", "train_cfg")


def _metric(ctx: Context) -> Optional[Any]:
    evaluator = ctx.get("val_evaluator")
    if not isinstance(evaluator, dict):
        return None
    from hookport.converters.config.tables import scope_info

    for name, spec in scope_info(ctx.options.scope).get("metrics", {}).items():
        if evaluator.get("type") == spec.get("type") and evaluator.get("metric", spec.get("metric")) == spec.get("metric"):
            return name
    ctx.find("HPC1001", "todo", f"val_evaluator {evaluator.get('type')!r} has no known MMCV evaluation metric "
             "(pass --scope, or set evaluation.metric by hand)", "val_evaluator")
    return None


def _hooks(ctx: Context) -> None:
    hooks = ctx.get("default_hooks")
    if hooks is None:
        return
    hooks = ctx.need("default_hooks", hooks, kind=dict)
    rules = table("hooks")
    if "checkpoint" in hooks:
        ckpt = hooks["checkpoint"]
        if ckpt is None:
            ctx.put("checkpoint_config", None, "default_hooks")
        else:
            back = {v: k for k, v in rules["checkpoint"]["rename"].items()}
            best = {k: ckpt[k] for k in ("save_best", "rule", "greater_keys", "less_keys") if k in ckpt}
            out = SDict((back.get(k, k), v) for k, v in ckpt.items()
                        if k not in ("type", "priority") and k not in best)
            ctx.put("checkpoint_config", out, "default_hooks")
            if best:
                evaluation = ctx.out.get("evaluation")
                if isinstance(evaluation, dict):
                    evaluation.update(best)
                else:
                    ctx.find("HPC1002", "todo", f"{sorted(best)} belong in evaluation, which this config does not "
                             "define", "default_hooks")
    if "logger" in hooks and hooks["logger"] is not None:
        logger = hooks["logger"]
        processor = ctx.get("log_processor") or {}
        text = SDict(type="TextLoggerHook")
        if not processor.get("by_epoch", True) or logger.get("log_metric_by_epoch", True) is False:
            text["by_epoch"] = False
        log_hooks: List[dict] = [text]
        log_hooks += _backends(ctx)
        ctx.put("log_config", SDict(interval=logger.get("interval", 10), hooks=log_hooks),
                "default_hooks", "log_processor", "visualizer", "vis_backends")
        window = processor.get("window_size", 10)
        if window != logger.get("interval", 10):
            ctx.find("HPC1003", "warning", f"log_processor.window_size={window} differs from the logger interval; "
                     "MMCV always averaged over the interval", "log_processor")
    extra = [k for k in hooks if k not in ("checkpoint", "logger") + _DROPPED_HOOKS]
    if extra:
        ctx.keep("default_hooks", f"default_hooks {extra} have no MMCV default hook: move them to custom_hooks")
        ctx.find("HPC1004", "todo", f"default_hooks {extra} need to become custom_hooks", "default_hooks")
    else:
        ctx.consume("default_hooks")


def _backends(ctx: Context) -> List[dict]:
    vis = ctx.get("visualizer") or {}
    backends = vis.get("vis_backends") if isinstance(vis, dict) else None
    if backends is None:
        backends = ctx.get("vis_backends") or []
    forward = table("hooks")["vis_backends"]
    reverse = {rule["type"]: (hook, {v: k for k, v in rule.get("args", {}).items()}) for hook, rule in forward.items()
               if hook != "MMDetWandbHook"}
    out = []
    for backend in backends if isinstance(backends, (list, tuple)) else []:
        kind = backend.get("type") if isinstance(backend, dict) else None
        if kind == "LocalVisBackend":
            continue
        if kind in reverse:
            hook, args = reverse[kind]
            out.append(SDict(type=hook, **{args.get(k, k): v for k, v in backend.items() if k != "type"}))
        else:
            ctx.find("HPC1005", "todo", f"vis backend {kind!r} has no MMCV logger hook", "visualizer")
    return out


def _optim(ctx: Context) -> None:
    wrapper = ctx.get("optim_wrapper")
    if wrapper is None:
        return
    wrapper = ctx.need("optim_wrapper", wrapper, kind=dict)
    if "optimizer" not in wrapper:
        ctx.keep("optim_wrapper", "an optim_wrapper without 'optimizer' (several optimizers?) needs a hand port")
        return
    optimizer = SDict(wrapper["optimizer"]) if not isinstance(wrapper["optimizer"], SDict) else without(wrapper["optimizer"])
    for key in ("paramwise_cfg", "constructor"):
        if key in wrapper:
            carry(optimizer, key, wrapper)
    if optimizer.get("constructor") == "DefaultOptimWrapperConstructor":
        optimizer["constructor"] = "DefaultOptimizerConstructor"
    kind = wrapper.get("type", "OptimWrapper")
    config = SDict(grad_clip=wrapper.get("clip_grad"))
    if wrapper.get("accumulative_counts", 1) > 1:
        config = SDict(type="GradientCumulativeFp16OptimizerHook" if kind == "AmpOptimWrapper"
                       else "GradientCumulativeOptimizerHook", cumulative_iters=wrapper["accumulative_counts"],
                       grad_clip=wrapper.get("clip_grad"))
    ctx.put("optimizer", optimizer, "optim_wrapper")
    ctx.put("optimizer_config", config, "optim_wrapper")
    if kind == "AmpOptimWrapper":
        ctx.put("fp16", SDict(loss_scale=wrapper.get("loss_scale", "dynamic")), "optim_wrapper")
    ctx.consume("optim_wrapper")


def _schedule(ctx: Context) -> None:
    schedulers = ctx.get("param_scheduler")
    if not ctx.has("param_scheduler"):
        return
    if schedulers is None:
        ctx.put("lr_config", None, "param_scheduler")
        ctx.consume("param_scheduler")
        return
    schedulers = ctx.need("param_scheduler", schedulers, kind=(list, tuple, dict))
    schedulers = [schedulers] if isinstance(schedulers, dict) else list(schedulers)
    by_param: Dict[str, List[dict]] = {"lr": [], "momentum": []}
    for item in schedulers:
        param = "momentum" if "Momentum" in str(item.get("type")) or item.get("param_name") == "momentum" else "lr"
        by_param[param].append(item)
    results = {}
    for param, items in by_param.items():
        if items:
            results[param] = _updater(items, param)
    if any(v is None for v in results.values()):
        ctx.keep("param_scheduler", "this scheduler combination has no MMCV lr_config/momentum_config form")
        ctx.find("HPC1006", "todo", "param_scheduler has no MMCV equivalent; write lr_config by hand", "param_scheduler")
        return
    for param, updater in results.items():
        ctx.put("lr_config" if param == "lr" else "momentum_config", updater, "param_scheduler")
    ctx.consume("param_scheduler")
    ctx.find("HPC1007", "change", f"param_scheduler -> {', '.join(p + '_config' for p in results)}", "param_scheduler")


def _updater(items: List[dict], param: str) -> Optional[dict]:
    """The MMCV updater for a forward-style recipe (optional warm-up first, then one main policy)."""
    from hookport.converters.exact import SCHEDULER_TYPE

    if len(items) == 1 and items[0].get("type") == SCHEDULER_TYPE:
        return SDict(items[0]["updater"])
    warmup, rest = _warmup(items) if param == "lr" else ({}, items)
    if len(rest) > 1:
        return None
    if not rest:
        return SDict(policy="fixed", **warmup) if warmup else None
    main = _main(rest[0], param)
    if main is None:
        return None
    main.update(warmup)
    return main


def _warmup(items: List[dict]) -> Tuple[dict, List[dict]]:
    first = items[0]
    if len(items) >= 3 and first.get("type") == "ConstantLR" and first.get("end") == 1 \
            and items[1].get("type") == "ExponentialLR" and items[1].get("by_epoch") is False:
        return dict(warmup="exp", warmup_ratio=first["factor"], warmup_iters=items[1]["end"] - 1), items[2:]
    if len(items) >= 2 and first.get("type") in ("LinearLR", "ConstantLR") and first.get("begin", 0) == 0:
        mode = "linear" if first["type"] == "LinearLR" else "constant"
        ratio = first.get("start_factor", 1 / 3) if mode == "linear" else first.get("factor", 1 / 3)
        if first.get("convert_to_iter_based"):
            return dict(warmup=mode, warmup_ratio=ratio, warmup_iters=first["end"], warmup_by_epoch=True), items[1:]
        return dict(warmup=mode, warmup_ratio=ratio, warmup_iters=first["end"] - 1), items[1:]
    return {}, items


def _main(item: dict, param: str) -> Optional[dict]:
    kind = str(item.get("type")).replace("Momentum", "LR")
    by_epoch = item.get("by_epoch", True) and not item.get("convert_to_iter_based", False)
    out = SDict(by_epoch=by_epoch)
    minimum = "min_lr" if param == "lr" else "min_momentum"
    if kind == "MultiStepLR":
        out.update(policy="step", step=list(item["milestones"]), gamma=item.get("gamma", 0.1))
    elif kind == "StepLR":
        out.update(policy="step", step=item["step_size"], gamma=item.get("gamma", 0.1))
    elif kind == "ExponentialLR" and param == "lr":
        out.update(policy="exp", gamma=item["gamma"])
    elif kind == "PolyLR" and param == "lr":
        out.update(policy="poly", power=item.get("power", 1.0), min_lr=item.get("eta_min", 0.0))
    elif kind == "CosineAnnealingLR":
        begin = item.get("begin", 0)
        out.update(policy="CosineAnnealing" if begin == 0 else "FlatCosineAnnealing")
        if "eta_min_ratio" in item:
            out[minimum + "_ratio"] = item["eta_min_ratio"]
        else:
            out[minimum] = item.get("eta_min", 0.0)
        if begin:
            out["start_percent"] = begin / item["end"]
    elif kind == "LinearLR" and item.get("start_factor", 1.0) == 1.0:
        out.update(policy="LinearAnnealing", **{minimum + "_ratio": item.get("end_factor", 1.0)})
    elif kind == "OneCycleLR":
        out = SDict(policy="OneCycle", max_lr=item["eta_max"], **{k: item[k] for k in (
            "total_steps", "pct_start", "anneal_strategy", "div_factor", "final_div_factor", "three_phase") if k in item})
    elif kind == "CosineRestartLR":
        out.update(policy="CosineRestart", periods=list(item["periods"]),
                   restart_weights=list(item.get("restart_weights", [1])))
        out[minimum] = item.get("eta_min", 0.0)
    else:
        return None
    if param == "momentum" and out.get("policy") == "step":
        out["gamma"] = item.get("gamma", 0.1)
    return out


def _env(ctx: Context) -> None:
    moves = table("keys")["moves"]
    for legacy, rule in moves.items():
        top, *path = rule["to"].split(".")
        value: Any = ctx.get(top)
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            ctx.put(legacy, value, top)
    for top in ("env_cfg", "randomness"):
        ctx.consume(top)
    if ctx.has("resume"):
        if ctx.get("resume") and ctx.get("load_from"):
            ctx.put("resume_from", ctx.get("load_from"), "resume", "load_from")
            ctx.put("load_from", None, "resume", "load_from")
            ctx.consume("load_from")
        elif ctx.get("resume"):
            ctx.put("auto_resume", True, "resume")
        else:
            ctx.put("resume_from", None, "resume")
        ctx.consume("resume")


def _data(ctx: Context) -> None:
    data = SDict()
    for split in ("train", "val", "test"):
        loader = ctx.get(f"{split}_dataloader")
        if not isinstance(loader, dict):
            continue
        if split == "train":
            for new, legacy in (("batch_size", "samples_per_gpu"), ("num_workers", "workers_per_gpu"),
                                ("persistent_workers", "persistent_workers")):
                if new in loader:
                    data[legacy] = loader[new]
        dataset = loader.get("dataset")
        if dataset is not None:
            carry(data, split, loader, "dataset")
            if split != "train" and loader.get("batch_size") not in (None, data.get("samples_per_gpu")):
                # mmdet 2.x read a val/test batch size from the split's own samples_per_gpu
                data[split] = without(data[split])
                data[split]["samples_per_gpu"] = loader["batch_size"]
        ctx.consume(f"{split}_dataloader")
    if data:
        ctx.put("data", data, "train_dataloader", "val_dataloader", "test_dataloader")
        ctx.find("HPC1008", "todo", "dataloaders -> data: dataset and pipeline contents are codebase-specific", "train_dataloader")
