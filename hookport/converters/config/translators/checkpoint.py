"""checkpoint_config -> default_hooks.checkpoint (reference §1.2)."""
from __future__ import annotations

from hookport.converters.config.context import Context
from hookport.converters.config.translators.absent_hooks import keep_absent
from hookport.converters.config.tables import table
from hookport.converters.config.values import SDict


def translate(ctx: Context) -> None:
    """Map MMCV CheckpointHook arguments onto MMEngine's CheckpointHook."""
    if keep_absent(ctx, "checkpoint_config", "checkpoint", "CheckpointHook", "HPC201"):
        return
    cfg = ctx.get("checkpoint_config")
    ctx.consume("checkpoint_config")
    cfg = ctx.need("checkpoint_config", cfg, kind=dict)
    rules = table("hooks")["checkpoint"]
    hook = SDict(type="CheckpointHook")
    for key, value in cfg.items():
        if key in rules["copy"]:
            hook[key] = value
            if isinstance(cfg, SDict) and key in cfg.srcs:
                hook.srcs[key] = cfg.srcs[key]
        elif key in rules["rename"]:
            hook[rules["rename"][key]] = value
        elif key in rules["drop"]:
            ctx.find("HPC202", "note", rules["drop"][key], "checkpoint_config")
        elif key == "sync_buffer":
            if value:
                ctx.extra_hooks.append(SDict(type="SyncBuffersHook"))
                ctx.find("HPC203", "warning", "sync_buffer=True -> custom_hooks SyncBuffersHook: MMEngine all-reduces "
                         "buffers after every train epoch and before validation; MMCV synced only before saving",
                         "checkpoint_config")
        else:
            ctx.todo("default_hooks", f"checkpoint_config.{key}={value!r} has no MMEngine CheckpointHook argument")
            ctx.find("HPC204", "todo", f"checkpoint_config.{key} has no MMEngine equivalent (dropped; MMEngine would "
                     "pass it to save_checkpoint and fail)", "checkpoint_config")
    ctx.put_in("default_hooks", ["checkpoint"], hook, "checkpoint_config")
    ctx.find("HPC200", "change", "checkpoint_config -> default_hooks.checkpoint (CheckpointHook now runs at VERY_LOW, after your NORMAL hooks)", "checkpoint_config")
