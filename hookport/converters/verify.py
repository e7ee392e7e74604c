"""Verify a conversion without training: LR/momentum per iteration and hook order per mount point.

The original config is simulated the way its own system schedules (MMCV 1.7.2
updater hooks, iMIX policies), the converted one the way MMEngine 0.10.7 steps
its schedulers; both are pure Python. Hook tables come from the dialects
(``dialect.hook_table(cfg)``), built without model or data.
"""
from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Tuple

from hookport.errors import HookportError
from hookport.converters.config.translators.absent_hooks import is_training_config

#: iterations per epoch when neither the dataset nor --iters-per-epoch says (documented in `hookport convert -h`)
DEFAULT_ITERS_PER_EPOCH = 10
#: relative tolerance under which two trajectories count as "exact" (float noise of chained products)
EXACT_RTOL = 1e-9
#: at most this many iterations are simulated (long iteration-based runs are checked on their first part)
MAX_SIM_ITERS = 200_000


def verify(legacy: Dict[str, Any], converted: Dict[str, Any], dialect: str,
           iters_per_epoch: Optional[int] = None, target: str = "mmengine",
           iters_source: Optional[str] = None) -> Dict[str, Any]:
    """Compare the original config (in ``dialect``) with the converted one (in ``target``); a JSON-able verdict.

    ``iters_source`` says where ``iters_per_epoch`` came from (default: ``--iters-per-epoch``), or
    why there is none (the default is used).
    """
    ipe = iters_per_epoch or DEFAULT_ITERS_PER_EPOCH
    if iters_per_epoch:
        source = iters_source or "--iters-per-epoch"
    else:
        source = f"default ({DEFAULT_ITERS_PER_EPOCH})" + (f": {iters_source}" if iters_source else "")
    result: Dict[str, Any] = {"iters_per_epoch": ipe, "iters_per_epoch_source": source}
    result["schedule"] = _schedule(legacy, converted, dialect, target, ipe)
    result["hooks"] = _hooks(legacy, converted, dialect, target)
    result["summary"] = summary(result)
    return result


def summary(result: Dict[str, Any]) -> str:
    """One line: "exact" / the worst deviation, and the number of hook-order changes."""
    sched, hooks = result["schedule"], result["hooks"]
    if sched["status"] == "exact":
        parts = ["schedule exact"]
    elif sched["status"] == "deviates":
        worst = max((sched[k] for k in ("lr", "momentum") if sched.get(k)), key=lambda d: d["max_abs"])
        parts = [f"schedule deviates: {describe(worst)}"]
    else:
        parts = [f"schedule not verified ({sched['reason']})"]
    if hooks["status"] == "unavailable":
        parts.append(f"hook order not verified ({hooks['reason']})")
    else:
        parts.append(f"{len(hooks['changes'])} hook-order change(s)")
    return "; ".join(parts)


def describe(dev: Dict[str, Any]) -> str:
    """``lr max abs 2.0e-03 (rel 25%) at iteration 4 (epoch 0): 0.008 vs 0.01``."""
    return (f"{dev['param']} max abs {dev['max_abs']:.3g} (rel {dev['max_rel']:.3g}) at iteration {dev['iter']} "
            f"(epoch {dev['epoch']}): original {dev['original']:.6g}, converted {dev['converted']:.6g}")


# -- schedules ---------------------------------------------------------------------------------------
def _schedule(legacy: dict, converted: dict, dialect: str, target: str, ipe: int) -> Dict[str, Any]:
    engine = converted if target == "mmengine" else legacy
    old = legacy if target == "mmengine" else converted
    if not engine.get("param_scheduler") and not (old.get("lr_config") or old.get("momentum_config")):
        return {"status": "unavailable", "reason": "no schedule in this config"}
    if "optim_wrapper" not in engine or "train_cfg" not in engine:
        return {"status": "unavailable", "reason": "the optimizer or the run length is defined in another file"}
    try:
        length = _length(engine, ipe)
        if length > MAX_SIM_ITERS:
            return {"status": "unavailable", "reason": f"{length} iterations is more than {MAX_SIM_ITERS}"}
        original = _trajectory(legacy, dialect, ipe)
        new = _trajectory(converted, target, ipe)
    except HookportError as err:
        return {"status": "unavailable", "reason": err.message}
    except ImportError as err:
        return {"status": "unavailable", "reason": f"{err.name} is not available"}
    except Exception as err:  # a value the simulation cannot use (e.g. kept as source text)
        return {"status": "unavailable", "reason": f"{type(err).__name__}: {err}"}
    out: Dict[str, Any] = {"status": "exact", "iterations": len(new["lr"])}
    for param in ("lr", "momentum"):
        dev = compare(original.get(param, []), new.get(param, []), param, ipe)
        out[param] = dev
        if dev is not None and dev["status"] != "exact":
            out["status"] = "deviates"
    return out


def _length(cfg: dict, ipe: int) -> int:
    train = cfg["train_cfg"]
    if train.get("type") == "IterBasedTrainLoop" or train.get("by_epoch") is False:
        return int(train.get("max_iters") or 0)
    return int(train.get("max_epochs") or 0) * ipe


def _trajectory(cfg: dict, dialect: str, ipe: int) -> Dict[str, Any]:
    """LR/momentum per iteration as ``dialect`` schedules ``cfg`` (pure Python)."""
    if dialect == "mmcv":
        from hookport.compat.mmcv.simulate import simulate_mmcv

        return simulate_mmcv(cfg, ipe)
    if dialect == "mmengine":
        from hookport.converters.exact import register_hookport
        from hookport.optim.simulate import simulate_mmengine

        register_hookport()  # configs written with --exact use it
        return simulate_mmengine(cfg, ipe)
    from hookport.runner.dialect import DIALECTS

    return DIALECTS.get(dialect).schedule(cfg, ipe)


def compare(original: List[Any], converted: List[Any], param: str, ipe: int) -> Optional[Dict[str, Any]]:
    """The largest deviation between two per-iteration trajectories (per group), or None if both are empty."""
    if not original and not converted:
        return None
    worst: Tuple[float, float, int, float, float] = (0.0, 0.0, 0, math.nan, math.nan)
    count = min(len(original), len(converted))
    for it in range(count):
        for a, b in zip(_groups(original[it]), _groups(converted[it])):
            if a is None or b is None:
                continue
            diff = abs(a - b)
            if diff > worst[0]:
                worst = (diff, diff / abs(a) if a else math.inf, it, a, b)
    max_abs, max_rel, it, a, b = worst
    exact = len(original) == len(converted) and (max_abs == 0 or max_rel <= EXACT_RTOL)
    if count and math.isnan(a):
        a = b = _groups(original[0])[0]
    return {"param": param, "status": "exact" if exact else "deviates", "max_abs": max_abs, "max_rel": max_rel,
            "iter": it, "epoch": it // ipe, "original": a, "converted": b,
            "lengths": [len(original), len(converted)]}


def _groups(value: Any) -> List[Optional[float]]:
    if isinstance(value, (list, tuple)):
        return [v if isinstance(v, (int, float)) else None for v in value]
    return [value if isinstance(value, (int, float)) else None]


# -- hook order --------------------------------------------------------------------------------------
def _hooks(legacy: dict, converted: dict, dialect: str, target: str) -> Dict[str, Any]:
    try:
        from hookport.runner.dialect import DIALECTS

        old_dialect, new_dialect = DIALECTS.get(dialect), DIALECTS.get(target)
        stand_ins: Dict[str, type] = {}
        legacy, converted = _with_stand_ins(legacy, stand_ins), _with_stand_ins(converted, stand_ins)
        old = old_dialect.hook_table(legacy).as_json(dialect, old_dialect.stages)["mount_points"]
        new = new_dialect.hook_table(converted).as_json(target, new_dialect.stages)["mount_points"]
    except HookportError as err:
        return {"status": "unavailable", "reason": err.message}
    except (ImportError, NotImplementedError) as err:
        return {"status": "unavailable", "reason": f"{dialect} hook table not available ({err})"}
    except Exception as err:  # a value the hook builders cannot use (e.g. kept as source text)
        return {"status": "unavailable", "reason": f"{type(err).__name__}: {err}"}
    changes = explain_order(old, new, new_defaults=is_training_config(legacy))
    out = {"status": "changed" if changes else "same", "changes": changes}
    if stand_ins:
        out["assumed"] = (f"{', '.join(sorted(stand_ins))} not importable here: assumed to use "
                          f"{', '.join(STAND_IN_STAGES)}")
    return out


#: mount points assumed for a custom hook whose class cannot be imported during verification
STAND_IN_STAGES = ("before_run", "after_run", "before_train_epoch", "after_train_epoch", "before_train_iter",
                   "after_train_iter", "before_val_epoch", "after_val_epoch")


def _with_stand_ins(cfg: dict, made: Dict[str, type]) -> dict:
    """``cfg`` with custom hooks whose type is not registered replaced by same-named stand-ins."""
    from hookport.errors import RegistryError
    from hookport.hooks.hook import Hook
    from hookport.registry import HOOKS

    hooks = cfg.get("custom_hooks")
    if not isinstance(hooks, (list, tuple)):
        return cfg
    out = []
    for hook in hooks:
        name = hook.get("type") if isinstance(hook, dict) else None
        if isinstance(name, str):
            try:
                HOOKS.get(name)
            except RegistryError as err:
                if "ambiguous" in str(err):
                    out.append(hook)
                    continue
                found = None
            else:
                found = True
            if not found:
                if name not in made:
                    made[name] = type(name, (Hook,), {"__init__": _accept_any, **{s: _noop for s in STAND_IN_STAGES}})
                hook = dict(hook, type=made[name])
        out.append(hook)
    return dict(cfg, custom_hooks=out)


def _noop(self, *args, **kwargs):
    """A stand-in hook's mount point."""


def _accept_any(self, *args, **kwargs):
    """A stand-in hook takes whatever arguments the config gives the real one."""


def explain_order(old: Dict[str, List[dict]], new: Dict[str, List[dict]], new_defaults: bool = True) -> List[str]:
    """Sentences for every pair of hooks whose relative order differs, and for hooks on one side only.

    ``new_defaults=False`` leaves out default hooks (CheckpointHook, LoggerHook...) present on one side
    only: for a base fragment (no model, optimizer or length of its own) they say nothing about the
    configs that use it.
    """
    from hookport.converters.config.tables import table

    rules = table("verify")
    sentences: Dict[Tuple[str, Optional[str]], List[str]] = {}
    gone: Dict[str, str] = {}
    added: Dict[str, str] = {}
    for stage, entries in old.items():
        before = []
        for entry in entries:
            name = _canonical(entry["hook"], rules)
            if name is None:
                gone[entry["hook"]] = rules["equivalents"][entry["hook"]]["none"]
                continue
            before.append((name, entry))
        after = []
        for entry in new.get(stage, []):
            name = _canonical(entry["hook"], rules)
            if name is None:
                added[entry["hook"]] = rules["equivalents"][entry["hook"]]["none"]
                continue
            after.append((name, entry))
        position = {name: i for i, (name, _) in enumerate(after)}
        common = [(n, e) for n, e in before if n in position]
        for i, (a, a_old) in enumerate(common):
            for b, b_old in common[i + 1:]:
                if position[a] > position[b]:
                    a_new, b_new = after[position[a]][1], after[position[b]][1]
                    text = (f"{a} ({a_old['priority_name']} -> {a_new['priority_name']}) ran before {b} "
                            f"({b_old['priority_name']} -> {b_new['priority_name']}) and now runs after it")
                    meaning = rules.get("consequences", {}).get(a)
                    key = (text, meaning.format(hook=b) if meaning else None)
                    sentences.setdefault(key, []).append(stage)
    out = [f"{text} at {', '.join(stages)}" + (f"; {meaning}" if meaning else "")
           for (text, meaning), stages in sentences.items()]
    out += [f"{hook} is gone: {why}" for hook, why in sorted(gone.items())]
    out += [f"{hook} is added (it replaces what MMEngine does without a hook: {why})" for hook, why in sorted(added.items())]
    out += _unmatched(old, new, rules, new_defaults)
    return out


def _unmatched(old: Dict[str, List[dict]], new: Dict[str, List[dict]], rules: dict, new_defaults: bool) -> List[str]:
    """Sentences for hooks that run on one side only and have no documented equivalent."""
    def names(table: Dict[str, List[dict]]) -> Dict[str, str]:
        found: Dict[str, str] = {}
        for entries in table.values():
            for entry in entries:
                name = _canonical(entry["hook"], rules)
                if name is not None:
                    found.setdefault(name, entry["hook"])
        return found

    before, after = names(old), names(new)
    defaults = rules["default_hooks"]

    def reported(hooks):
        return sorted(h for h in hooks if h not in rules["silent"] and (new_defaults or h not in defaults))

    out = [f"{hook} is new: {defaults.get(hook, 'the original config did not register it')}"
           for hook in reported(set(after) - set(before))]
    out += [f"{before[hook]} no longer runs: the converted config does not register it"
            for hook in reported(set(before) - set(after))]
    return out


def _canonical(name: str, rules: dict) -> Optional[str]:
    from hookport.converters.config.tables import table

    rule = rules["equivalents"].get(name)
    if rule is not None:
        return None if "none" in rule else rule["to"]
    renamed = table("hooks")["custom_hooks"].get(name)
    if renamed is not None:  # a custom hook convert renames (ExpMomentumEMAHook -> EMAHook)
        return renamed["type"]
    if any(name.endswith(suffix) for suffix in rules["scheduler_suffixes"]):
        return "ParamSchedulerHook"
    return name
