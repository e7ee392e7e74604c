"""ParamSchedulerHook: steps the parameter schedulers."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from hookport.errors import ConfigError
from hookport.hooks.hook import Hook
from hookport.registry import HOOKS


def flatten_schedulers(param_schedulers: Any) -> List[Any]:
    """``runner.param_schedulers`` (a list, or a dict of lists per optimizer) as one list."""
    if param_schedulers is None:
        return []
    if isinstance(param_schedulers, list):
        return list(param_schedulers)
    if isinstance(param_schedulers, dict):
        flat: List[Any] = []
        for value in param_schedulers.values():
            if not isinstance(value, list):
                raise ConfigError(f"runner.param_schedulers: each optimizer's schedulers must be a list, "
                                  f"got {type(value).__name__}")
            flat.extend(value)
        return flat
    raise ConfigError(f"runner.param_schedulers must be a list of schedulers or a dict of such lists, "
                      f"got {type(param_schedulers).__name__}")


@HOOKS.register_module()
class ParamSchedulerHook(Hook):
    """Steps iteration-based schedulers after each train iteration and epoch-based ones after
    each train epoch; schedulers that need metrics (``need_val_args``, e.g. ReduceOnPlateau)
    are stepped with the validation metrics. MMEngine's priority LOW.
    """

    priority = "LOW"

    def __init__(self):
        self._source: Any = None
        self._split: Tuple[Tuple[Any, ...], Tuple[Any, ...]] = ((), ())

    def _schedulers(self, runner) -> Tuple[Tuple[Any, ...], Tuple[Any, ...]]:
        """(iteration-based, epoch-based) schedulers, recomputed only if the runner's list changes."""
        source = runner.param_schedulers
        if source is not self._source:
            flat = flatten_schedulers(source)
            self._split = (tuple(s for s in flat if not s.by_epoch), tuple(s for s in flat if s.by_epoch))
            self._source = source
        return self._split

    def after_train_iter(self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None) -> None:
        """Step every iteration-based scheduler."""
        for scheduler in self._schedulers(runner)[0]:
            scheduler.step()

    def after_train_epoch(self, runner) -> None:
        """Step every epoch-based scheduler."""
        for scheduler in self._schedulers(runner)[1]:
            scheduler.step()

    def after_val_epoch(self, runner, metrics: Optional[Dict[str, Any]] = None) -> None:
        """Step epoch-based schedulers that need metrics with them."""
        if metrics is None:
            return
        for scheduler in self._schedulers(runner)[1]:
            if getattr(scheduler, "need_val_args", False):
                scheduler.step(metrics)
