"""Compute an MMEngine config's LR/momentum trajectory without torch and without training.

:func:`simulate_mmengine` replays what MMEngine 0.10.7's Runner does with the
``param_scheduler`` entry: build the schedulers after the train loop (default
``end``, ``convert_to_iter_based``, ``auto_scale_lr``), then for every training
iteration record the values the optimizer step uses, step the iteration-based
schedulers after the iteration (ParamSchedulerHook.after_train_iter), the
epoch-based ones after the epoch, and ReduceOnPlateau ones after validation.
Under an IterBasedTrainLoop, epoch-based schedulers are never stepped during training.
"""
from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence

from hookport.errors import ConfigError
from hookport.optim.scheduler import build_param_schedulers
from hookport.tables import load_table

DEFAULTS_FILE = Path(__file__).with_name("optimizer_defaults.yaml")


@lru_cache(maxsize=1)
def optimizer_defaults_table() -> Dict[str, dict]:
    """torch.optim defaults per optimizer name (``optimizer_defaults.yaml``)."""
    return load_table(DEFAULTS_FILE)


def check_hyperparameters(settings: Mapping, owner: str) -> None:
    """Reject the ``lr``/``momentum``/``betas`` values a torch optimizer would refuse to be built with.

    A simulation never builds the real optimizer, so without this a string lr (``lr='0.1'``) fails
    deep inside a schedule formula. ``owner`` names the config key in messages (``optimizer``).
    """
    def number(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    if "lr" in settings and not (number(settings["lr"]) and settings["lr"] >= 0):
        raise ConfigError(f"{owner}.lr must be a number >= 0, got {settings['lr']!r}")
    if settings.get("momentum") is not None and not number(settings["momentum"]):
        raise ConfigError(f"{owner}.momentum must be a number, got {settings['momentum']!r}")
    betas = settings.get("betas")
    if betas is not None and not (isinstance(betas, (list, tuple)) and len(betas) == 2 and all(map(number, betas))):
        raise ConfigError(f"{owner}.betas must be a pair of numbers, got {betas!r}")


class SimOptimizer:
    """A stand-in optimizer wrapper: ``param_groups`` (list of dicts) and ``defaults``, nothing else.

    Like MMEngine's OptimWrapper, with several groups it shows one extra "base" group
    (the optimizer's defaults) at the end of ``param_groups``; schedulers act on it too,
    which is why a per-group list (OneCycle's ``eta_max``) needs one more value.
    It is never recorded.

    Args:
        param_groups: one dict per group with at least ``lr`` (and ``momentum`` or ``betas``).
        defaults: the optimizer's defaults (decides whether momentum means ``betas[0]``).
    """

    def __init__(self, param_groups: Sequence[dict], defaults: Optional[dict] = None):
        self.groups = [dict(group) for group in param_groups]
        if not self.groups:
            raise ConfigError("a simulated optimizer needs at least one param group")
        self.defaults = dict(defaults if defaults is not None else self.groups[0])
        self.base_param_settings = dict(self.defaults) if len(self.groups) > 1 else None

    @property
    def param_groups(self) -> List[dict]:
        """The groups schedulers act on (the real ones, then the base group if any)."""
        base = [] if self.base_param_settings is None else [self.base_param_settings]
        return self.groups + base

    @classmethod
    def from_config(cls, optimizer_cfg: Mapping, num_groups: Optional[int] = None) -> "SimOptimizer":
        """Groups from ``dict(type='SGD', lr=..., momentum=...)``; ``num_groups`` identical copies (default 1)."""
        if not isinstance(optimizer_cfg, Mapping) or "type" not in optimizer_cfg:
            raise ConfigError(f"optim_wrapper.optimizer must be a dict(type=..., lr=...), got {optimizer_cfg!r}")
        opt_type = optimizer_cfg["type"]
        name = opt_type if isinstance(opt_type, str) else getattr(opt_type, "__name__", str(opt_type))
        defaults = dict(optimizer_defaults_table().get(name.rpartition(".")[2], {}))
        defaults.update({k: v for k, v in optimizer_cfg.items() if k not in ("type", "params")})
        if "lr" not in defaults:
            raise ConfigError(f"optimizer {name!r}: its learning rate is unknown; give lr=... in the config")
        check_hyperparameters(defaults, "optim_wrapper.optimizer")
        if "betas" in defaults:
            defaults["betas"] = tuple(defaults["betas"])
        return cls([dict(defaults) for _ in range(num_groups or 1)], defaults)

    def momentum(self) -> List[Optional[float]]:
        """Momentum per group as the optimizer step sees it: ``betas[0]``, ``momentum``, or None."""
        return [group["betas"][0] if "betas" in group else group.get("momentum") for group in self.groups]

    def lr(self) -> List[float]:
        """Learning rate per group."""
        return [group["lr"] for group in self.groups]


class TrainLoopShape:
    """What the simulation needs from ``train_cfg``: loop kind, lengths and validation points."""

    def __init__(self, train_cfg: Any, iters_per_epoch: int):
        if not isinstance(train_cfg, Mapping):
            raise ConfigError("the config has no train_cfg dict (e.g. train_cfg = dict(by_epoch=True, max_epochs=12))")
        loop_type = train_cfg.get("type")
        if loop_type is None:
            if "by_epoch" not in train_cfg:
                raise ConfigError("train_cfg needs either 'type' or 'by_epoch'")
            self.by_epoch = bool(train_cfg["by_epoch"])
        elif loop_type in ("EpochBasedTrainLoop", "IterBasedTrainLoop"):
            self.by_epoch = loop_type == "EpochBasedTrainLoop"
        else:
            raise ConfigError(f"train_cfg type {loop_type!r}: only EpochBasedTrainLoop and IterBasedTrainLoop "
                              f"can be simulated")
        key = "max_epochs" if self.by_epoch else "max_iters"
        if not isinstance(train_cfg.get(key), int):
            raise ConfigError(f"train_cfg.{key} must be an int, got {train_cfg.get(key)!r}")
        if self.by_epoch:
            self.max_epochs = train_cfg["max_epochs"]
            self.max_iters = self.max_epochs * iters_per_epoch
        else:
            self.max_iters = train_cfg["max_iters"]
            self.max_epochs = 1  # what MMEngine's IterBasedTrainLoop reports
        self.val_begin = train_cfg.get("val_begin", 1)
        self.val_interval = train_cfg.get("val_interval", 1 if self.by_epoch else 1000)

    def validates_after(self, count: int) -> bool:
        """Whether validation runs after ``count`` epochs (epoch loop) or iterations (iter loop)."""
        last = self.max_epochs if self.by_epoch else self.max_iters
        return count >= self.val_begin and (count % self.val_interval == 0 or count == last)


def simulate_mmengine(cfg: Mapping, iters_per_epoch: int, num_groups: Optional[int] = None, *,
                      param_groups: Optional[Sequence[dict]] = None,
                      metrics: Optional[Sequence[Mapping]] = None) -> Dict[str, Any]:
    """LR and momentum per training iteration for an MMEngine config.

    Args:
        cfg: the config (a mapping with ``train_cfg``, ``optim_wrapper``, ``param_scheduler``...).
        iters_per_epoch: length of the train dataloader.
        num_groups: number of identical param groups (default 1).
        param_groups: explicit initial groups instead (e.g. what ``paramwise_cfg`` produced).
        metrics: validation results, one dict per validation run, for ReduceOnPlateau schedulers;
            without them a plateau scheduler never reduces (with a warning).

    Returns:
        ``dict(iters_per_epoch=N, lr=[[group0, ...] per iter], momentum=[...])``.
    """
    if not isinstance(iters_per_epoch, int) or iters_per_epoch <= 0:
        raise ConfigError(f"iterations per epoch must be a positive int, got {iters_per_epoch!r}")
    loop = TrainLoopShape(cfg.get("train_cfg"), iters_per_epoch)
    optimizer = _build_optimizer(cfg, num_groups, param_groups)
    _scale_lr(optimizer, cfg)
    sched_cfg = cfg.get("param_scheduler")
    schedulers = [] if sched_cfg is None else build_param_schedulers(
        sched_cfg, optimizer, iters_per_epoch, max_epochs=loop.max_epochs, max_iters=loop.max_iters)
    val_metrics = _metric_feed(schedulers, cfg, metrics)
    lr, momentum = [], []
    for it in range(loop.max_iters):
        lr.append(optimizer.lr())
        momentum.append(optimizer.momentum())
        _step(schedulers, by_epoch=False)
        if loop.by_epoch and (it + 1) % iters_per_epoch == 0:
            _step(schedulers, by_epoch=True)
            if loop.validates_after((it + 1) // iters_per_epoch):
                _validate(schedulers, val_metrics)
        elif not loop.by_epoch and loop.validates_after(it + 1):
            _validate(schedulers, val_metrics)
    return dict(iters_per_epoch=iters_per_epoch, lr=lr, momentum=momentum)


def _build_optimizer(cfg: Mapping, num_groups, param_groups) -> SimOptimizer:
    wrapper = cfg.get("optim_wrapper")
    if not isinstance(wrapper, Mapping) or "optimizer" not in wrapper:
        raise ConfigError("the config needs optim_wrapper = dict(optimizer=dict(type=..., lr=...)); "
                          "several optimizers (one optim_wrapper per model part) cannot be simulated")
    sim = SimOptimizer.from_config(wrapper["optimizer"], num_groups)
    if param_groups is not None:
        sim = SimOptimizer(param_groups, sim.defaults)
    return sim


def _scale_lr(optimizer: SimOptimizer, cfg: Mapping) -> None:
    """MMEngine's ``auto_scale_lr``: lr *= batch_size (one process) / base_batch_size, before scheduling."""
    auto = cfg.get("auto_scale_lr")
    if not auto or not auto.get("enable", False):
        return
    if "base_batch_size" not in auto:
        raise ConfigError("auto_scale_lr needs base_batch_size")
    batch_size = (cfg.get("train_dataloader") or {}).get("batch_size")
    if not isinstance(batch_size, int):
        raise ConfigError("auto_scale_lr needs train_dataloader.batch_size")
    ratio = float(batch_size) / float(auto["base_batch_size"])
    for group in optimizer.groups:
        group["lr"] = group["lr"] * ratio


def _step(schedulers: List[Any], by_epoch: bool) -> None:
    for scheduler in schedulers:
        if scheduler.by_epoch == by_epoch:
            scheduler.step()


def _has_val_loop(cfg: Mapping) -> bool:
    return all(cfg.get(key) is not None for key in ("val_dataloader", "val_cfg", "val_evaluator"))


def _metric_feed(schedulers: List[Any], cfg: Mapping, metrics) -> Optional[Iterator[Mapping]]:
    """An iterator over validation results, or None when no scheduler needs (or can get) them."""
    needy = [type(s).__name__ for s in schedulers if getattr(s, "need_val_args", False)]
    if not needy or not _has_val_loop(cfg):
        return None
    if metrics is None:
        warnings.warn(f"{', '.join(needy)} depends on validation metrics; without them the schedule assumes "
                      f"the metric always improves (no reduction)", UserWarning, stacklevel=3)
        return None
    return iter(copy.deepcopy(list(metrics)))


def _validate(schedulers: List[Any], val_metrics: Optional[Iterator[Mapping]]) -> None:
    if val_metrics is None:
        return
    result = next(val_metrics, None)
    if result is None:
        raise ConfigError("not enough validation metrics for the ReduceOnPlateau schedule")
    for scheduler in schedulers:
        if scheduler.by_epoch and getattr(scheduler, "need_val_args", False):
            scheduler.step(dict(result))
