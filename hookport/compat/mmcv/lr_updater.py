"""MMCV 1.7.2's learning-rate updater hooks (``<Policy>LrUpdaterHook``), torch-free.

Timing is :mod:`hookport.compat.mmcv.updater`'s; the lr adds warm-up that *multiplies* the
regular lr for ``iter < warmup_iters`` and ``warmup_by_epoch`` (a warm-up length in epochs).
"""
from __future__ import annotations

import numbers
from typing import Any

from hookport.compat.mmcv import formulas as F
from hookport.compat.mmcv.updater import UpdaterHook, alias, progress_of
from hookport.errors import ConfigError, HookportError
from hookport.registry import MMCV_HOOKS


class LrUpdaterHook(UpdaterHook):
    """Base of the lr policies: warm-up, per-group base lrs, epoch/iteration timing.

    Args:
        by_epoch: the policy counts epochs (True) or iterations.
        warmup: None, 'constant', 'linear' or 'exp'.
        warmup_iters: warm-up length in iterations (in epochs if ``warmup_by_epoch``).
        warmup_ratio: the lr factor at the first iteration.
        warmup_by_epoch: read ``warmup_iters`` as epochs (converted at the first train epoch).
    """

    _initial_key = "initial_lr"
    base_lr = alias("base_values", "Each group's base lr (its ``initial_lr``).")
    regular_lr = alias("regular_values", "Each group's lr under the policy, before warm-up.")

    def __init__(self, by_epoch: bool = True, warmup: Any = None, warmup_iters: int = 0,
                 warmup_ratio: float = 0.1, warmup_by_epoch: bool = False):
        super().__init__(by_epoch, warmup, warmup_iters, warmup_ratio)
        self.warmup_by_epoch = warmup_by_epoch
        # With warmup_by_epoch the iteration count is only known once the loader length is.
        self.warmup_epochs = warmup_iters if warmup_by_epoch else None
        self.warmup_iters = None if warmup_by_epoch else warmup_iters

    # -- policy interface ----------------------------------------------
    def get_lr(self, runner, base_lr: float) -> float:
        """The regular lr for one group at the runner's current epoch/iteration."""
        raise NotImplementedError

    def get_regular_lr(self, runner) -> Any:
        """Regular lrs of all groups (a list, or a dict of lists for a dict of optimizers)."""
        return F.map_values(self.base_lr, lambda base: self.get_lr(runner, base))

    def get_warmup_lr(self, cur_iters: int) -> Any:
        """The regular lrs times the warm-up factor at ``cur_iters``."""
        factor = F.warmup_factor(self.warmup, cur_iters, self.warmup_iters, self.warmup_ratio)
        return F.map_values(self.regular_lr, lambda lr: lr * factor)

    def _read(self, group: dict) -> float:
        return group["lr"]

    def _write(self, group: dict, value: float) -> None:
        group["lr"] = value

    def _regular(self, runner) -> Any:
        return self.get_regular_lr(runner)

    def _warmup(self, cur_iters: int) -> Any:
        return self.get_warmup_lr(cur_iters)

    _set_lr = UpdaterHook._set_values  # MMCV's name, which custom hooks call

    # -- mount points --------------------------------------------------
    def before_train_epoch(self, runner) -> None:
        """Convert an epoch warm-up to iterations; epoch policies set the regular lr here."""
        if self.warmup_iters is None:
            self.warmup_iters = self.warmup_epochs * len(runner.data_loader)
        super().before_train_epoch(runner)

    def before_train_iter(self, runner) -> None:
        """Iteration policies set the regular lr here; warm-up applies per iteration."""
        if not isinstance(self.warmup_iters, int):
            raise HookportError(self._warmup_length_error())
        super().before_train_iter(runner)

    def _warmup_length_error(self) -> str:
        owner = type(self).__name__
        if self.warmup_by_epoch and self.warmup_iters is None:
            # IterBasedRunner never calls before_train_epoch, so an epoch warm-up never gets a length.
            return (f"{owner}: warmup_by_epoch=True needs an epoch-based runner; under IterBasedRunner give "
                    f"warmup_iters in iterations and warmup_by_epoch=False")
        return f"{owner}: the warm-up length must be a whole number of iterations, got {self.warmup_iters!r}"


@MMCV_HOOKS.register_module()
class FixedLrUpdaterHook(LrUpdaterHook):
    """Constant lr (warm-up only)."""

    def get_lr(self, runner, base_lr):
        """The base lr."""
        return base_lr


@MMCV_HOOKS.register_module()
class StepLrUpdaterHook(LrUpdaterHook):
    """``base * gamma ** k``, k = decays so far (every ``step`` or at each milestone), floored at ``min_lr``."""

    def __init__(self, step, gamma: float = 0.1, min_lr: Any = None, **kwargs):
        F.check_step(type(self).__name__, step)
        self.step, self.gamma, self.min_lr = step, gamma, min_lr
        super().__init__(**kwargs)

    def get_lr(self, runner, base_lr):
        """Step decay at the current epoch/iteration."""
        progress = runner.epoch if self.by_epoch else runner.iter
        lr = base_lr * self.gamma ** F.step_exponent(progress, self.step)
        if self.min_lr is not None:
            lr = max(lr, self.min_lr)
        return lr


@MMCV_HOOKS.register_module()
class ExpLrUpdaterHook(LrUpdaterHook):
    """``base * gamma ** progress``."""

    def __init__(self, gamma, **kwargs):
        self.gamma = gamma
        super().__init__(**kwargs)

    def get_lr(self, runner, base_lr):
        """Exponential decay at the current epoch/iteration."""
        progress = runner.epoch if self.by_epoch else runner.iter
        return base_lr * self.gamma ** progress


@MMCV_HOOKS.register_module()
class PolyLrUpdaterHook(LrUpdaterHook):
    """``(base - min_lr) * (1 - p / max) ** power + min_lr`` (never reaches min_lr: p < max)."""

    def __init__(self, power: float = 1.0, min_lr: float = 0.0, **kwargs):
        self.power, self.min_lr = power, min_lr
        super().__init__(**kwargs)

    def get_lr(self, runner, base_lr):
        """Polynomial decay at the current epoch/iteration."""
        progress, max_progress = progress_of(runner, self.by_epoch)
        coeff = (1 - progress / max_progress) ** self.power
        return (base_lr - self.min_lr) * coeff + self.min_lr


@MMCV_HOOKS.register_module()
class InvLrUpdaterHook(LrUpdaterHook):
    """``base * (1 + gamma * progress) ** -power``."""

    def __init__(self, gamma, power: float = 1.0, **kwargs):
        self.gamma, self.power = gamma, power
        super().__init__(**kwargs)

    def get_lr(self, runner, base_lr):
        """Inverse decay at the current epoch/iteration."""
        progress = runner.epoch if self.by_epoch else runner.iter
        return base_lr * (1 + self.gamma * progress) ** (-self.power)


class _AnnealToMin(LrUpdaterHook):
    """Shared ``min_lr`` / ``min_lr_ratio`` handling of the annealing policies."""

    def __init__(self, min_lr: Any = None, min_lr_ratio: Any = None, **kwargs):
        F.check_min_value(type(self).__name__, "lr", min_lr, min_lr_ratio)
        self.min_lr, self.min_lr_ratio = min_lr, min_lr_ratio
        super().__init__(**kwargs)

    def target_lr(self, base_lr: float) -> float:
        """The lr the policy anneals towards."""
        return base_lr * self.min_lr_ratio if self.min_lr_ratio is not None else self.min_lr


@MMCV_HOOKS.register_module()
class CosineAnnealingLrUpdaterHook(_AnnealToMin):
    """Cosine from the base lr towards the minimum over the whole run."""

    def get_lr(self, runner, base_lr):
        """Cosine annealing at the current epoch/iteration."""
        progress, max_progress = progress_of(runner, self.by_epoch)
        return F.annealing_cos(base_lr, self.target_lr(base_lr), progress / max_progress)


@MMCV_HOOKS.register_module()
class FlatCosineAnnealingLrUpdaterHook(_AnnealToMin):
    """Flat until ``round(max * start_percent)``, then cosine towards the minimum."""

    def __init__(self, start_percent: float = 0.75, min_lr: Any = None, min_lr_ratio: Any = None, **kwargs):
        F.check_float_fraction(type(self).__name__, "start_percent", start_percent)
        self.start_percent = start_percent
        super().__init__(min_lr=min_lr, min_lr_ratio=min_lr_ratio, **kwargs)

    def get_lr(self, runner, base_lr):
        """Flat, then cosine annealing."""
        progress, max_progress = progress_of(runner, self.by_epoch)
        start = round(max_progress * self.start_percent)
        if progress - start < 0:
            return base_lr
        return F.annealing_cos(base_lr, self.target_lr(base_lr), (progress - start) / (max_progress - start))


@MMCV_HOOKS.register_module()
class CosineRestartLrUpdaterHook(_AnnealToMin):
    """Cosine restarted after each of ``periods``; restart k starts at ``min + w_k * (base - min)``."""

    def __init__(self, periods, restart_weights=(1,), min_lr: Any = None, min_lr_ratio: Any = None, **kwargs):
        owner = type(self).__name__
        if len(periods) != len(restart_weights):
            raise ConfigError(f"{owner}: periods ({len(periods)}) and restart_weights ({len(restart_weights)}) "
                              f"must have the same length")
        self.periods, self.restart_weights = list(periods), list(restart_weights)
        self.cumulative_periods = F.cumulative(self.periods)
        super().__init__(min_lr=min_lr, min_lr_ratio=min_lr_ratio, **kwargs)

    def get_lr(self, runner, base_lr):
        """Cosine within the current restart period."""
        progress = runner.epoch if self.by_epoch else runner.iter
        idx = F.period_index(type(self).__name__, progress, self.cumulative_periods)
        restart = 0 if idx == 0 else self.cumulative_periods[idx - 1]
        alpha = min((progress - restart) / self.periods[idx], 1)
        return F.annealing_cos(base_lr, self.target_lr(base_lr), alpha, self.restart_weights[idx])


@MMCV_HOOKS.register_module()
class LinearAnnealingLrUpdaterHook(_AnnealToMin):
    """Straight line from the base lr towards the minimum over the whole run."""

    def get_lr(self, runner, base_lr):
        """Linear annealing at the current epoch/iteration."""
        progress, max_progress = progress_of(runner, self.by_epoch)
        return F.annealing_linear(base_lr, self.target_lr(base_lr), progress / max_progress)


@MMCV_HOOKS.register_module()
class CyclicLrUpdaterHook(LrUpdaterHook):
    """Cyclic lr (iterations only): up to ``target_ratio[0]`` x base, down to ``target_ratio[1]`` x base.

    Args:
        target_ratio: a float r (means ``(r, r / 1e5)``) or a tuple ``(high, low)``.
        cyclic_times: cycles over the run; step_ratio_up: fraction of a cycle spent going up.
        anneal_strategy: 'cos' or 'linear'; gamma: amplitude factor per cycle.
    """

    def __init__(self, by_epoch: bool = False, target_ratio=(10, 1e-4), cyclic_times: int = 1,
                 step_ratio_up: float = 0.4, anneal_strategy: str = "cos", gamma: float = 1, **kwargs):
        owner = type(self).__name__
        self.target_ratio = F.cyclic_target(owner, target_ratio)
        F.check_cyclic(owner, by_epoch, step_ratio_up, gamma)
        self.anneal_func = F.anneal_function(owner, anneal_strategy)
        self.cyclic_times, self.step_ratio_up, self.gamma = cyclic_times, step_ratio_up, gamma
        self.max_iter_per_phase: Any = None
        self.lr_phases: list = []
        super().__init__(by_epoch, **kwargs)

    def before_run(self, runner) -> None:
        """Base lrs, then the two phases of a cycle from ``runner.max_iters``."""
        super().before_run(runner)
        self.max_iter_per_phase, self.lr_phases = F.cyclic_phases(runner.max_iters, self.cyclic_times,
                                                                  self.step_ratio_up, self.target_ratio)

    def get_lr(self, runner, base_lr):
        """The cyclic lr at the current iteration."""
        return F.cyclic_value(base_lr, self.lr_phases, runner.iter, self.max_iter_per_phase, self.gamma,
                              self.anneal_func)


@MMCV_HOOKS.register_module()
class OneCycleLrUpdaterHook(LrUpdaterHook):
    """1cycle (iterations only): base = ``max_lr / div_factor`` up to ``max_lr``, then down to
    ``base / final_div_factor`` (with ``three_phase``: back to base first)."""

    def __init__(self, max_lr, total_steps: Any = None, pct_start: float = 0.3, anneal_strategy: str = "cos",
                 div_factor: float = 25, final_div_factor: float = 1e4, three_phase: bool = False, **kwargs):
        owner = type(self).__name__
        if kwargs.setdefault("by_epoch", False):
            raise ConfigError(f"{owner}: only by_epoch=False is supported")
        if not isinstance(max_lr, (numbers.Number, list, dict)):
            raise ConfigError(f"{owner}: max_lr must be a number, a list or a dict, got {max_lr!r}")
        if total_steps is not None and (not isinstance(total_steps, int) or isinstance(total_steps, bool)):
            raise ConfigError(f"{owner}: total_steps must be an int, got {total_steps!r}")
        F.check_float_fraction(owner, "pct_start", pct_start)
        self._max_lr, self.total_steps, self.pct_start = max_lr, total_steps, pct_start
        self.anneal_func = F.anneal_function(owner, anneal_strategy)
        self.div_factor, self.final_div_factor, self.three_phase = div_factor, final_div_factor, three_phase
        self.lr_phases: list = []
        super().__init__(**kwargs)

    def before_run(self, runner) -> None:
        """Base lrs from ``max_lr`` (also stored as ``initial_lr``) and the phase ends."""
        owner = type(self).__name__
        total = runner.max_iters if self.total_steps is None else self.total_steps
        if total < runner.max_iters:
            raise ConfigError(f"{owner}: total_steps ({total}) must be >= the runner's max_iters "
                              f"({runner.max_iters})")

        def bases(name, optim):
            key = type(optim).__name__ if name is None else name
            base = [lr / self.div_factor
                    for lr in F.format_param(owner, key, len(optim.param_groups), self._max_lr)]
            for group, lr in zip(optim.param_groups, base):
                group.setdefault("initial_lr", lr)
            return base

        self.base_lr = F.per_optimizer(runner.optimizer, bases)
        pct_end = float(self.pct_start * total) - 1
        if self.three_phase:
            self.lr_phases = [[pct_end, 1, self.div_factor],
                              [float(2 * self.pct_start * total) - 2, self.div_factor, 1],
                              [total - 1, 1, 1 / self.final_div_factor]]
        else:
            self.lr_phases = [[pct_end, 1, self.div_factor], [total - 1, self.div_factor, 1 / self.final_div_factor]]

    def get_lr(self, runner, base_lr):
        """The 1cycle lr at the current iteration."""
        return F.one_cycle_value(self.lr_phases, runner.iter, lambda factor: base_lr * factor, self.anneal_func)
