"""MMCV 1.7.2's schedule formulas, written so that each float operation happens in MMCV's order.

Pure functions only (no hooks, no runner): the lr and momentum updater hooks and the
simulation share them, so a trajectory computed without torch is bit-identical to the one a
training run applies.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Dict, List, Sequence

from hookport.errors import ConfigError

WARMUP_KINDS = ("constant", "linear", "exp")


def annealing_cos(start: float, end: float, factor: float, weight: float = 1.0) -> float:
    """Cosine from ``start`` (factor 0) to ``end`` (factor 1); ``weight`` scales the amplitude."""
    cos_out = math.cos(math.pi * factor) + 1
    return end + 0.5 * weight * (start - end) * cos_out


def annealing_linear(start: float, end: float, factor: float) -> float:
    """Straight line from ``start`` (factor 0) to ``end`` (factor 1)."""
    return start + (end - start) * factor


ANNEAL: Dict[str, Callable[..., float]] = {"cos": annealing_cos, "linear": annealing_linear}


def anneal_function(owner: str, strategy: Any) -> Callable[..., float]:
    """The annealing function named ``strategy`` ('cos' or 'linear')."""
    if strategy not in ANNEAL:
        raise ConfigError(f'{owner}: anneal_strategy must be "cos" or "linear", got {strategy!r}')
    return ANNEAL[strategy]


def warmup_factor(kind: str, cur_iter: int, warmup_iters: int, ratio: float) -> float:
    """The warm-up factor at ``cur_iter`` (lr is multiplied by it, momentum divided by it)."""
    if kind == "constant":
        return ratio
    if kind == "linear":
        return 1 - (1 - cur_iter / warmup_iters) * (1 - ratio)
    return ratio ** (1 - cur_iter / warmup_iters)


def check_warmup(owner: str, warmup: Any, warmup_iters: Any, warmup_ratio: Any) -> None:
    """Reject the warm-up settings MMCV rejects, with a message naming the hook."""
    if warmup is None:
        return
    if warmup not in WARMUP_KINDS:
        raise ConfigError(f"{owner}: warmup={warmup!r} is not supported; use one of "
                          f"{', '.join(repr(k) for k in WARMUP_KINDS)} or None")
    if not isinstance(warmup_iters, numbers.Real) or isinstance(warmup_iters, bool) or warmup_iters <= 0:
        raise ConfigError(f"{owner}: warmup_iters must be a positive integer, got {warmup_iters!r}")
    if not isinstance(warmup_ratio, numbers.Real) or not 0 < warmup_ratio <= 1.0:
        raise ConfigError(f"{owner}: warmup_ratio must be in (0, 1], got {warmup_ratio!r}")


def check_min_value(owner: str, name: str, absolute: Any, ratio: Any) -> None:
    """Exactly one of ``min_<name>`` and ``min_<name>_ratio`` must be given (MMCV asserts it)."""
    if (absolute is None) == (ratio is None):
        raise ConfigError(f"{owner}: give exactly one of min_{name} and min_{name}_ratio "
                          f"(got min_{name}={absolute!r}, min_{name}_ratio={ratio!r})")


def check_float_fraction(owner: str, name: str, value: Any) -> None:
    """MMCV requires a Python float in [0, 1] here (``1`` is rejected, ``1.0`` is not)."""
    if not isinstance(value, float) or not 0 <= value <= 1:
        raise ConfigError(f"{owner}: {name} must be a float between 0 and 1, got {value!r}")


def step_exponent(progress: int, step: Any) -> int:
    """How many decays have happened at ``progress``: ``progress // step`` or milestones passed."""
    if isinstance(step, int):
        return progress // step
    for i, milestone in enumerate(step):
        if progress < milestone:
            return i
    return len(step)


def check_step(owner: str, step: Any) -> None:
    """``step`` must be a positive int or a list of positive ints."""
    if isinstance(step, list):
        if not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in step):
            raise ConfigError(f"{owner}: step must be a list of positive ints, got {step!r}")
    elif isinstance(step, int) and not isinstance(step, bool):
        if step <= 0:
            raise ConfigError(f"{owner}: step must be positive, got {step!r}")
    else:
        raise ConfigError(f"{owner}: step must be a list or an integer, got {step!r}")


def cumulative(periods: Sequence[int]) -> List[int]:
    """Running sums of ``periods`` (where each restart period ends)."""
    total, out = 0, []
    for period in periods:
        total += period
        out.append(total)
    return out


def period_index(owner: str, progress: int, cumulative_periods: Sequence[int]) -> int:
    """Index of the restart period containing ``progress``; past the last one is an error."""
    for i, end in enumerate(cumulative_periods):
        if progress < end:
            return i
    raise ConfigError(f"{owner}: iteration/epoch {progress} is past the end of the restart periods "
                      f"(cumulative {list(cumulative_periods)}); make the periods cover the whole run")


def cyclic_target(owner: str, target_ratio: Any) -> tuple:
    """Normalise ``target_ratio``: a float r means ``(r, r / 1e5)``; a list is rejected, as MMCV does."""
    if isinstance(target_ratio, float):
        return (target_ratio, target_ratio / 1e5)
    if isinstance(target_ratio, tuple):
        ratio = (target_ratio[0], target_ratio[0] / 1e5) if len(target_ratio) == 1 else target_ratio
        if len(ratio) != 2:
            raise ConfigError(f"{owner}: target_ratio must be a tuple of two floats, got {target_ratio!r}")
        return ratio
    raise ConfigError(f"{owner}: target_ratio must be a float or a tuple, got {type(target_ratio).__name__} "
                      f"{target_ratio!r} (MMCV rejects lists here; write a tuple)")


def cyclic_value(base: float, phases: Sequence[Sequence[float]], cur_iter: int, iters_per_phase: int,
                 gamma: float, anneal: Callable[..., float]) -> Any:
    """Value of a cyclic schedule at ``cur_iter``; the amplitude shrinks by ``gamma`` per cycle."""
    curr = cur_iter % iters_per_phase
    scale = gamma ** (cur_iter // iters_per_phase)
    for start_iter, end_iter, start_ratio, end_ratio in phases:
        if start_iter <= curr < end_iter:
            # The up phase ends lower and the down phase starts lower in later cycles.
            if start_iter == 0:
                end_ratio = 1 - scale + end_ratio * scale
            else:
                start_ratio = 1 - scale + start_ratio * scale
            return anneal(base * start_ratio, base * end_ratio, (curr - start_iter) / (end_iter - start_iter))
    return None


def cyclic_phases(max_iters: int, cyclic_times: int, step_ratio_up: float, target: tuple):
    """``(iters_per_phase, [[start, end, start_ratio, end_ratio], ...])`` of a cyclic schedule."""
    per_phase = max_iters // cyclic_times
    up = int(step_ratio_up * per_phase)
    return per_phase, [[0, up, 1, target[0]], [up, per_phase, target[0], target[1]]]


def check_cyclic(owner: str, by_epoch: Any, step_ratio_up: Any, gamma: Any) -> None:
    """The cyclic updaters' argument checks."""
    if not 0 <= step_ratio_up < 1.0:
        raise ConfigError(f"{owner}: step_ratio_up must be in [0, 1), got {step_ratio_up!r}")
    if not 0 < gamma <= 1:
        raise ConfigError(f"{owner}: gamma must be in (0, 1], got {gamma!r}")
    if by_epoch:
        raise ConfigError(f"{owner}: only by_epoch=False is supported")


def one_cycle_value(phases: Sequence[Sequence[Any]], cur_iter: int, value_of: Callable[[Any], float],
                    anneal: Callable[..., float]) -> float:
    """Value of a OneCycle schedule at ``cur_iter``; phases are ``(end_iter, start, end)``."""
    start_iter = 0
    for i, (end_iter, start, end) in enumerate(phases):
        if cur_iter <= end_iter or i == len(phases) - 1:
            pct = (cur_iter - start_iter) / (end_iter - start_iter)
            return anneal(value_of(start), value_of(end), pct)
        start_iter = end_iter
    raise AssertionError("unreachable: the last phase always matches")


def format_param(owner: str, name: str, n_groups: int, param: Any) -> List[Any]:
    """Per-group values: a number for all groups, a list with one per group, or a dict by optimizer name."""
    if isinstance(param, numbers.Number):
        return [param] * n_groups
    if isinstance(param, (list, tuple)):
        if len(param) != n_groups:
            raise ConfigError(f"{owner}: expected {n_groups} values for {name} (one per param group), "
                              f"got {len(param)}")
        return list(param)
    if name not in param:
        raise ConfigError(f"{owner}: {name!r} is not a key of {param!r}")
    value = param[name]
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{owner}: the value for {name!r} must be a list with one entry per param group, "
                          f"got {value!r} (MMCV fails here with \"'float' object is not iterable\")")
    return list(value)


def per_optimizer(optimizer: Any, fn: Callable[[Any, Any], Any]) -> Any:
    """Apply ``fn(name, optimizer)`` to one optimizer (name None) or to each of a dict's."""
    if isinstance(optimizer, dict):
        return {name: fn(name, optim) for name, optim in optimizer.items()}
    return fn(None, optimizer)


def map_values(values: Any, fn: Callable[[float], Any]) -> Any:
    """Apply ``fn`` to each value of a list, or of each list in a dict of lists."""
    if isinstance(values, dict):
        return {name: [fn(v) for v in group] for name, group in values.items()}
    return [fn(v) for v in values]
