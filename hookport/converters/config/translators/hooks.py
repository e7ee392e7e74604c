"""custom_hooks: priorities kept, types renamed where MMDetection 3.x renamed them (reference §1.7, §4)."""
from __future__ import annotations

from hookport.converters.config.context import Context
from hookport.converters.config.tables import table
from hookport.converters.config.values import SDict, without


def translate(ctx: Context) -> None:
    """Rename hook types and arguments in custom_hooks; add hooks other translators asked for."""
    hooks = ctx.get("custom_hooks")
    if hooks is None and not ctx.extra_hooks:
        return
    if isinstance(hooks, dict):  # MMCV accepts a single dict
        hooks = [hooks]
    hooks = list(ctx.need("custom_hooks", hooks or [], kind=(list, tuple)))
    renames = table("hooks")["custom_hooks"]
    out, changed = [], False
    for hook in hooks:
        kind = hook.get("type") if isinstance(hook, dict) else None
        rule = renames.get(kind)
        if rule is None:
            out.append(hook)
            continue
        changed = True
        if "remove" in rule:
            ctx.todo("custom_hooks", f"removed {hook!r}: {rule['remove']}")
            ctx.find("HPC701", "todo", f"{kind} removed: {rule['remove']}", "custom_hooks")
            continue
        out.append(_rename(ctx, hook, rule))
    if ctx.extra_hooks:
        out.extend(ctx.extra_hooks)
        changed = True
    if changed or ctx.has("custom_hooks"):
        ctx.put("custom_hooks", out, "custom_hooks", *(["checkpoint_config"] if ctx.extra_hooks else []))
        ctx.consume("custom_hooks")


def _rename(ctx: Context, hook: dict, rule: dict) -> dict:
    kind = hook["type"]
    drop = set(rule.get("drop", [])) | set(rule.get("rename", {})) | {"type"}
    new = SDict(type=rule["type"])
    new.update(rule.get("set", {}))
    for old, name in rule.get("rename", {}).items():
        if old in hook:
            new[name] = hook[old]
    rest = without(hook, *drop)
    if rule.get("skip_buffers_to_update_buffers"):
        # EMA over the whole state_dict (skip_buffers=False) is update_buffers=True in MMEngine
        skip = rest.pop("skip_buffers", False)
        new["update_buffers"] = not skip
    for key, value in rest.items():
        new[key] = value
    new.srcs.update({k: v for k, v in getattr(rest, "srcs", {}).items() if k in new})
    message = rule.get("note") or rule.get("todo")
    ctx.find("HPC700", "todo" if "todo" in rule else "change", f"custom hook {kind} -> {rule['type']}: {message}", "custom_hooks")
    dropped = [k for k in rule.get("drop", []) if k in hook]
    if dropped:
        ctx.find("HPC702", "note", f"{kind} arguments {dropped} dropped", "custom_hooks")
    return new
