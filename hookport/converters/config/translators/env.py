"""dist_params, cudnn_benchmark, mp settings -> env_cfg; seed/deterministic -> randomness; resume keys (§1.1, §1.8)."""
from __future__ import annotations

from hookport.converters.config.context import Context
from hookport.converters.config.tables import table


def translate(ctx: Context) -> None:
    """Move the environment keys, the resume/load keys and default_scope."""
    keys = table("keys")
    for legacy, rule in keys["moves"].items():
        if ctx.has(legacy):
            top, *path = rule["to"].split(".")
            ctx.put_in(top, path, ctx.get(legacy), legacy)
            ctx.consume(legacy)
            ctx.find("HPC800", "change", f"{legacy} -> {rule['to']}", legacy)
    for legacy, rule in keys["drop"].items():
        if ctx.has(legacy):
            ctx.consume(legacy)
            ctx.find("HPC801", rule["severity"], rule["message"], legacy)
    _resume(ctx)
    if ctx.options.scope and (ctx.has("log_config") or ctx.has("checkpoint_config")):
        # written once, next to the runtime keys, so sibling bases never both define it
        ctx.put("default_scope", ctx.options.scope, "log_config", "checkpoint_config")


def _resume(ctx: Context) -> None:
    if ctx.has("resume_from"):
        path = ctx.get("resume_from")
        ctx.consume("resume_from")
        if path is None:
            ctx.put("resume", False, "resume_from")
        else:
            # MMCV resumed from resume_from and ignored load_from; one load_from remains
            ctx.consume("load_from")
            ctx.put("load_from", path, "resume_from", "load_from")
            ctx.put("resume", True, "resume_from")
            ctx.find("HPC802", "warning", "resume_from -> load_from + resume=True: MMEngine cannot resume an MMCV "
                     "checkpoint (KeyError: 'message_hub'); for an MMCV checkpoint use resume=False and restart the "
                     "schedule", "resume_from")
    if ctx.get("auto_resume"):
        ctx.consume("auto_resume")
        ctx.put("resume", True, "auto_resume")
        if not ctx.has("load_from"):
            ctx.put("load_from", None, "auto_resume")
        ctx.find("HPC803", "change", "auto_resume=True -> resume=True (MMEngine finds the latest checkpoint in work_dir)", "auto_resume")
    elif ctx.has("auto_resume"):
        ctx.consume("auto_resume")
