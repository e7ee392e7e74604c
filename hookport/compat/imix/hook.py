"""iMIX's ``HookBase``: argument-less mount points and ``self.trainer``.

An iMIX hook overrides some of ``before_train``, ``after_train``,
``before_train_epoch``, ``after_train_epoch``, ``before_train_iter`` and
``after_train_iter``, all taking only ``self``, and reads everything from
``self.trainer`` (a weak proxy of the engine in iMIX, of a
:class:`~hookport.compat.imix.trainer.TrainerView` here).

:class:`HookBase` subclasses the canonical :class:`~hookport.hooks.hook.Hook`
and overrides :meth:`bound`, so the same hook object runs in hookport's iMIX
dialect and, unchanged, in an MMEngine or MMCV runner: the adapter drops the
host's arguments, points ``hook.trainer`` at the runner's trainer view and, in
a host runner, first copies the host's counters and outputs into that view.

Deviations from iMIX (on purpose; see ``hookport.compat.imix.levels``): level
names are accepted, invalid levels raise :class:`PriorityError`, and a subclass
that never calls ``HookBase.__init__`` gets ``NORMAL`` instead of an
``AttributeError`` when its level is read.
"""
from __future__ import annotations

import inspect
import weakref
from typing import Any, Callable, Dict, Optional, Tuple

from hookport.compat.imix.levels import PriorityStatus, resolve_level
from hookport.compat.imix.trainer import view_of
from hookport.errors import HookValidationError
from hookport.hooks.hook import Hook, is_overridden

__all__ = ["HookBase", "PriorityStatus", "IMIX_STAGES", "attach"]

# iMIX's six events, in the order its engine can fire them.
IMIX_STAGES = ("before_train", "before_train_epoch", "before_train_iter",
               "after_train_iter", "after_train_epoch", "after_train")
# Where iMIX's run-level events go in a runner without them (MMCV 1.x: before_run / after_run).
RUN_LEVEL_ALIASES = {"before_train": "before_run", "after_train": "after_run"}


def attach(hook: "HookBase", view: Any) -> None:
    """Set ``hook.trainer`` to a weak proxy of ``view`` (what iMIX's ``register_hooks`` does)."""
    hook.trainer = view if isinstance(view, weakref.ProxyTypes) else weakref.proxy(view)
    # A weak reference too: a strong one would tie the view (and its runner) to the hook.
    hook._trainer_ref = weakref.ref(view) if not isinstance(view, weakref.ProxyTypes) else None


class HookBase(Hook):
    """Base class of iMIX hooks (``from imix.engine.hooks import HookBase``).

    Attributes:
        trainer: weak proxy of the trainer view; set when the hook is registered or first called.
        level: the hook's :class:`PriorityStatus` (lower runs earlier), ``NORMAL`` by default.
    """

    def __init__(self):
        self._level = PriorityStatus.NORMAL

    # -- level --------------------------------------------------------
    @property
    def level(self) -> PriorityStatus:
        """The iMIX level (``PriorityStatus``)."""
        return self.__dict__.get("_level", PriorityStatus.NORMAL)

    @level.setter
    def level(self, value: Any) -> None:
        """Set the level from a member, a level int or a level name (PriorityError otherwise)."""
        self._level = resolve_level(value, owner=type(self).__name__)

    @property
    def priority(self) -> Any:
        """The priority a hook table placed this hook at, else its iMIX level."""
        placed = self.__dict__.get("_priority")
        return self.level if placed is None else placed

    @priority.setter
    def priority(self, value: Any) -> None:
        """Record the priority a hook table placed this hook at."""
        self._priority = value

    # Config keys an MMEngine/MMCV runner hands to host_priority() instead of the constructor.
    placement_keys = ("level",)

    def host_priority(self, scheme: str, level: Any = None) -> int:
        """This hook's priority in a runner of ``scheme`` (``level`` from the config entry, if any).

        In the iMIX scheme it is the level; elsewhere the position-keeping translation of
        :func:`hookport.compat.imix.placement.host_priority`.
        """
        from hookport.compat.imix.placement import host_priority

        if level is not None:
            self.level = level
        return host_priority(self.level, scheme)

    # -- iMIX events ---------------------------------------------------
    def before_train(self) -> None:
        """Before the first iteration."""

    def after_train(self) -> None:
        """After training, also when it raised."""

    def before_train_epoch(self) -> None:
        """Before each epoch (by-epoch training only)."""

    def after_train_epoch(self) -> None:
        """After each epoch (by-epoch training only)."""

    def before_train_iter(self) -> None:
        """Before each iteration; ``trainer.iter`` is its 0-based index."""

    def after_train_iter(self) -> None:
        """After each iteration's forward pass; ``trainer.output`` holds the losses."""

    # -- dispatch protocol ---------------------------------------------
    def bound(self, stage: str) -> Optional[Callable]:
        """``fn(runner, *args)`` calling the argument-less iMIX method, or None if not overridden."""
        if stage not in IMIX_STAGES or not is_overridden(type(self), HookBase, stage):
            return None
        method = getattr(self, stage)
        _check_no_args(self, stage, method)
        return _adapter(self, stage, method)

    def bound_in(self, stages: Tuple[str, ...]) -> Dict[str, Optional[Callable]]:
        """:meth:`bound` for each of a table's mount points; in a table without ``before_train`` /
        ``after_train`` (MMCV's runner) those events run at ``before_run`` / ``after_run``."""
        bound = {stage: self.bound(stage) for stage in stages}
        for imix_stage, host_stage in RUN_LEVEL_ALIASES.items():
            if imix_stage not in stages and host_stage in stages:
                bound[host_stage] = self.bound(imix_stage)
        return bound


def _check_no_args(hook: HookBase, stage: str, method: Callable) -> None:
    """Fail at registration, naming the method, if an iMIX event cannot be called without arguments."""
    try:
        sig = inspect.signature(method)
    except (TypeError, ValueError):  # builtins and C callables: trust them
        return
    try:
        sig.bind()
    except TypeError as err:
        raise HookValidationError(f"iMIX hook {type(hook).__name__}.{stage}{sig} must take no arguments "
                                  f"besides self (iMIX calls {stage}() with none): {err}") from None


def _adapter(hook: HookBase, stage: str, method: Callable) -> Callable:
    """Wrap an iMIX method so a runner can call it as ``fn(runner, *args)``."""

    def call(runner: Any, *args: Any) -> None:
        """Point hook.trainer at the runner's view, let it observe the call, run the method."""
        view = view_of(runner)
        ref = hook.__dict__.get("_trainer_ref")
        if ref is None or ref() is not view:
            attach(hook, view)
        view.observe(stage, args)
        method()

    call.__name__ = call.__qualname__ = f"{type(hook).__name__}.{stage}"
    return call
