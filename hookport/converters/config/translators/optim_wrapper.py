"""optimizer + optimizer_config + fp16 -> optim_wrapper (reference §1.5)."""
from __future__ import annotations

from hookport.converters.config.context import Context
from hookport.converters.config.values import SDict, carry, without

_DEFAULT_CONSTRUCTOR = {"DefaultOptimizerConstructor": "DefaultOptimWrapperConstructor"}
_HOOK_TYPES = {
    "OptimizerHook": ("OptimWrapper", False),
    "GradientCumulativeOptimizerHook": ("OptimWrapper", True),
    "Fp16OptimizerHook": ("AmpOptimWrapper", False),
    "GradientCumulativeFp16OptimizerHook": ("AmpOptimWrapper", True),
}
_DROPPED = ("coalesce", "bucket_size_mb", "distributed")


def translate(ctx: Context) -> None:
    """Build optim_wrapper when the config defines the optimizer."""
    optimizer = ctx.get("optimizer")
    if optimizer is None:
        if ctx.has("optimizer_config") or ctx.has("fp16"):
            ctx.find("HPC501", "note", "optimizer_config/fp16 are carried by optim_wrapper in the configs that define "
                     "the optimizer", "optimizer_config" if ctx.has("optimizer_config") else "fp16")
        return
    optimizer = ctx.need("optimizer", optimizer, "optimizer", kind=dict)
    if "type" not in optimizer and optimizer and all(isinstance(v, dict) for v in optimizer.values()):
        ctx.keep("optimizer", "a dict of optimizers becomes optim_wrapper=dict(constructor='MultiOptimWrapperConstructor', <name>=dict(type='OptimWrapper', optimizer=...))")
        ctx.find("HPC502", "todo", "a dict of optimizers needs MultiOptimWrapperConstructor by hand", "optimizer")
        return
    wrapper = SDict(type="OptimWrapper", optimizer=without(optimizer, "constructor", "paramwise_cfg"))
    if "constructor" in optimizer:
        name = optimizer["constructor"]
        wrapper["constructor"] = _DEFAULT_CONSTRUCTOR.get(name, name)
        if name not in _DEFAULT_CONSTRUCTOR:
            ctx.find("HPC503", "todo", f"custom constructor {name!r} must be registered in OPTIM_WRAPPER_CONSTRUCTORS "
                     "and return an OptimWrapper", "optimizer")
    if "paramwise_cfg" in optimizer:
        carry(wrapper, "paramwise_cfg", optimizer)
    _optimizer_config(ctx, wrapper)
    _fp16(ctx, wrapper)
    ctx.put("optim_wrapper", wrapper, "optimizer", "optimizer_config", "fp16")
    ctx.consume("optimizer", "optimizer_config", "fp16")
    ctx.find("HPC500", "change", f"optimizer/optimizer_config -> optim_wrapper ({wrapper['type']}); backward and step "
             "now run inside train_step, before every after_train_iter hook", "optimizer")


def _optimizer_config(ctx: Context, wrapper: dict) -> None:
    if ctx.has("optimizer_config") and ctx.get("optimizer_config") is None:
        ctx.find("HPC511", "warning", "optimizer_config=None: MMCV registered no OptimizerHook (the model had to step "
                 "itself); MMEngine's OptimWrapper steps in every train_step", "optimizer_config")
    cfg = ctx.get("optimizer_config")
    if cfg is None:
        return
    cfg = ctx.need("optimizer_config", cfg, kind=dict)
    kind = cfg.get("type", "OptimizerHook")
    if kind not in _HOOK_TYPES:
        ctx.todo("optim_wrapper", f"optimizer_config type {kind!r}: port it to an OptimWrapper subclass")
        ctx.find("HPC504", "todo", f"custom optimizer hook {kind!r} must become an OptimWrapper subclass", "optimizer_config")
        return
    wrapper["type"], cumulative = _HOOK_TYPES[kind]
    for key, value in cfg.items():
        if key == "type":
            continue
        if key == "grad_clip":
            if value is not None:
                wrapper["clip_grad"] = value
        elif key == "cumulative_iters" and cumulative:
            wrapper["accumulative_counts"] = value
        elif key == "loss_scale":
            wrapper["loss_scale"] = value
        elif key == "detect_anomalous_params":
            if value:
                ctx.put("model_wrapper_cfg", SDict(type="MMDistributedDataParallel", detect_anomalous_params=True), "optimizer_config")
                ctx.find("HPC505", "warning", "detect_anomalous_params now only takes effect in distributed runs", "optimizer_config")
        elif key in _DROPPED:
            ctx.find("HPC506", "note", f"optimizer_config.{key} dropped (no OptimWrapper equivalent)", "optimizer_config")
        else:
            ctx.todo("optim_wrapper", f"optimizer_config.{key}={value!r} has no OptimWrapper argument")
            ctx.find("HPC507", "todo", f"optimizer_config.{key} has no OptimWrapper equivalent", "optimizer_config")
    if wrapper["type"] == "AmpOptimWrapper" and "loss_scale" not in wrapper:
        _static_default(ctx, wrapper, "optimizer_config")


def _fp16(ctx: Context, wrapper: dict) -> None:
    if not ctx.has("fp16") or ctx.get("fp16") is None:
        return
    fp16 = ctx.need("fp16", ctx.get("fp16"), kind=dict)
    wrapper["type"] = "AmpOptimWrapper"
    if "loss_scale" in fp16:
        wrapper["loss_scale"] = fp16["loss_scale"]
    elif "loss_scale" not in wrapper:
        _static_default(ctx, wrapper, "fp16")
    ctx.find("HPC508", "note", "mixed precision moves from @auto_fp16/@force_fp32 to one torch.autocast around the "
             "forward (AmpOptimWrapper)", "fp16")


def _static_default(ctx: Context, wrapper: dict, key: str) -> None:
    """MMCV's Fp16OptimizerHook defaults to a static 512; AmpOptimWrapper to 'dynamic'."""
    if ctx.options.style == "official":
        ctx.find("HPC509", "deviation", "official style: loss_scale left at AmpOptimWrapper's 'dynamic' (MMCV used a "
                 "static 512.)", key)
        return
    wrapper["loss_scale"] = 512.0
    ctx.find("HPC510", "note", "loss_scale=512.0 written: MMCV's Fp16OptimizerHook default was a static 512, "
             "AmpOptimWrapper's is 'dynamic'", key)
