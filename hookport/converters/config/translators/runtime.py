"""runner / total_epochs / workflow -> train_cfg, val_cfg, test_cfg (reference §1.1)."""
from __future__ import annotations

from typing import Optional, Tuple

from hookport.converters.config.context import Context
from hookport.converters.config.values import SDict
from hookport.errors import ConfigError

_LOOPS = {"EpochBasedRunner": ("EpochBasedTrainLoop", "max_epochs"), "IterBasedRunner": ("IterBasedTrainLoop", "max_iters")}


def loop_of(legacy: dict) -> Tuple[Optional[str], Optional[int]]:
    """('epoch' | 'iter' | None, max epochs or iters) of a legacy config."""
    runner = legacy.get("runner")
    if isinstance(runner, dict):
        kind = runner.get("type", "EpochBasedRunner")
        if kind == "IterBasedRunner":
            return "iter", runner.get("max_iters")
        return "epoch", runner.get("max_epochs", legacy.get("total_epochs"))
    if "total_epochs" in legacy:
        return "epoch", legacy["total_epochs"]
    return None, None


def translate(ctx: Context) -> None:
    """Write the train/val/test loops when the config defines the runner."""
    _workflow(ctx)
    runner = ctx.get("runner")
    if runner is None and not ctx.has("total_epochs"):
        return
    if runner is not None:
        ctx.need("runner", runner, kind=dict)
    kind, length = loop_of(ctx.legacy)
    runner = runner or {}
    rtype = runner.get("type", "EpochBasedRunner")
    if rtype not in _LOOPS:
        ctx.keep("runner", f"custom runner {rtype!r} needs a custom train loop (train_cfg.type)")
        ctx.find("HPC101", "todo", f"runner type {rtype!r} has no MMEngine loop; write a custom train loop", "runner")
        return
    total = ctx.get("total_epochs")
    if runner and total is not None and runner.get("max_epochs", total) != total:
        raise ConfigError(f"total_epochs={total} disagrees with runner.max_epochs={runner.get('max_epochs')} "
                          "(mmdet 2.x requires them equal)", ctx.file, ctx.lines.get("total_epochs"))
    loop, length_key = _LOOPS[rtype]
    train_cfg = SDict(type=loop)
    train_cfg[length_key] = ctx.need("runner", length, length_key)
    # always explicit: the IterBasedTrainLoop default is 1000, MMCV's EvalHook default was 1
    train_cfg["val_interval"] = 1
    ctx.put("train_cfg", train_cfg, "runner", "total_epochs")
    ctx.put("val_cfg", SDict(type="ValLoop"), "runner", "total_epochs")
    ctx.put("test_cfg", SDict(type="TestLoop"), "runner", "total_epochs")
    extra = [k for k in runner if k not in ("type", "max_epochs", "max_iters")]
    if extra:
        ctx.todo("train_cfg", f"runner arguments {extra} have no train loop equivalent: {dict((k, runner[k]) for k in extra)}")
        ctx.find("HPC103", "todo", f"runner arguments {extra} dropped (no train loop equivalent)", "runner")
    ctx.consume("runner", "total_epochs")
    ctx.find("HPC100", "change", f"runner -> train_cfg ({loop}, {length_key}={length}), val_cfg, test_cfg", "runner" if "runner" in ctx.lines else "total_epochs")


def _workflow(ctx: Context) -> None:
    workflow = ctx.get("workflow")
    if workflow is None:
        return
    phases = [w[0] for w in workflow if isinstance(w, (list, tuple)) and w] if isinstance(workflow, (list, tuple)) else None
    if phases is not None and set(phases) <= {"train"}:
        ctx.consume("workflow")
        ctx.find("HPC104", "change", "workflow dropped: the MMEngine train loop replaces it", "workflow")
        return
    ctx.keep("workflow", "a ('val', k) workflow has no MMEngine equivalent: ValLoop runs an evaluator and does not log validation losses")
    ctx.find("HPC105", "todo", "workflow with a 'val' phase has no MMEngine equivalent (validation loss is no longer logged)", "workflow")
