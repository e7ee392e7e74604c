"""Build the ``param_scheduler`` entry of an MMEngine config (what MMEngine's Runner does).

``build_param_schedulers(cfg, optimizer, epoch_length, max_epochs=..., max_iters=...)``:

* ``cfg`` is one scheduler (dict or built object), a list of them, or -- for a dict of
  optimizers -- a dict keyed by optimizer name (without ``type``) holding those.
* when the train loop is known, a scheduler without ``end`` ends at ``max_epochs``
  (``by_epoch=True``, the default) or ``max_iters``; an IterBasedTrainLoop reports
  ``max_epochs=1``, as in MMEngine;
* ``convert_to_iter_based=True`` builds through ``build_iter_from_epoch`` and needs
  ``epoch_length`` (the length of the train dataloader).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Dict, List, Optional, Union

from hookport.optim.scheduler.base import SchedulerError, _ParamScheduler
from hookport.registry import PARAM_SCHEDULERS

Schedulers = Union[List[_ParamScheduler], Dict[str, List[_ParamScheduler]]]


def build_param_schedulers(cfg: Any, optimizer: Any, epoch_length: Optional[int] = None, *,
                           max_epochs: Optional[int] = None, max_iters: Optional[int] = None) -> Schedulers:
    """Build schedulers for one optimizer (-> list) or a dict of optimizers (-> dict of lists).

    Args:
        cfg: scheduler config(s) as described in the module docstring.
        optimizer: an optimizer / optimizer wrapper (has ``param_groups``), or a mapping
            name -> optimizer (MMEngine's OptimWrapperDict).
        epoch_length: iterations per epoch; needed by ``convert_to_iter_based``.
        max_epochs, max_iters: the train loop's lengths, used as the default ``end``.
    """
    named = _named_optimizers(optimizer)
    if named is None:
        return _build_list(cfg, optimizer, epoch_length, max_epochs, max_iters)
    per_name = isinstance(cfg, Mapping) and "type" not in cfg
    if per_name:
        missing = sorted(set(named) - set(cfg))
        if missing:
            raise SchedulerError(f"param_scheduler has no entry for optimizer(s) {missing} "
                                 f"(it has {sorted(cfg)})")
    return {name: _build_list(cfg[name] if per_name else cfg, optim, epoch_length, max_epochs, max_iters)
            for name, optim in named.items()}


def _named_optimizers(optimizer: Any) -> Optional[Dict[str, Any]]:
    """A name -> optimizer dict for a mapping-like holder of several optimizers, else None."""
    if isinstance(optimizer, Mapping):
        return dict(optimizer)
    if isinstance(getattr(optimizer, "param_groups", None), list):
        return None
    items = getattr(optimizer, "items", None)
    return dict(items()) if callable(items) else None


def _build_list(cfg: Any, optimizer: Any, epoch_length, max_epochs, max_iters) -> List[_ParamScheduler]:
    entries = cfg if isinstance(cfg, (list, tuple)) else [cfg]
    built = []
    for entry in entries:
        if isinstance(entry, _ParamScheduler):
            built.append(entry)
        elif isinstance(entry, Mapping):
            built.append(build_param_scheduler(entry, optimizer, epoch_length,
                                               max_epochs=max_epochs, max_iters=max_iters))
        else:
            raise SchedulerError(f"a param_scheduler entry should be a dict(type=...) or a scheduler object, "
                                 f"got {entry!r}")
    return built


def build_param_scheduler(cfg: Mapping, optimizer: Any, epoch_length: Optional[int] = None, *,
                          max_epochs: Optional[int] = None, max_iters: Optional[int] = None) -> _ParamScheduler:
    """Build one scheduler from ``dict(type=..., **kwargs)`` (see :func:`build_param_schedulers`)."""
    args = copy.deepcopy(dict(cfg))
    args.pop("_scope_", None)
    by_epoch = args.get("by_epoch", True)
    default_end = max_epochs if by_epoch else max_iters
    if default_end is not None:
        args.setdefault("end", default_end)
    if not args.pop("convert_to_iter_based", False):
        return PARAM_SCHEDULERS.build(args, default_args=dict(optimizer=optimizer))
    if epoch_length is None or not by_epoch:
        raise SchedulerError(f"{args.get('type')}: only epoch-based parameter schedulers (by_epoch=True) can be "
                             f"converted to iter-based, and the epoch length must be known")
    if "type" not in args:
        raise SchedulerError(f"a parameter scheduler config needs a 'type' key, got keys {sorted(args)}")
    scheduler_cls = PARAM_SCHEDULERS.get(args.pop("type"))
    args.setdefault("optimizer", optimizer)
    try:
        return scheduler_cls.build_iter_from_epoch(epoch_length=epoch_length, **args)
    except TypeError as err:
        raise SchedulerError(f"cannot build parameter scheduler {scheduler_cls.__name__}: {err}") from err
