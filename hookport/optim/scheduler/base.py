"""The parameter-scheduler base class, with MMEngine 0.10.7's stepping semantics.

A scheduler changes one hyper-parameter (``param_name``: ``'lr'``, ``'momentum'``...)
of every dict in ``optimizer.param_groups``. Nothing here imports torch: the
"optimizer" is anything with a ``param_groups`` list of dicts (a torch optimizer,
an optimizer wrapper, or :class:`hookport.optim.simulate.SimOptimizer`).

Semantics copied from MMEngine because configs depend on them:

* Constructing a scheduler performs its first ``step()`` (global step 0), so a
  warm-up factor is already applied to the value the first iteration uses.
* A scheduler acts only while ``begin <= global_step < end``; ``last_step``
  counts the steps it acted on, so milestones and phases count from ``begin``.
* Values are computed in *chainable* form from the current group value, so
  several schedulers on the same parameter compose (their factors multiply).
* The first scheduler of a parameter records ``initial_<param>`` in each group;
  later ones reuse it as their ``base_values``.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Sequence, Tuple

from hookport.errors import HookportError

#: MMEngine's "no end" sentinel (an int, so ``end - begin`` stays an int).
INF = int(1e9)

logger = logging.getLogger("hookport")


class SchedulerError(HookportError, ValueError):
    """Invalid scheduler arguments, or a scheduler used outside its range."""


def param_groups_of(optimizer: Any) -> List[dict]:
    """Return ``optimizer.param_groups``, or raise if ``optimizer`` has none."""
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise SchedulerError(f"a parameter scheduler needs an optimizer (an object with a param_groups list "
                             f"of dicts), got {type(optimizer).__name__}")
    return groups


class _ParamScheduler:
    """Base of all parameter schedulers (MMEngine's ``_ParamScheduler``).

    Args:
        optimizer: object with ``param_groups`` (list of dicts).
        param_name: the group key to schedule.
        begin: first global step (epoch or iteration) the scheduler acts on.
        end: first global step it no longer acts on (exclusive).
        last_step: index of the last step taken; -1 starts fresh, anything else
            resumes without a state dict and needs ``initial_<param_name>`` in the groups.
        by_epoch: stepped after each epoch (True) or after each iteration (False).
        verbose: log every value change.
    """

    #: Keyword arguments that ``build_iter_from_epoch`` multiplies by the epoch length.
    epoch_scaled_args: Tuple[str, ...] = ()
    #: Whether the scheduler wants validation metrics (ReduceOnPlateau).
    need_val_args = False

    def __init__(self, optimizer: Any, param_name: str, begin: int = 0, end: int = INF,
                 last_step: int = -1, by_epoch: bool = True, verbose: bool = False):
        groups = param_groups_of(optimizer)
        self.optimizer = optimizer
        self.param_name = param_name
        if end <= begin:
            raise SchedulerError(f"{type(self).__name__}: end should be larger than begin, "
                                 f"but got begin={begin}, end={end}")
        self.begin = begin
        self.end = end
        self.by_epoch = by_epoch
        if not isinstance(last_step, int) or isinstance(last_step, bool) or last_step < -1:
            raise SchedulerError(f"{type(self).__name__}: last_step must be an int >= -1, got {last_step!r}")
        self.base_values = _init_base_values(groups, param_name, last_step)
        self.last_step = last_step
        self._global_step = -1
        self.verbose = verbose
        self.step()

    # -- building -------------------------------------------------------
    @classmethod
    def build_iter_from_epoch(cls, *args, begin=0, end=INF, by_epoch=True, epoch_length=None, **kwargs):
        """Build an iteration-based scheduler from epoch-based arguments.

        ``begin``/``end`` (unless INF) become ``int(x * epoch_length)``; the
        arguments named in ``epoch_scaled_args`` are multiplied by ``epoch_length``
        (element-wise for lists).
        """
        if not by_epoch:
            raise SchedulerError(f"{cls.__name__}: only epoch-based schedulers (by_epoch=True) "
                                 f"can be converted to iter-based")
        if epoch_length is None or epoch_length <= 0:
            raise SchedulerError(f"{cls.__name__}: `epoch_length` must be a positive integer, "
                                 f"but got {epoch_length}")
        for name in cls.epoch_scaled_args:
            value = kwargs.get(name)
            if isinstance(value, (list, tuple)):
                kwargs[name] = [v * epoch_length for v in value]
            elif value is not None:
                kwargs[name] = value * epoch_length
        begin = int(begin * epoch_length)
        if end != INF:
            end = int(end * epoch_length)
        return cls(*args, begin=begin, end=end, by_epoch=False, **kwargs)

    # -- state ------------------------------------------------------------
    def state_dict(self) -> Dict[str, Any]:
        """Everything but the optimizer (the same keys MMEngine saves)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restore a :meth:`state_dict` (also accepts MMEngine's; callables in it are ignored)."""
        self.__dict__.update({k: v for k, v in state_dict.items() if k != "optimizer" and not callable(v)})

    def get_last_value(self) -> List[Any]:
        """The value of ``param_name`` in each group after the last step."""
        return self._last_value

    # -- stepping ---------------------------------------------------------
    def _get_value(self) -> List[Any]:
        """New values per group, computed in chainable form (subclasses)."""
        raise NotImplementedError

    def _group_values(self) -> List[Any]:
        return [group[self.param_name] for group in self.optimizer.param_groups]

    def print_value(self, is_verbose: bool, group: int, value: float) -> None:
        """Log a value change when ``is_verbose``."""
        if is_verbose:
            logger.info("Adjusting parameter value of group %d to %.4e.", group, value)

    def step(self) -> None:
        """Advance one global step; update the groups when inside ``[begin, end)``."""
        self._global_step += 1
        if self.begin <= self._global_step < self.end:
            self.last_step += 1
            values = self._get_value()
            for i, (group, value) in enumerate(zip(self.optimizer.param_groups, values)):
                group[self.param_name] = value
                self.print_value(self.verbose, i, value)
        self._last_value = self._group_values()


def _init_base_values(groups: Sequence[dict], param_name: str, last_step: int) -> List[Any]:
    """Record ``initial_<param>`` on a fresh start (first scheduler wins) and return them."""
    key = f"initial_{param_name}"
    if last_step == -1:
        for i, group in enumerate(groups):
            if param_name not in group:
                raise SchedulerError(f"param_groups[{i}] has no {param_name!r} to schedule "
                                     f"(keys: {sorted(k for k in group if k != 'params')})")
            group.setdefault(key, group[param_name])
    else:
        for i, group in enumerate(groups):
            if key not in group:
                raise SchedulerError(f"param {key!r} is not specified in param_groups[{i}] when resuming "
                                     f"an optimizer (last_step={last_step})")
    return [group[key] for group in groups]


def resolve_eta_min(eta_min, eta_min_ratio, name: str):
    """MMEngine's either-or check of ``eta_min`` / ``eta_min_ratio``."""
    if (eta_min is None) == (eta_min_ratio is None):
        raise SchedulerError(f"{name}: either `eta_min` or `eta_min_ratio` should be specified, not both")
    return eta_min, eta_min_ratio
