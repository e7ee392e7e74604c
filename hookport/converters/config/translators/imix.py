"""iMIX -> MMEngine: loops, checkpoint/log periods, optimizer, fp16, LR policies, custom hook levels (imix.md §5, §7)."""
from __future__ import annotations

from hookport.converters.config.context import Context
from hookport.converters.config.tables import table
from hookport.converters.config.translators.schedules import import_extension
from hookport.converters.config.values import SDict, without
from hookport.converters.exact import IMIX_SCHEDULER_TYPE
from hookport.errors import ConfigError


def translate(ctx: Context) -> None:
    """Translate the keys iMIX's Organizer reads."""
    _loops(ctx)
    _checkpoint_and_log(ctx)
    _optim(ctx)
    _schedule(ctx)
    _custom_hooks(ctx)
    _data(ctx)
    rules = table("imix")
    for legacy, target in rules["moves"].items():
        if ctx.has(legacy):
            top, *path = target.split(".")
            ctx.put_in(top, path, ctx.get(legacy), legacy)
            ctx.consume(legacy)
    for legacy, message in rules["drop"].items():
        if ctx.has(legacy):
            ctx.consume(legacy)
            ctx.find("HPC951", "note", message, legacy)
    if ctx.has("resume_from"):
        path = ctx.get("resume_from")
        ctx.consume("resume_from")
        ctx.put("resume", path is not None, "resume_from")
        if path is not None:
            ctx.put("load_from", path, "resume_from")
            ctx.find("HPC802", "warning", "resume_from -> load_from + resume=True: MMEngine cannot resume an iMIX "
                     "checkpoint; use resume=False and restart the schedule", "resume_from")


def _loops(ctx: Context) -> None:
    by_iter = ctx.has("by_iter")  # iMIX: the key's presence selects by-iter mode, whatever its value
    if by_iter:
        max_iter = ctx.need("max_iter", ctx.get("max_iter"))
        interval = ctx.get("eval_iter_period", max_iter)
        train_cfg = SDict(type="IterBasedTrainLoop", max_iters=max_iter, val_interval=interval)
    elif ctx.has("total_epochs"):
        train_cfg = SDict(type="EpochBasedTrainLoop", max_epochs=ctx.get("total_epochs"), val_interval=1)
        if ctx.has("eval_iter_period"):
            ctx.find("HPC952", "warning", "eval_iter_period: iMIX also evaluated mid-epoch; MMEngine's epoch loop "
                     "validates only at epoch ends", "eval_iter_period")
    else:
        return
    ctx.put("train_cfg", train_cfg, "total_epochs", "by_iter", "max_iter", "eval_iter_period")
    ctx.put("val_cfg", SDict(type="ValLoop"), "total_epochs", "by_iter")
    ctx.put("test_cfg", SDict(type="TestLoop"), "total_epochs", "by_iter")
    ctx.consume("total_epochs", "by_iter", "max_iter", "eval_iter_period")


def _checkpoint_and_log(ctx: Context) -> None:
    cfg = ctx.get("checkpoint_config")
    if cfg is not None:
        cfg = ctx.need("checkpoint_config", cfg)
        hook = SDict(type="CheckpointHook")
        if cfg.get("iter_period") is not None:
            hook.update(interval=cfg["iter_period"], by_epoch=False)
        else:
            hook.update(interval=cfg.get("epoch_period", 1))
        if cfg.get("max_num_checkpoints") is not None:
            hook["max_keep_ckpts"] = cfg["max_num_checkpoints"]
        ctx.put_in("default_hooks", ["checkpoint"], hook, "checkpoint_config")
        ctx.consume("checkpoint_config")
        ctx.find("HPC953", "note", "checkpoint names change: iMIX '<model>_<dataset>_epoch0_model.pth' -> MMEngine "
                 "'epoch_1.pth'", "checkpoint_config")
    log = ctx.get("log_config")
    if log is not None:
        log = ctx.need("log_config", log)
        ctx.put_in("default_hooks", ["logger"], SDict(type="LoggerHook", interval=log.get("period", 20)), "log_config")
        ctx.consume("log_config")


def _optim(ctx: Context) -> None:
    optimizer = ctx.get("optimizer")
    if optimizer is None:
        return
    optimizer = ctx.need("optimizer", optimizer)
    wrapper = SDict(type="OptimWrapper", optimizer=without(optimizer, "constructor", "paramwise_cfg",
                                                           "training_encoder_lr_multiply"))
    for key in ("constructor", "paramwise_cfg"):
        if key in optimizer:
            wrapper[key] = optimizer[key]
    if "constructor" in optimizer:
        ctx.find("HPC954", "todo", f"iMIX constructor {optimizer['constructor']!r} must be ported to an MMEngine "
                 "optim wrapper constructor", "optimizer")
    if "training_encoder_lr_multiply" in optimizer:
        ctx.find("HPC955", "todo", "optimizer.training_encoder_lr_multiply is iMIX-specific (use paramwise_cfg)", "optimizer")
    clip = (ctx.get("optimizer_config") or {}).get("grad_clip")
    if isinstance(clip, dict) and "max_norm" in clip:
        wrapper["clip_grad"] = clip
    elif clip is not None:
        ctx.find("HPC956", "todo", f"grad_clip {clip!r} (Pythia style) has no OptimWrapper equivalent", "optimizer_config")
    steps = ctx.get("gradient_accumulation_steps", 1)
    if steps and steps > 1:
        wrapper["accumulative_counts"] = steps
    if ctx.has("fp16"):
        wrapper["type"] = "AmpOptimWrapper"
        fp16 = ctx.get("fp16") or {}
        if fp16:
            wrapper["loss_scale"] = SDict(fp16)
    ctx.put("optim_wrapper", wrapper, "optimizer", "optimizer_config", "fp16", "gradient_accumulation_steps")
    ctx.consume("optimizer", "optimizer_config", "fp16", "gradient_accumulation_steps")


def _schedule(ctx: Context) -> None:
    cfg = ctx.get("lr_config")
    if cfg is None:
        return
    cfg = ctx.need("lr_config", cfg)
    policy = cfg.get("policy")
    builder = _POLICIES.get(policy)
    every = ctx.get("gradient_accumulation_steps", 1) if ctx.get("is_lr_accumulation", True) else 1
    mark = len(ctx.findings)
    if builder is not None:
        schedulers = builder(ctx, cfg)
        if every > 1:
            ctx.find("HPC958", "deviation", "iMIX stepped the lr every gradient_accumulation_steps iterations; "
                     "MMEngine steps by_epoch=False schedulers every iteration", "lr_config")
    approximate = any(f.severity == "deviation" for f in ctx.findings[mark:])
    if ctx.options.exact and (builder is None or approximate):
        del ctx.findings[mark:]
        schedulers = [SDict(type=IMIX_SCHEDULER_TYPE, policy=cfg, by_epoch=False, **({"every": every} if every > 1 else {}))]
        import_extension(ctx, "lr_config")
        ctx.find("HPC609", "warning", f"iMIX {policy} -> {IMIX_SCHEDULER_TYPE} (--exact): MMEngine needs hookport "
                 "installed and custom_imports=['hookport.ext.mmengine']", "lr_config")
    elif builder is None:
        ctx.keep("lr_config", f"iMIX policy {policy!r} has no MMEngine recipe: write param_scheduler by hand "
                 "or convert with --exact")
        ctx.find("HPC957", "todo", f"iMIX lr policy {policy!r} not translated (--exact replays it)", "lr_config")
        return
    ctx.put("param_scheduler", schedulers, "lr_config")
    ctx.consume("lr_config")
    ctx.find("HPC959", "change", f"iMIX {policy} -> {[s['type'] for s in schedulers]} (stepped every iteration, as "
             "in iMIX)", "lr_config")


def _warmup(factor, iters, method="linear"):
    """detectron2 warm-up: factor·(1-α)+α with α=i/W for i<W is LinearLR over W+1 steps."""
    if not iters:
        return []
    if method == "constant":
        return [SDict(type="ConstantLR", factor=factor, by_epoch=False, begin=0, end=iters)]
    return [SDict(type="LinearLR", start_factor=factor, end_factor=1.0, by_epoch=False, begin=0, end=iters + 1)]


def _warmup_multistep(ctx, cfg):
    return _warmup(cfg.get("warmup_factor", 0.001), cfg.get("warmup_iters", 1000), cfg.get("warmup_method", "linear")) + [
        SDict(type="MultiStepLR", milestones=list(cfg["milestones"]), gamma=cfg.get("gamma", 0.1), by_epoch=False, begin=0)]


def _warmup_cosine(ctx, cfg):
    total = cfg["max_iters"]
    return _warmup(cfg.get("warmup_factor", 0.001), cfg.get("warmup_iters", 1000), cfg.get("warmup_method", "linear")) + [
        SDict(type="CosineAnnealingLR", T_max=total, eta_min=0.0, by_epoch=False, begin=0, end=total)]


def _pythia(ctx, cfg):
    steps = list(cfg.get("lr_steps", []))
    warm = cfg.get("warmup_iterations", 0) if cfg.get("use_warmup") is True else 0
    if steps and warm >= steps[0]:
        ctx.find("HPC960", "deviation", "Pythia warm-up overlaps the first lr step; MMEngine chains the factors", "lr_config")
    if cfg.get("warmup_factor", 1.0) == 0:
        raise ConfigError("lr_config.warmup_factor=0 cannot be a LinearLR start_factor (must be > 0)",
                          ctx.file, ctx.lines.get("lr_config"))
    # Pythia's warm-up includes step W itself, so the ramp ends at W: LinearLR over W+1 steps
    return _warmup(cfg.get("warmup_factor", 1.0), warm) + [
        SDict(type="MultiStepLR", milestones=steps, gamma=cfg.get("lr_ratio", 0.1), by_epoch=False, begin=0)]


_POLICIES = {
    "WarmupMultiStepLR": _warmup_multistep,
    "WarmupCosineLR": _warmup_cosine,
    "PythiaScheduler": _pythia,
    "MultiStepScheduler": _pythia,
}


def _custom_hooks(ctx: Context) -> None:
    hooks = ctx.get("custom_hooks")
    if hooks is None:
        return
    rules = table("imix")
    out = []
    for original in ctx.need("custom_hooks", hooks):
        hook = without(original, "level")
        level = original.get("level", 30)
        if isinstance(level, str):
            level = rules["level_names"].get(level.upper(), level)
        rule = rules["levels"].get(level)
        if rule is None:
            raise ConfigError(f"custom hook {hook.get('type')!r}: level {level!r} is not an iMIX level "
                              f"({sorted(rules['levels'])})", ctx.file, ctx.lines.get("custom_hooks"))
        hook["priority"] = rule["priority"]
        out.append(hook)
        if "lost" in rule:
            ctx.find("HPC961", "warning", f"{hook.get('type')} (level {level}) cannot keep its place: {rule['lost']}", "custom_hooks")
        else:
            ctx.find("HPC962", "change", f"{hook.get('type')}: level {level} -> priority {rule['priority']!r}"
                     + (f" ({rule['note']})" if "note" in rule else ""), "custom_hooks")
    ctx.put("custom_hooks", out, "custom_hooks")
    ctx.consume("custom_hooks")


def _data(ctx: Context) -> None:
    for legacy, new, shuffle in (("train_data", "train_dataloader", True), ("test_data", "val_dataloader", False)):
        data = ctx.get(legacy)
        if not isinstance(data, dict):
            continue
        loader = SDict()
        if "samples_per_gpu" in data:
            loader["batch_size"] = data["samples_per_gpu"]
        if "workers_per_gpu" in data:
            loader["num_workers"] = data["workers_per_gpu"]
        loader["sampler"] = SDict(type="DefaultSampler", shuffle=shuffle)
        loader["dataset"] = data.get("data")
        ctx.put(new, loader, legacy)
        ctx.consume(legacy)
    if ctx.has("test_data"):
        ctx.find("HPC963", "todo", "iMIX's EvaluateHook becomes val_cfg + a val_evaluator (write the metric by hand)", "test_data")

