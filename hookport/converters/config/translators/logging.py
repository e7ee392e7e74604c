"""log_config -> default_hooks.logger, log_processor, visualizer vis_backends (reference §1.3)."""
from __future__ import annotations

from hookport.converters.config.context import Context
from hookport.converters.config.translators.absent_hooks import keep_absent
from hookport.converters.config.tables import scope_info, table
from hookport.converters.config.values import Opaque, SDict, type_name
from hookport.errors import ConfigError

_TEXT = ("TextLoggerHook",)


def translate(ctx: Context) -> None:
    """One LoggerHook for text/JSON, a LogProcessor with MMCV's smoothing window, backends for the rest."""
    if keep_absent(ctx, "log_config", "logger", "logger hook", "HPC403"):
        return
    cfg = ctx.get("log_config")
    cfg = ctx.need("log_config", cfg, kind=dict)
    ctx.consume("log_config")
    interval = cfg.get("interval", 10)
    rules = table("hooks")
    logger = SDict(type="LoggerHook", interval=interval)
    by_epoch = True
    backends = []
    hooks = cfg.get("hooks", [])
    if not isinstance(hooks, (list, tuple)):
        raise ConfigError(f"log_config.hooks must be a list of hook dicts, not {type_name(hooks)}",
                          ctx.file, ctx.lines.get("log_config"))
    if not any(h.get("type") in _TEXT for h in hooks if isinstance(h, dict)):
        ctx.find("HPC401", "note", "MMEngine's LoggerHook always prints text logs (no TextLoggerHook was configured)", "log_config")
    for hook in hooks:
        kind = hook.get("type") if isinstance(hook, dict) else None
        if kind in _TEXT:
            by_epoch = hook.get("by_epoch", True)
            _text_args(ctx, hook, logger, rules["text_logger"])
        elif kind in rules["vis_backends"]:
            backends.append(_backend(ctx, hook, rules["vis_backends"][kind], interval))
        else:
            ctx.todo("default_hooks", f"logger hook {hook!r} has no MMEngine vis backend")
            ctx.find("HPC402", "todo", f"logger hook {kind!r} has no MMEngine equivalent (dropped)", "log_config")
    if not by_epoch:
        logger["log_metric_by_epoch"] = False
    ctx.put_in("default_hooks", ["logger"], logger, "log_config")
    official = ctx.options.style == "official"
    if not official or interval != 10 or not by_epoch:
        # MMCV averaged over `interval` iterations; MMEngine over log_processor.window_size (default 10)
        ctx.put("log_processor", SDict(type="LogProcessor", window_size=interval, by_epoch=by_epoch), "log_config")
    ctx.find("HPC400", "change", f"log_config -> default_hooks.logger (LoggerHook, BELOW_NORMAL instead of VERY_LOW)"
             f" + log_processor(window_size={interval})", "log_config")
    info = scope_info(ctx.options.scope)
    if backends or info:
        backends.insert(0, SDict(type="LocalVisBackend"))
        ctx.put("vis_backends", backends, "log_config")
        vis = SDict(type=info.get("visualizer", "Visualizer"), vis_backends=Opaque("vis_backends"), name="visualizer")
        ctx.put("visualizer", vis, "log_config")


def _text_args(ctx: Context, hook: dict, logger: dict, rules: dict) -> None:
    for key, value in hook.items():
        if key in ("type", "by_epoch"):
            continue
        if key in rules["copy"]:
            logger[key] = value
        elif key in rules["rename"]:
            logger[rules["rename"][key]] = value
        elif key in rules["drop"]:
            ctx.find("HPC403", "note", rules["drop"][key], "log_config")
        else:
            ctx.todo("default_hooks", f"TextLoggerHook.{key}={value!r} has no LoggerHook argument")
            ctx.find("HPC404", "todo", f"TextLoggerHook.{key} has no MMEngine equivalent", "log_config")


def _backend(ctx: Context, hook: dict, rule: dict, interval) -> dict:
    backend = SDict(type=rule["type"])
    base_args = table("hooks")["logger_base_args"]
    rest = {}
    for key, value in hook.items():
        if key == "type":
            continue
        if key in rule.get("args", {}):
            backend[rule["args"][key]] = value
        elif key in base_args:
            if key == "interval" and value != interval:
                ctx.find("HPC405", "warning", f"{hook['type']} interval={value} differs from log_config.interval="
                         f"{interval}; every MMEngine backend receives scalars at the LoggerHook interval", "log_config")
        elif key in rule.get("dropped", []):
            ctx.find("HPC406", "note", f"{hook['type']}.{key} has no {rule['type']} equivalent (dropped)", "log_config")
        else:
            rest[key] = value
    if rest and rule.get("rest_to"):
        backend[rule["rest_to"]] = SDict(rest)
    elif rest:
        ctx.find("HPC406", "todo", f"{hook['type']} arguments {sorted(rest)} have no {rule['type']} equivalent", "log_config")
    if rule.get("note"):
        ctx.find("HPC407", "note", rule["note"], "log_config")
    return backend
