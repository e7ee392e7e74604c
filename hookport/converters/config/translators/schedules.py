"""lr_config / momentum_config -> param_scheduler (reference §1.6; recipes checked against MMCV 1.7.2).

Faithful style writes the exact recipes (warm-up ``end=W+1``, poly/linear
annealing ``end=T+1``, exp warm-up as ConstantLR + ExponentialLR); official
style writes what OpenMMLab's own migrations write and reports the deviation.
Where MMEngine cannot express MMCV's math the closest form is written with a
``deviation`` finding (verification adds the measured maximum deviation).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from hookport.converters.config.context import Context
from hookport.converters.config.tables import table
from hookport.converters.config.translators.runtime import loop_of
from hookport.converters.config.values import SDict
from hookport.errors import ConfigError

_WARMUP_KEYS = ("warmup", "warmup_iters", "warmup_ratio", "warmup_by_epoch")


@dataclass
class Span:
    """The units a scheduler is written in: MMEngine ``by_epoch``, ``convert_to_iter_based`` and the length T."""

    by_epoch: bool
    convert: bool
    total: Optional[int]

    def kw(self) -> Dict[str, Any]:
        """The unit arguments every scheduler of this span carries."""
        out: Dict[str, Any] = {"by_epoch": self.by_epoch}
        if self.convert:
            out["convert_to_iter_based"] = True
        return out


class _Recipe:
    """Builds the scheduler list of one updater config and records its fidelity."""

    def __init__(self, ctx: Context, key: str, cfg: dict, param: str):
        self.ctx, self.key, self.cfg, self.param = ctx, key, cfg, param
        self.official = ctx.options.style == "official"
        self.out: List[dict] = []
        self.approximate = False

    def sched(self, kind: str, **kwargs: Any) -> dict:
        """Append scheduler ``kind`` (LR or Momentum variant by ``param``) and return it."""
        name = kind if self.param == "lr" else kind.replace("LR", "Momentum")
        item = SDict(type=name, **kwargs)
        self.out.append(item)
        return item

    def approx(self, why: str) -> None:
        """Record that the written schedule only approximates MMCV's."""
        self.approximate = True
        self.ctx.find("HPC602", "deviation", f"{self.key}: {why}; the closest MMEngine form was written", self.key)

    def total(self, span: Span) -> int:
        """T in the span's units, or a TODO-worthy error when the config has no runner length."""
        if span.total is None:
            raise _NeedsLoop()
        return span.total

    def end_after(self, span: Span, what: str) -> int:
        """``T+1`` (MMCV never reaches the final value; MMEngine reaches it at ``end-1``)."""
        total = self.total(span)
        if self.official:
            self.ctx.find("HPC603", "deviation", f"official style: {what} end={total} reaches its final value one "
                          "step early (MMCV: never)", self.key)
            return total
        if span.convert:
            self.approx(f"{what} over iterations of an epoch-based run needs end=max_iters+1, which cannot be written "
                        "in epochs (end=max_epochs with convert_to_iter_based is one iteration short)")
            return total
        return total + 1


class _NeedsLoop(Exception):
    """The schedule depends on max_epochs/max_iters, which this config does not define."""


def translate(ctx: Context) -> None:
    """Write ``param_scheduler`` from lr_config and momentum_config."""
    if not ctx.has("lr_config") and not ctx.has("momentum_config"):
        return
    kind, length = loop_of(ctx.legacy)
    schedulers: List[dict] = []
    translated: List[str] = []
    try:
        for key, param in (("lr_config", "lr"), ("momentum_config", "momentum")):
            cfg = ctx.get(key)
            if cfg is None:
                if ctx.has(key):
                    translated.append(key)
                continue
            result = _updater(ctx, key, ctx.need(key, cfg, kind=dict), param, kind, length)
            if result is not None:  # None: a downstream policy left in place with a TODO
                schedulers += result
                translated.append(key)
    except _NeedsLoop:
        for key in ("lr_config", "momentum_config"):
            if ctx.has(key):
                ctx.keep(key, "needs max_epochs/max_iters: translated in the configs that also define the runner")
        ctx.find("HPC604", "note", "the schedule depends on the run length; it is translated in the configs that "
                 "define the runner", "lr_config" if ctx.has("lr_config") else "momentum_config")
        return
    if translated:
        ctx.put("param_scheduler", schedulers or None, *translated)
        ctx.consume(*translated)


def _policy_class(ctx: Context, key: str, cfg: dict, table_name: str) -> Optional[str]:
    policy = cfg.get("policy")
    if not isinstance(policy, str):
        raise ConfigError(f"{key} needs a string 'policy'", ctx.file, ctx.lines.get(key))
    name = policy.title() if policy.islower() else policy
    policies = table("schedules")[table_name]
    if name in policies:
        return name
    downstream = table("schedules")["lr_downstream"]
    if policy in downstream:
        ctx.keep(key, downstream[policy])
        ctx.find("HPC605", "todo", downstream[policy], key)
        return None
    suffix = "LrUpdaterHook" if table_name == "lr_policies" else "MomentumUpdaterHook"
    raise ConfigError(f"unknown {key} policy {policy!r} (MMCV looks for {name}{suffix})", ctx.file, ctx.lines.get(key))


def _updater(ctx: Context, key: str, cfg: dict, param: str, kind: Optional[str],
             length: Optional[int]) -> Optional[List[dict]]:
    table_name = "lr_policies" if param == "lr" else "momentum_policies"
    name = _policy_class(ctx, key, cfg, table_name)
    if name is None:
        return None
    rule = table("schedules")[table_name][name]
    # IterBasedRunner sets lr_config.by_epoch=False by default, but not momentum_config's
    default = rule.get("by_epoch", param == "momentum" or kind != "iter")
    by_epoch = cfg.get("by_epoch", default)
    recipe = _Recipe(ctx, key, cfg, param)
    mark = len(ctx.findings)
    if kind == "iter" and by_epoch:
        ctx.find("HPC606", "warning", f"{key}: by_epoch=True in an IterBasedRunner never updates in MMCV; no "
                 "scheduler written", key)
        return []
    span = _span(ctx, kind, length, by_epoch)
    if cfg.get("warmup") is not None:
        _warmup(recipe, cfg, param, kind)
    main = getattr(_Main, name)(recipe, cfg, span)
    if not rule["exact"]:
        recipe.approx(rule["why"])
    for arg, why in rule.get("approximate_if", {}).items():
        if cfg.get(arg) is not None:
            recipe.approx(why)
    _overlap_check(recipe, cfg, main)
    if recipe.approximate and ctx.options.exact:
        return _exact(ctx, key, cfg, param, mark)
    ctx.find("HPC600", "change", f"{key} policy {cfg['policy']!r} -> param_scheduler "
             f"{[s['type'] for s in recipe.out]}", key)
    return recipe.out


def _exact(ctx: Context, key: str, cfg: dict, param: str, mark: int) -> List[dict]:
    """--exact: one hookport scheduler that replays MMCV's updater (MMEngine loads it via custom_imports)."""
    from hookport.converters.exact import SCHEDULER_TYPE

    del ctx.findings[mark:]  # the approximations are not written
    runner = ctx.get("runner") or SDict(type="EpochBasedRunner", max_epochs=ctx.get("total_epochs"))
    exact = SDict(type=SCHEDULER_TYPE, param_name=param, updater=cfg, runner=runner, by_epoch=True,
                  convert_to_iter_based=True)
    import_extension(ctx, key)
    ctx.find("HPC609", "warning", f"{key} policy {cfg['policy']!r} -> {SCHEDULER_TYPE} (--exact): MMEngine needs "
             f"hookport installed and custom_imports=['{EXT_MODULE}']", key)
    return [exact]


EXT_MODULE = "hookport.ext.mmengine"


def import_extension(ctx: Context, key: str) -> None:
    """Make MMEngine import hookport's extra schedulers (``custom_imports``, merged with any existing one)."""
    existing = ctx.get("custom_imports") or SDict()
    imports = list(existing.get("imports", []))
    if EXT_MODULE not in imports:
        imports.append(EXT_MODULE)
    custom_imports = SDict(existing)
    custom_imports["imports"] = imports
    custom_imports.setdefault("allow_failed_imports", False)
    ctx.put("custom_imports", custom_imports, key, "custom_imports")
    ctx.consume("custom_imports")


def _span(ctx: Context, kind: Optional[str], length: Optional[int], by_epoch: bool) -> Span:
    if kind is None:
        return Span(by_epoch, False, None)
    if kind == "iter":
        return Span(False, False, length)
    if by_epoch:
        return Span(True, False, length)
    # per-iteration policy in an epoch-based run: lengths in epochs, updated every iteration
    return Span(True, True, length)


def _warmup(recipe: _Recipe, cfg: dict, param: str, kind: Optional[str]) -> None:
    ctx = recipe.ctx
    if param == "momentum":
        recipe.approx("momentum warm-up (which divides momentum by the warm-up factor) has no MMEngine equivalent; "
                      "it was left out")
        return
    mode = cfg["warmup"]
    if mode not in ("linear", "constant", "exp"):
        raise ConfigError(f"unknown warmup {mode!r} (linear, constant or exp)", ctx.file, ctx.lines.get(recipe.key))
    ratio = cfg.get("warmup_ratio", 0.1)
    width = cfg.get("warmup_iters", 0)
    if cfg.get("warmup_by_epoch", False):
        if kind == "iter":
            raise ConfigError("warmup_by_epoch=True in an IterBasedRunner fails in MMCV (warmup_iters stays None)",
                              ctx.file, ctx.lines.get(recipe.key))
        unit = dict(by_epoch=True, begin=0, end=width, convert_to_iter_based=True)
        recipe.approx("warmup_by_epoch: the exact end (warm-up iterations + 1) cannot be written in epochs, so "
                      "the warm-up ends one iteration early")
    else:
        end = width if recipe.official else width + 1
        unit = dict(by_epoch=False, begin=0, end=end)
        if recipe.official:
            ctx.find("HPC607", "deviation", f"official style: warm-up end={width} ends one iteration early "
                     f"(exact: {width + 1})", recipe.key)
    if mode == "linear":
        recipe.sched("LinearLR", start_factor=ratio, end_factor=1.0, **unit)
    elif mode == "constant":
        recipe.sched("ConstantLR", factor=ratio, **unit)
    elif recipe.official:
        recipe.sched("ExponentialLR", gamma=ratio, **unit)
        ctx.find("HPC608", "deviation", "official style: exp warm-up written as ExponentialLR(gamma=warmup_ratio) as "
                 "in the MMEngine migration guide; this DECAYS the lr instead of warming it up", recipe.key)
    else:
        # ×ratio once, then ×ratio^(-1/W) per step for W steps: lr = base·ratio^(1 - i/W)
        recipe.sched("ConstantLR", factor=ratio, by_epoch=False, begin=0, end=1)
        if "convert_to_iter_based" in unit:
            recipe.approx("exp warm-up by epoch: the growth rate needs the warm-up length in iterations")
        recipe.sched("ExponentialLR", gamma=ratio ** (-1.0 / width), **unit)


def _overlap_check(recipe: _Recipe, cfg: dict, main: Optional[dict]) -> None:
    """Chained warm-up × main equals MMCV's product only for multiplicative main schedulers."""
    if cfg.get("warmup") is None or main is None:
        return
    if main.get("eta_min") or main.get("eta_min_ratio"):
        recipe.approx("a non-zero minimum under an overlapping warm-up composes differently in MMEngine's chained "
                      "form (about 1e-4 relative)")


class _Main:
    """One builder per MMCV policy class; each appends its schedulers and returns the main one."""

    @staticmethod
    def Fixed(r: _Recipe, cfg: dict, span: Span):
        return None

    @staticmethod
    def Step(r: _Recipe, cfg: dict, span: Span):
        gamma = cfg.get("gamma", 0.1 if r.param == "lr" else 0.5)
        step = cfg.get("step")
        if isinstance(step, int):
            return r.sched("StepLR", step_size=step, gamma=gamma, begin=0, **span.kw())
        if not isinstance(step, (list, tuple)):
            raise ConfigError(f"{r.key}.step must be an int or a list", r.ctx.file, r.ctx.lines.get(r.key))
        return r.sched("MultiStepLR", milestones=list(step), gamma=gamma, begin=0, **span.kw())

    @staticmethod
    def Exp(r: _Recipe, cfg: dict, span: Span):
        if "gamma" not in cfg:
            raise ConfigError(f"{r.key}: the exp policy needs 'gamma'", r.ctx.file, r.ctx.lines.get(r.key))
        return r.sched("ExponentialLR", gamma=cfg["gamma"], begin=0, **span.kw())

    @staticmethod
    def Inv(r: _Recipe, cfg: dict, span: Span):
        return None

    @staticmethod
    def Poly(r: _Recipe, cfg: dict, span: Span):
        end = r.end_after(span, "poly")
        return r.sched("PolyLR", power=cfg.get("power", 1.0), eta_min=cfg.get("min_lr", 0.0), begin=0, end=end, **span.kw())

    @staticmethod
    def _min(r: _Recipe, cfg: dict) -> Dict[str, Any]:
        prefix = "min_lr" if r.param == "lr" else "min_momentum"
        if cfg.get(prefix) is not None:
            return {"eta_min": cfg[prefix]}
        if cfg.get(prefix + "_ratio") is not None:
            return {"eta_min_ratio": cfg[prefix + "_ratio"]}
        raise ConfigError(f"{r.key}: one of {prefix} / {prefix}_ratio is required", r.ctx.file, r.ctx.lines.get(r.key))

    @staticmethod
    def CosineAnnealing(r: _Recipe, cfg: dict, span: Span):
        total = r.total(span)
        return r.sched("CosineAnnealingLR", T_max=total, begin=0, end=total, **_Main._min(r, cfg), **span.kw())

    @staticmethod
    def FlatCosineAnnealing(r: _Recipe, cfg: dict, span: Span):
        total = r.total(span)
        start = round(total * cfg.get("start_percent", 0.75))
        if span.convert:
            r.approx("flat-cosine start over iterations is round(max_iters·start_percent), written in epochs here")
        if r.official:
            r.sched("ConstantLR", factor=1, begin=0, end=start, **span.kw())
        return r.sched("CosineAnnealingLR", T_max=total - start, begin=start, end=total, **_Main._min(r, cfg), **span.kw())

    @staticmethod
    def CosineRestart(r: _Recipe, cfg: dict, span: Span):
        weights = cfg.get("restart_weights", [1])
        mins = _Main._min(r, cfg)
        if any(w != 1 for w in weights) and any(mins.values()):
            r.approx("restart weights below 1 with a non-zero minimum: MMCV restarts at eta_min + w·(base - eta_min), "
                     "MMEngine at w·base")
        return r.sched("CosineRestartLR", periods=list(cfg["periods"]), restart_weights=list(weights), begin=0,
                       **mins, **span.kw())

    @staticmethod
    def OneCycle(r: _Recipe, cfg: dict, span: Span):
        if r.param != "lr":
            return None
        max_lr = cfg.get("max_lr")
        if not isinstance(max_lr, (int, float)):
            raise ConfigError(f"{r.key}: only a number max_lr is translated (per-group lists/dicts need a hand-written "
                              "OneCycleLR)", r.ctx.file, r.ctx.lines.get(r.key))
        kwargs = {k: cfg[k] for k in ("total_steps", "pct_start", "anneal_strategy", "div_factor",
                                       "final_div_factor", "three_phase") if k in cfg}
        # MMCV forces per-iteration OneCycle; the MMEngine default by_epoch=True must be overridden
        return r.sched("OneCycleLR", eta_max=max_lr, by_epoch=False, begin=0, **kwargs)

    @staticmethod
    def LinearAnnealing(r: _Recipe, cfg: dict, span: Span):
        prefix = "min_lr" if r.param == "lr" else "min_momentum"
        if cfg.get(prefix + "_ratio") is not None:
            factor = cfg[prefix + "_ratio"]
        else:
            base = _base_value(r, cfg)
            factor = cfg.get(prefix, 0.0) / base
            r.approx(f"absolute {prefix} written as end_factor={prefix}/base; groups with their own lr_mult differ")
        end = r.end_after(span, "linear annealing")
        return r.sched("LinearLR", start_factor=1.0, end_factor=factor, begin=0, end=end, **span.kw())

    @staticmethod
    def Cyclic(r: _Recipe, cfg: dict, span: Span):
        total = r.total(span)
        default = (10, 1e-4) if r.param == "lr" else (0.85 / 0.95, 1.0)
        ratio = cfg.get("target_ratio", default)
        if isinstance(ratio, (int, float)):
            ratio = (ratio, ratio / 1e5)
        times = cfg.get("cyclic_times", 1)
        period = total // times
        up = int(cfg.get("step_ratio_up", 0.4) * period)
        base = _base_value(r, cfg)
        kind = "CosineAnnealingLR"
        if cfg.get("anneal_strategy", "cos") != "cos":
            r.approx("linear cyclic phases are written as cosine phases")
        main = None
        for cycle in range(times):
            start = cycle * period
            r.sched(kind, T_max=up, eta_min=base * ratio[0], begin=start, end=start + up, **span.kw())
            main = r.sched(kind, T_max=period - up, eta_min=base * ratio[1], begin=start + up, end=start + period, **span.kw())
        return main


def _base_value(r: _Recipe, cfg: dict) -> float:
    """The optimizer's initial lr or momentum (needed where MMEngine wants absolute values)."""
    optimizer = r.ctx.get("optimizer") or {}
    if r.param == "lr":
        value = optimizer.get("lr")
    else:
        value = optimizer.get("momentum", (optimizer.get("betas") or [None])[0])
    if not isinstance(value, (int, float)):
        raise _NeedsLoop()
    return value
