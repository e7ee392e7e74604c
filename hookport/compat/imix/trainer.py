"""The trainer iMIX hooks see as ``self.trainer``.

:class:`TrainerView` carries iMIX's attribute names with iMIX's meanings
(``shared/reference/imix.md`` §1.3): ``iter`` (0-based index of the current
iteration), ``epoch`` and ``inner_iter`` (by-epoch training only; absent in
by-iter mode, as in iMIX), ``by_epoch``, ``max_iter``, ``max_epoch``,
``start_iter``, ``model``, ``optimizer``, ``output`` (the loss dict whose
``'loss'`` is not yet backpropagated in ``after_train_iter``), ``model_output``,
``log_buffer``, ``data_loader``, ``work_dir``, ``cfg``,
``gradient_accumulation_steps``, ``is_lr_accumulation``, ``_hooks`` and
``organizer`` (``scheduler``, ``checkpointer``, ``hooks``, ``_last_eval_results``).

In hookport's iMIX dialect the iMIX loop writes these attributes. When an iMIX
hook runs in an MMEngine or MMCV runner, :func:`view_of` creates a
:class:`HostTrainerView`: it reads the host runner through the table in
``host_attributes.yaml`` and copies ``batch_idx``/``outputs`` from the host's
mount-point arguments, so the hook reads the same names it reads in iMIX.
"""
from __future__ import annotations

import functools
import os
import weakref
from typing import Any, Dict, List, Optional, Sequence

from hookport.compat.imix.log_buffer import LogBufferStorage
from hookport.tables import load_table

__all__ = ["TrainerView", "HostTrainerView", "Organizer", "view_of"]


class Organizer:
    """What iMIX keeps on ``trainer.organizer``: scheduler, checkpointer, hooks, last eval results."""

    def __init__(self, scheduler: Any = None, checkpointer: Any = None, hooks: Optional[List[Any]] = None,
                 test: Any = None):
        self.scheduler = scheduler
        self.checkpointer = checkpointer
        self.hooks = hooks if hooks is not None else []
        self._last_eval_results: Dict[str, Any] = {}
        self._test = test

    def test(self, cfg: Any = None, model: Any = None) -> Dict[str, Any]:
        """Evaluate ``model`` on the test data (iMIX's ``Organizer.test``)."""
        if self._test is None:
            return {}
        return self._test(cfg, model)


class TrainerView:
    """iMIX's engine attributes, written by hookport's iMIX loop.

    Args:
        model, optimizer, data_loader, cfg, work_dir: the training objects.
        by_epoch: whether training goes by epoch (config has no ``by_iter`` key).
        max_iter, max_epoch: iMIX's totals (``max_epoch`` is 0 in by-iter mode).
        gradient_accumulation_steps, is_lr_accumulation: the accumulation settings.
        organizer: the :class:`Organizer` (scheduler, checkpointer, ...).
    """

    def __init__(self, *, model: Any = None, optimizer: Any = None, data_loader: Any = None, cfg: Any = None,
                 work_dir: Optional[str] = None, by_epoch: bool = True, max_iter: int = 0, max_epoch: int = 0,
                 gradient_accumulation_steps: int = 1, is_lr_accumulation: bool = True,
                 organizer: Optional[Organizer] = None, logger: Any = None):
        self.model = model
        self.optimizer = optimizer
        self.data_loader = data_loader
        self.cfg = cfg
        self.work_dir = work_dir
        self.by_epoch = by_epoch
        self.max_iter = max_iter
        self.max_epoch = max_epoch
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.is_lr_accumulation = is_lr_accumulation
        self.organizer = organizer if organizer is not None else Organizer()
        self.logger = logger
        self.start_iter = 0
        self.start_epoch = 0
        self.iter = 0
        self.output: Any = None
        self.model_output: Any = None
        self.log_buffer: Optional[LogBufferStorage] = None
        self._hooks: List[Any] = self.organizer.hooks

    def observe(self, stage: str, args: Sequence[Any]) -> None:
        """Called before each hook method; the iMIX loop keeps this view current itself."""


@functools.lru_cache(maxsize=None)
def _host_table() -> Dict[str, List[str]]:
    return load_table(os.path.join(os.path.dirname(__file__), "host_attributes.yaml"))


_MISSING = object()


def _lookup(obj: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        obj = getattr(obj, part, _MISSING)
        if obj is _MISSING:
            return _MISSING
    return obj


class HostTrainerView:
    """``self.trainer`` for iMIX hooks running in an MMEngine or MMCV runner.

    Reads come from the host runner (``host_attributes.yaml``), except the values the
    host passes as mount-point arguments (``inner_iter`` from ``batch_idx``, ``output``
    from ``outputs``), which :meth:`observe` records. Scalars put into ``log_buffer``
    also go to the host's message hub as ``train/<name>`` when it has one.
    """

    def __init__(self, host: Any):
        self._host = weakref.proxy(host)
        self._seen: Dict[str, Any] = {}
        hub = getattr(host, "message_hub", None)
        sink = None
        if hub is not None and hasattr(hub, "update_scalar"):
            sink = lambda name, value: hub.update_scalar(f"train/{name}", value)  # noqa: E731
        self.log_buffer = LogBufferStorage(start_iter=getattr(host, "iter", 0), by_epoch=self.by_epoch, sink=sink)
        self.model_output = None
        self.start_iter = getattr(host, "iter", 0)
        self.organizer = Organizer(hooks=list(getattr(host, "hooks", [])))

    @property
    def by_epoch(self) -> bool:
        """Whether the host trains by epoch: an epoch-based train loop (MMEngine; its iteration
        loop also reports ``max_epochs == 1``), or a planned number of epochs (MMCV runners)."""
        loop = getattr(self._host, "train_loop", None)
        if loop is not None and not isinstance(loop, dict):
            from hookport.runner.loops import EpochBasedTrainLoop

            return isinstance(loop, EpochBasedTrainLoop)
        return getattr(self._host, "max_epochs", None) is not None

    @property
    def gradient_accumulation_steps(self) -> int:
        """The host optimizer wrapper's accumulation count (1 without accumulation)."""
        wrapper = getattr(self._host, "optim_wrapper", None)
        return int(getattr(wrapper, "_accumulative_counts", 1) or 1)

    @property
    def is_lr_accumulation(self) -> bool:
        """The host's schedulers decide when the LR changes; iMIX's default (True) is reported."""
        return True

    def observe(self, stage: str, args: Sequence[Any]) -> None:
        """Record the host's mount-point arguments (``batch_idx``, ``outputs``) before an iMIX hook runs."""
        if stage in ("before_train_iter", "after_train_iter") and args:
            self._seen["inner_iter"] = args[0]
            if stage == "after_train_iter" and len(args) >= 3:
                self._seen["output"] = args[2]
        # The host's iter is 0-based in iteration events and counts finished iterations after
        # them, which is what iMIX's log_buffer.iter holds at every event.
        self.log_buffer.sync(getattr(self._host, "iter", self.log_buffer.iter))
        self.log_buffer.epoch = getattr(self._host, "epoch", self.log_buffer.epoch)  # iMIX's epoch_step() timing

    def __getattr__(self, name: str) -> Any:
        # Only reached for names not set on the view: resolve them on the host.
        if name.startswith("__") or name in ("_host", "_seen"):
            raise AttributeError(name)
        if name in self._seen:
            return self._seen[name]
        for dotted in _host_table().get(name, ()):
            value = _lookup(self._host, dotted)
            if value is not _MISSING:
                return value
        raise AttributeError(f"trainer has no attribute {name!r} in this runner "
                             f"({self._host.__class__.__name__})")


def view_of(runner: Any) -> Any:
    """The trainer view iMIX hooks get for ``runner`` (created and kept on the runner once)."""
    if isinstance(runner, (TrainerView, HostTrainerView)):
        return runner
    view = getattr(runner, "imix_trainer", None)
    if view is None:
        view = HostTrainerView(runner)
        runner.imix_trainer = view
    return view
