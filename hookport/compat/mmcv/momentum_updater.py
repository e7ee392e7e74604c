"""MMCV 1.7.2's momentum updater hooks (``<Policy>MomentumUpdaterHook``), torch-free.

Same timing as the lr updaters, with two MMCV differences: warm-up *divides* the regular
momentum (so a 0.9 ratio starts at 1.0 for momentum 0.9), and there is no
``warmup_by_epoch``. A group's momentum is ``group['momentum']`` or, for Adam-style
optimizers, ``group['betas'][0]``.
"""
from __future__ import annotations

from typing import Any

from hookport.compat.mmcv import formulas as F
from hookport.compat.mmcv.updater import UpdaterHook, alias, progress_of
from hookport.errors import ConfigError
from hookport.registry import MMCV_HOOKS


def read_momentum(group: dict) -> float:
    """A param group's momentum (``momentum``, else ``betas[0]``)."""
    return group["momentum"] if "momentum" in group else group["betas"][0]


def write_momentum(group: dict, value: float) -> None:
    """Set a param group's momentum where the optimizer keeps it (groups with neither are left alone)."""
    if "momentum" in group:
        group["momentum"] = value
    elif "betas" in group:
        group["betas"] = (value, group["betas"][1])


class MomentumUpdaterHook(UpdaterHook):
    """Base of the momentum policies.

    Args:
        by_epoch: the policy counts epochs (True) or iterations.
        warmup: None, 'constant', 'linear' or 'exp' (the momentum is divided by the factor).
        warmup_iters: warm-up length in iterations.
        warmup_ratio: the warm-up factor at the first iteration.
    """

    _initial_key = "initial_momentum"
    base_momentum = alias("base_values", "Each group's base momentum (its ``initial_momentum``).")
    regular_momentum = alias("regular_values", "Each group's momentum under the policy, before warm-up.")

    def __init__(self, by_epoch: bool = True, warmup: Any = None, warmup_iters: int = 0, warmup_ratio: float = 0.9):
        super().__init__(by_epoch, warmup, warmup_iters, warmup_ratio)

    def get_momentum(self, runner, base_momentum: float) -> float:
        """The regular momentum for one group at the runner's current epoch/iteration."""
        raise NotImplementedError

    def get_regular_momentum(self, runner) -> Any:
        """Regular momenta of all groups (a list, or a dict of lists)."""
        return F.map_values(self.base_momentum, lambda base: self.get_momentum(runner, base))

    def get_warmup_momentum(self, cur_iters: int) -> Any:
        """The regular momenta divided by the warm-up factor at ``cur_iters``."""
        factor = F.warmup_factor(self.warmup, cur_iters, self.warmup_iters, self.warmup_ratio)
        return F.map_values(self.regular_momentum, lambda m: m / factor)

    def _read(self, group: dict) -> float:
        return read_momentum(group)

    def _write(self, group: dict, value: float) -> None:
        write_momentum(group, value)

    def _regular(self, runner) -> Any:
        return self.get_regular_momentum(runner)

    def _warmup(self, cur_iters: int) -> Any:
        return self.get_warmup_momentum(cur_iters)

    _set_momentum = UpdaterHook._set_values  # MMCV's name, which custom hooks call


@MMCV_HOOKS.register_module()
class StepMomentumUpdaterHook(MomentumUpdaterHook):
    """``base * gamma ** k`` (k = decays so far), floored at ``min_momentum``."""

    def __init__(self, step, gamma: float = 0.5, min_momentum: Any = None, **kwargs):
        F.check_step(type(self).__name__, step)
        self.step, self.gamma, self.min_momentum = step, gamma, min_momentum
        super().__init__(**kwargs)

    def get_momentum(self, runner, base_momentum):
        """Step decay at the current epoch/iteration."""
        progress = runner.epoch if self.by_epoch else runner.iter
        momentum = base_momentum * self.gamma ** F.step_exponent(progress, self.step)
        if self.min_momentum is not None:
            momentum = max(momentum, self.min_momentum)
        return momentum


class _AnnealToMin(MomentumUpdaterHook):
    """Shared ``min_momentum`` / ``min_momentum_ratio`` handling."""

    def __init__(self, min_momentum: Any = None, min_momentum_ratio: Any = None, **kwargs):
        F.check_min_value(type(self).__name__, "momentum", min_momentum, min_momentum_ratio)
        self.min_momentum, self.min_momentum_ratio = min_momentum, min_momentum_ratio
        super().__init__(**kwargs)

    def target(self, base: float) -> float:
        """The momentum the policy anneals towards."""
        return base * self.min_momentum_ratio if self.min_momentum_ratio is not None else self.min_momentum


@MMCV_HOOKS.register_module()
class CosineAnnealingMomentumUpdaterHook(_AnnealToMin):
    """Cosine from the base momentum towards the minimum over the whole run."""

    def get_momentum(self, runner, base_momentum):
        """Cosine annealing at the current epoch/iteration."""
        progress, max_progress = progress_of(runner, self.by_epoch)
        return F.annealing_cos(base_momentum, self.target(base_momentum), progress / max_progress)


@MMCV_HOOKS.register_module()
class LinearAnnealingMomentumUpdaterHook(_AnnealToMin):
    """Straight line from the base momentum towards the minimum over the whole run."""

    def get_momentum(self, runner, base_momentum):
        """Linear annealing at the current epoch/iteration."""
        progress, max_progress = progress_of(runner, self.by_epoch)
        return F.annealing_linear(base_momentum, self.target(base_momentum), progress / max_progress)


@MMCV_HOOKS.register_module()
class CyclicMomentumUpdaterHook(MomentumUpdaterHook):
    """Cyclic momentum (iterations only), the mirror image of the cyclic lr."""

    def __init__(self, by_epoch: bool = False, target_ratio=(0.85 / 0.95, 1.0), cyclic_times: int = 1,
                 step_ratio_up: float = 0.4, anneal_strategy: str = "cos", gamma: float = 1.0, **kwargs):
        owner = type(self).__name__
        self.target_ratio = F.cyclic_target(owner, target_ratio)
        F.check_cyclic(owner, by_epoch, step_ratio_up, gamma)
        self.anneal_func = F.anneal_function(owner, anneal_strategy)
        self.cyclic_times, self.step_ratio_up, self.gamma = cyclic_times, step_ratio_up, gamma
        self.max_iter_per_phase: Any = None
        self.momentum_phases: list = []
        super().__init__(by_epoch, **kwargs)

    def before_run(self, runner) -> None:
        """Base momenta, then the two phases of a cycle from ``runner.max_iters``."""
        super().before_run(runner)
        self.max_iter_per_phase, self.momentum_phases = F.cyclic_phases(
            runner.max_iters, self.cyclic_times, self.step_ratio_up, self.target_ratio)

    def get_momentum(self, runner, base_momentum):
        """The cyclic momentum at the current iteration."""
        return F.cyclic_value(base_momentum, self.momentum_phases, runner.iter, self.max_iter_per_phase,
                              self.gamma, self.anneal_func)


@MMCV_HOOKS.register_module()
class OneCycleMomentumUpdaterHook(MomentumUpdaterHook):
    """1cycle momentum (iterations only): from ``max_momentum`` down to ``base_momentum`` and back.

    Always spans ``runner.max_iters`` (it ignores the lr hook's ``total_steps``), and sets each
    group's momentum to ``max_momentum`` in ``before_run``.
    """

    def __init__(self, base_momentum: Any = 0.85, max_momentum: Any = 0.95, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", three_phase: bool = False, **kwargs):
        owner = type(self).__name__
        if kwargs.setdefault("by_epoch", False):
            raise ConfigError(f"{owner}: only by_epoch=False is supported")
        for name, value in (("base_momentum", base_momentum), ("max_momentum", max_momentum)):
            if not isinstance(value, (float, list, dict)):
                raise ConfigError(f"{owner}: {name} must be a float, a list or a dict, got {value!r}")
        F.check_float_fraction(owner, "pct_start", pct_start)
        self._base_momentum, self._max_momentum, self.pct_start = base_momentum, max_momentum, pct_start
        self.anneal_func = F.anneal_function(owner, anneal_strategy)
        self.three_phase = three_phase
        self.momentum_phases: list = []
        super().__init__(**kwargs)

    def before_run(self, runner) -> None:
        """Store per-group base/max momentum on the groups, start at max, build the phases."""
        owner = type(self).__name__

        def setup(name, optim):
            defaults = getattr(optim, "defaults", {})
            if "momentum" not in defaults and "betas" not in defaults:
                raise ConfigError(f"{owner}: optimizer {type(optim).__name__} has no momentum or betas to cycle")
            key = type(optim).__name__ if name is None else name
            n = len(optim.param_groups)
            bases = F.format_param(owner, key, n, self._base_momentum)
            maxes = F.format_param(owner, key, n, self._max_momentum)
            use_betas = "betas" in defaults
            for group, base, top in zip(optim.param_groups, bases, maxes):
                if use_betas:
                    group["betas"] = (top, group["betas"][1])
                else:
                    group["momentum"] = top
                group["base_momentum"], group["max_momentum"] = base, top

        F.per_optimizer(runner.optimizer, setup)
        total = runner.max_iters
        if self.three_phase:
            self.momentum_phases = [[float(self.pct_start * total) - 1, "max_momentum", "base_momentum"],
                                    [float(2 * self.pct_start * total) - 2, "base_momentum", "max_momentum"],
                                    [total - 1, "max_momentum", "max_momentum"]]
        else:
            self.momentum_phases = [[float(self.pct_start * total) - 1, "max_momentum", "base_momentum"],
                                    [total - 1, "base_momentum", "max_momentum"]]

    def get_momentum(self, runner, param_group):  # type: ignore[override]
        """The 1cycle momentum of one param group at the current iteration."""
        return F.one_cycle_value(self.momentum_phases, runner.iter, lambda key: param_group[key], self.anneal_func)

    def get_regular_momentum(self, runner) -> Any:
        """Per-group values read from the groups' own base/max momentum."""
        return F.per_optimizer(runner.optimizer,
                               lambda _n, optim: [self.get_momentum(runner, g) for g in optim.param_groups])
