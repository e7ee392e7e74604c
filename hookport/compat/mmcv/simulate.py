"""Pure-Python MMCV 1.7.2 lr/momentum trajectories: the real updater hooks on a simulated run.

:func:`simulate_mmcv` builds the config's updater hooks exactly as the MMCV dialect does,
registers them in a :class:`~hookport.runner.dispatch.HookTable`, and drives them with a
:class:`SimRunner` that reproduces the counters of MMCV's EpochBasedRunner or IterBasedRunner
(including IterBasedRunner's quirks: no ``before_train_epoch``, and ``runner.epoch`` lagging
one iteration at every loader roll-over). The optimizer is a :class:`SimOptimizer` holding
plain param-group dicts. No torch.
"""
from __future__ import annotations

import copy
import functools
from typing import Any, Callable, Dict, List, Optional, Sequence

from hookport.compat.mmcv.hook import MMCV_STAGES
from hookport.compat.mmcv.momentum_updater import read_momentum
from hookport.compat.mmcv.policy import build_updater
from hookport.errors import ConfigError
from hookport.optim.simulate import check_hyperparameters
from hookport.runner.dispatch import HookTable

# Momentum-like defaults torch optimizers put in every param group (what the updaters look for).
OPTIMIZER_DEFAULTS: Dict[str, Dict[str, Any]] = {
    "SGD": {"momentum": 0},
    "RMSprop": {"momentum": 0, "alpha": 0.99},
    "Adam": {"betas": (0.9, 0.999)},
    "AdamW": {"betas": (0.9, 0.999)},
    "Adamax": {"betas": (0.9, 0.999)},
    "NAdam": {"betas": (0.9, 0.999)},
    "RAdam": {"betas": (0.9, 0.999)},
}


class SimOptimizer:
    """An optimizer stand-in: ``param_groups`` (dicts) and ``defaults``.

    :meth:`from_cfg` returns an instance of a subclass named like the real optimizer class,
    because MMCV's OneCycle updaters key dict-valued arguments by ``type(optimizer).__name__``.
    """

    def __init__(self, param_groups: List[dict], defaults: dict):
        self.param_groups = param_groups
        self.defaults = defaults

    @classmethod
    def from_cfg(cls, cfg: dict, groups: Optional[Sequence[dict]] = None,
                 owner: str = "optimizer") -> "SimOptimizer":
        """Build from ``dict(type=..., lr=..., ...)``; ``groups`` are per-group overrides.

        ``owner``: the config key of ``cfg``, for messages.
        """
        args = dict(cfg)
        type_name = args.pop("type", None)
        if not isinstance(type_name, str) or "lr" not in args:
            raise ConfigError(f"optimizer needs a type and an lr, got {cfg!r}")
        check_hyperparameters(args, owner)
        defaults = dict(OPTIMIZER_DEFAULTS.get(type_name, {}), **args)
        return _named_class(type_name)([dict(defaults, **g) for g in (groups or [{}])], defaults)


@functools.lru_cache(maxsize=None)
def _named_class(type_name: str) -> type:
    return type(type_name, (SimOptimizer,), {"__doc__": f"Simulated {type_name}."})


class SimLoader:
    """A data loader of known length (the updaters only call ``len``)."""

    def __init__(self, length: int):
        self.length = length

    def __len__(self) -> int:
        return self.length


class SimRunner:
    """The counters and attributes MMCV's runners expose to hooks, advanced without training."""

    def __init__(self, optimizer: Any, iters_per_epoch: int, max_epochs: Optional[int], max_iters: Optional[int]):
        self.optimizer = optimizer
        self.data_loader = SimLoader(iters_per_epoch)
        self.epoch = self.iter = self.inner_iter = 0
        self._max_epochs, self._max_iters = max_epochs, max_iters
        self.mode = "train"

    @property
    def max_epochs(self) -> Optional[int]:
        """Planned epochs (None under IterBasedRunner)."""
        return self._max_epochs

    @property
    def max_iters(self) -> Optional[int]:
        """Planned iterations."""
        return self._max_iters

    def current_lr(self) -> List[float]:
        """All groups' lrs, flattened across a dict of optimizers in its order."""
        return [g["lr"] for optim in _optimizers(self.optimizer) for g in optim.param_groups]

    def current_momentum(self) -> List[float]:
        """All groups' momenta (0 for groups without one), flattened like :meth:`current_lr`."""
        return [read_momentum(g) if ("momentum" in g or "betas" in g) else 0
                for optim in _optimizers(self.optimizer) for g in optim.param_groups]


def _optimizers(optimizer: Any) -> List[Any]:
    return list(optimizer.values()) if isinstance(optimizer, dict) else [optimizer]


def build_sim_optimizer(cfg: dict, param_groups: Optional[Sequence[dict]] = None) -> Any:
    """The config's optimizer (or dict of optimizers) as :class:`SimOptimizer` objects."""
    spec = cfg.get("optimizer")
    if not isinstance(spec, dict):
        raise ConfigError(f"optimizer must be a dict, got {spec!r}")
    if "type" in spec:
        return SimOptimizer.from_cfg(spec, param_groups)
    return {name: SimOptimizer.from_cfg(sub, owner=f"optimizer.{name}") for name, sub in spec.items()}


def runner_kind(cfg: dict) -> Dict[str, Any]:
    """``dict(type, max_epochs, max_iters)`` from ``runner`` (or an old ``total_epochs``)."""
    runner = cfg.get("runner")
    if runner is None:
        if "total_epochs" not in cfg:
            raise ConfigError("the config has neither runner=dict(type=..., ...) nor total_epochs")
        return dict(type="EpochBasedRunner", max_epochs=cfg["total_epochs"], max_iters=None)
    kind = runner.get("type")
    if kind == "EpochBasedRunner":
        if "total_epochs" in cfg and runner.get("max_epochs", cfg["total_epochs"]) != cfg["total_epochs"]:
            raise ConfigError(f"runner.max_epochs ({runner['max_epochs']}) and total_epochs "
                              f"({cfg['total_epochs']}) differ")
        max_epochs = runner.get("max_epochs", cfg.get("total_epochs"))
        if not isinstance(max_epochs, int):
            raise ConfigError(f"EpochBasedRunner needs an int max_epochs, got {max_epochs!r}")
        return dict(type=kind, max_epochs=max_epochs, max_iters=None)
    if kind == "IterBasedRunner":
        if not isinstance(runner.get("max_iters"), int):
            raise ConfigError(f"IterBasedRunner needs an int max_iters, got {runner.get('max_iters')!r}")
        return dict(type=kind, max_epochs=None, max_iters=runner["max_iters"])
    raise ConfigError(f"runner type must be EpochBasedRunner or IterBasedRunner, got {kind!r}")


def updater_hooks(cfg: dict, iter_based: bool) -> List[tuple]:
    """``[(hook, priority)]`` of the config's lr (VERY_HIGH) and momentum (HIGH) updaters."""
    lr_config = copy.deepcopy(cfg.get("lr_config"))
    if iter_based and isinstance(lr_config, dict):
        lr_config.setdefault("by_epoch", False)  # IterBasedRunner does this; not for momentum_config
    out = []
    for key, config, priority in (("lr_config", lr_config, "VERY_HIGH"),
                                  ("momentum_config", copy.deepcopy(cfg.get("momentum_config")), "HIGH")):
        hook = build_updater(config, key)
        if hook is not None:
            out.append((hook, priority))
    return out


def simulate_mmcv(cfg: dict, iters_per_epoch: int, param_groups: Optional[Sequence[dict]] = None,
                  observe: Optional[Callable[[SimRunner], None]] = None) -> Dict[str, Any]:
    """LR and momentum per training iteration, as MMCV 1.7.2 would apply them.

    Args:
        cfg: a legacy config dict (``runner``/``total_epochs``, ``optimizer``, ``lr_config``,
            ``momentum_config``); it is not modified.
        iters_per_epoch: the train loader's length.
        param_groups: optional per-group overrides (e.g. ``[{}, {'lr': 0.01}]``) for one optimizer.
        observe: called with the simulated runner at each iteration, after the updaters.

    Returns:
        ``dict(iters_per_epoch, lr=[[per group] per iter], momentum=[...])``; a dict of
        optimizers contributes its groups in the dict's order.
    """
    if not isinstance(iters_per_epoch, int) or iters_per_epoch <= 0:
        raise ConfigError(f"iters_per_epoch must be a positive int, got {iters_per_epoch!r}")
    kind = runner_kind(cfg)
    iter_based = kind["type"] == "IterBasedRunner"
    max_iters = kind["max_iters"] if iter_based else kind["max_epochs"] * iters_per_epoch
    runner = SimRunner(build_sim_optimizer(cfg, param_groups), iters_per_epoch, kind["max_epochs"], max_iters)
    table = HookTable("mmcv", MMCV_STAGES)
    for hook, priority in updater_hooks(cfg, iter_based):
        table.register(hook, priority)
    trace: Dict[str, Any] = dict(iters_per_epoch=iters_per_epoch, lr=[], momentum=[])

    def train_iter():
        table.call("before_train_iter", runner)
        trace["lr"].append(runner.current_lr())
        trace["momentum"].append(runner.current_momentum())
        if observe is not None:
            observe(runner)
        table.call("after_train_iter", runner)
        runner.iter += 1

    table.call("before_run", runner)
    if iter_based:
        _run_iter_based(runner, table, train_iter, iters_per_epoch)
    else:
        while runner.epoch < runner.max_epochs:
            table.call("before_train_epoch", runner)
            for i in range(iters_per_epoch):
                runner.inner_iter = i
                train_iter()
            table.call("after_train_epoch", runner)
            runner.epoch += 1
    table.call("after_run", runner)
    return trace


def _run_iter_based(runner: SimRunner, table: HookTable, train_iter, iters_per_epoch: int) -> None:
    """IterBasedRunner: one train step per loop; ``epoch`` is read before the loader rolls over."""
    loader_epoch, position = 0, 0
    while runner.iter < runner.max_iters:
        runner.inner_iter = 0  # reset per workflow pass: always 0 with [('train', 1)]
        runner.epoch = loader_epoch
        if position == iters_per_epoch:  # next() hits StopIteration and starts a new pass
            loader_epoch, position = loader_epoch + 1, 0
        position += 1
        train_iter()
