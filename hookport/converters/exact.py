"""The exact-MMCV parameter scheduler that ``hookport convert --exact`` writes.

Where MMEngine's schedulers cannot express an MMCV 1.7.2 policy (inv, cyclic, min_lr
clipping, momentum warm-up...), ``--exact`` writes one scheduler that replays the MMCV
updater itself::

    dict(type='MMCVExactParamScheduler', param_name='lr', updater=<the lr_config>,
         runner=<the runner>, by_epoch=True, convert_to_iter_based=True)

:class:`MMCVUpdaterDriver` (pure Python) runs hookport's MMCV updater hook on a simulated
MMCV runner and answers "what does MMCV set at global iteration i"; the scheduler classes
built by :func:`scheduler_class` wrap it for a scheduler base class (hookport's own, and
MMEngine's in :mod:`hookport.ext.mmengine`). ``convert_to_iter_based=True`` is how the
scheduler learns the epoch length; it then steps every iteration.

iMIX policies get the same treatment (:class:`ImixPolicyDriver`,
``dict(type='ImixExactParamScheduler', policy=<the lr_config>, by_epoch=False)``): iMIX steps its
scheduler after every (accumulated) iteration, which is what an iteration-based MMEngine scheduler does.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional

SCHEDULER_TYPE = "MMCVExactParamScheduler"
IMIX_SCHEDULER_TYPE = "ImixExactParamScheduler"
INF = int(1e9)


def _read(group: dict, param: str) -> Optional[float]:
    if param == "lr":
        return group.get("initial_lr", group["lr"])
    if "betas" in group:
        return group["betas"][0]
    return group.get("momentum")


class MMCVUpdaterDriver:
    """MMCV's updater (``lr_config`` or ``momentum_config``) over a simulated MMCV runner.

    Args:
        updater: the legacy updater config (``policy`` and its arguments).
        runner: the legacy ``runner`` dict (EpochBasedRunner/IterBasedRunner and its length).
        param_name: ``'lr'`` or ``'momentum'``.
        groups: the real optimizer's param groups (initial values are read, never written).
        epoch_length: iterations per epoch (the train loader's length).
    """

    def __init__(self, updater: dict, runner: dict, param_name: str, groups: List[dict], epoch_length: int):
        from hookport.compat.mmcv.policy import build_updater
        from hookport.compat.mmcv.simulate import SimOptimizer, SimRunner

        self.param_name = param_name
        self.length = epoch_length
        self.iter_based = runner.get("type") == "IterBasedRunner"
        cfg = copy.deepcopy(dict(updater))
        if self.iter_based and param_name == "lr":
            cfg.setdefault("by_epoch", False)  # what IterBasedRunner.register_training_hooks does
        key = "lr_config" if param_name == "lr" else "momentum_config"
        self.hook = build_updater(cfg, key)
        sim_groups = []
        for group in groups:
            sim = {"lr": _read(group, "lr")}
            if "betas" in group:
                sim["betas"] = tuple(group["betas"])
            elif "momentum" in group:
                sim["momentum"] = group["momentum"]
            sim_groups.append(sim)
        max_epochs = None if self.iter_based else runner.get("max_epochs")
        max_iters = runner.get("max_iters") if self.iter_based else max_epochs * epoch_length
        self.sim = SimRunner(SimOptimizer(sim_groups, {}), epoch_length, max_epochs, max_iters)
        self.hook.before_run(self.sim)
        self.done = -1
        self.max_iters = max_iters

    def values_at(self, step: int) -> List[Optional[float]]:
        """Each group's value for global iteration ``step`` (0-based); past the run the last value stays."""
        step = min(step, self.max_iters - 1)  # MMEngine also steps once after the final iteration
        while self.done < step:
            self._advance(self.done + 1)
        return [_read_current(g, self.param_name) for g in self.sim.optimizer.param_groups]

    def _advance(self, it: int) -> None:
        sim = self.sim
        sim.iter = it
        if self.iter_based:
            # IterBasedRunner never calls before_train_epoch, and its epoch lags one iteration at a roll-over
            sim.epoch, sim.inner_iter = max(0, (it - 1) // self.length), 0
        else:
            sim.epoch, sim.inner_iter = divmod(it, self.length)
            if sim.inner_iter == 0:
                self.hook.before_train_epoch(sim)
        self.hook.before_train_iter(sim)
        self.done = it


class ImixPolicyDriver:
    """An iMIX lr policy (``lr = base · factor(step)``), stepped every ``every`` iterations as iMIX does."""

    param_name = "lr"

    def __init__(self, policy: dict, groups: List[dict], every: int = 1):
        from hookport.compat.imix.lr_policies import build_policy
        from hookport.compat.mmcv.simulate import SimOptimizer

        self.policy = build_policy(policy, SimOptimizer([{"lr": _read(g, "lr")} for g in groups], {}))
        self.every = every

    def values_at(self, step: int) -> List[Optional[float]]:
        """Each group's lr at iteration ``step``."""
        factor = self.policy.factor(step // self.every)
        return [base * factor for base in self.policy.base_lrs]


def _read_current(group: dict, param: str) -> Optional[float]:
    if param == "lr":
        return group["lr"]
    if "betas" in group:
        return group["betas"][0]
    return group.get("momentum")


def _write(group: dict, param: str, value: Any) -> None:
    if value is None:
        return
    if param == "momentum" and "betas" in group:
        group["betas"] = (value, *tuple(group["betas"])[1:])
    else:
        group[param] = value


def scheduler_class(base: type, inf: Any = INF) -> type:
    """A scheduler class on ``base`` (an MMEngine-style ``_ParamScheduler``) that replays MMCV exactly."""

    class MMCVExactParamScheduler(_Replay, base):
        """Sets each group's lr or momentum to exactly what MMCV 1.7.2's updater would, every iteration."""

        def __init__(self, optimizer: Any, param_name: str = "lr", updater: Optional[Dict[str, Any]] = None,
                     runner: Optional[Dict[str, Any]] = None, epoch_length: Optional[int] = None,
                     begin: int = 0, end: Any = inf, last_step: int = -1, by_epoch: bool = False,
                     verbose: bool = False):
            if updater is None or runner is None or not epoch_length:
                raise ValueError(f"{SCHEDULER_TYPE} needs updater=, runner= and convert_to_iter_based=True "
                                 "(for the epoch length)")
            self.target = param_name
            self.driver = MMCVUpdaterDriver(updater, runner, param_name, optimizer.param_groups, epoch_length)
            # the base keeps 'lr' bookkeeping (initial_lr); the values are written by step() below
            base.__init__(self, optimizer, "lr", begin=begin, end=end, last_step=last_step, by_epoch=False,
                          verbose=verbose)

        @classmethod
        def build_iter_from_epoch(cls, *args, begin=0, end=inf, by_epoch=True, epoch_length=None, **kwargs):
            """Always per iteration, over the whole run; the epoch length is what it needs."""
            return cls(*args, begin=0, end=inf, by_epoch=False, epoch_length=epoch_length, **kwargs)

    MMCVExactParamScheduler.__name__ = MMCVExactParamScheduler.__qualname__ = SCHEDULER_TYPE
    return MMCVExactParamScheduler


def imix_scheduler_class(base: type, inf: Any = INF) -> type:
    """A scheduler class on ``base`` that replays an iMIX lr policy exactly."""

    class ImixExactParamScheduler(_Replay, base):
        """Sets each group's lr to exactly what the iMIX policy gives, every iteration."""

        def __init__(self, optimizer: Any, policy: Optional[Dict[str, Any]] = None, every: int = 1,
                     begin: int = 0, end: Any = inf, last_step: int = -1, by_epoch: bool = False,
                     verbose: bool = False):
            if policy is None or by_epoch:
                raise ValueError(f"{IMIX_SCHEDULER_TYPE} needs policy= (the iMIX lr_config) and by_epoch=False")
            self.target = "lr"
            self.driver = ImixPolicyDriver(policy, optimizer.param_groups, every)
            base.__init__(self, optimizer, "lr", begin=begin, end=end, last_step=last_step, by_epoch=False,
                          verbose=verbose)

    ImixExactParamScheduler.__name__ = ImixExactParamScheduler.__qualname__ = IMIX_SCHEDULER_TYPE
    return ImixExactParamScheduler


class _Replay:
    """Shared stepping of the replaying schedulers: ``self.driver.values_at(step)`` is written as is."""

    def _get_value(self):
        return self.driver.values_at(self.last_step)

    def step(self) -> None:
        """Advance one iteration and write the replayed value for it."""
        self._global_step = getattr(self, "_global_step", -1) + 1
        self.last_step += 1
        for group, value in zip(self.optimizer.param_groups, self._get_value()):
            _write(group, self.target, value)
        self._last_value = [_read_current(g, self.target) for g in self.optimizer.param_groups]


def register_hookport() -> type:
    """Register the schedulers in hookport's own PARAM_SCHEDULERS (for `hookport run` and the verification)."""
    from hookport.optim.scheduler.base import _ParamScheduler
    from hookport.registry import PARAM_SCHEDULERS

    global _HOOKPORT_CLASSES
    if _HOOKPORT_CLASSES is None:
        _HOOKPORT_CLASSES = (scheduler_class(_ParamScheduler), imix_scheduler_class(_ParamScheduler))
        for cls in _HOOKPORT_CLASSES:
            PARAM_SCHEDULERS.register_module(name=cls.__name__, module=cls, force=True)
    return _HOOKPORT_CLASSES[0]


_HOOKPORT_CLASSES: Optional[tuple] = None
