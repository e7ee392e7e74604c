"""Hook registration and precomputed dispatch.

A :class:`HookTable` keeps hooks sorted by canonical priority (ties in
registration order: a new hook goes after every hook of equal priority, as in
MMCV, MMEngine and iMIX) and, for each mount point, a tuple of the callables of
the hooks that act there. The tuples are rebuilt at registration, never at call
time, so calling a mount point is one loop over exactly the hooks that
override it.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from hookport import priority as prio
from hookport.errors import HookValidationError, PriorityError
from hookport.hooks.hook import STAGES


def bind(hook: Any, stages: Sequence[str]) -> Dict[str, Optional[Callable]]:
    """``{stage: hook.bound(stage)}`` for a table's mount points.

    A hook may instead adapt to the whole set (``hook.bound_in(stages)``): an iMIX hook's
    ``before_train`` runs at ``before_run`` in a table that has no ``before_train`` (MMCV's).
    """
    bound_in = getattr(hook, "bound_in", None)
    if callable(bound_in):
        return bound_in(tuple(stages))
    if not callable(getattr(hook, "bound", None)):
        raise HookValidationError(f"{type(hook).__module__}.{type(hook).__qualname__} is not a hook: derive it from "
                                  f"hookport.hooks.Hook, mmcv.runner.Hook or imix's HookBase")
    return {stage: hook.bound(stage) for stage in stages}


class HookTable:
    """Sorted hooks plus per-mount-point call lists.

    Args:
        scheme: the priority scheme used to read and name priorities (``mmengine``, ``mmcv``, ``imix``).
        stages: the mount points to precompute (defaults to all canonical ones).
    """

    def __init__(self, scheme: str = "mmengine", stages: Sequence[str] = STAGES):
        prio.resolve(0, scheme)  # validates the scheme name
        self.scheme = scheme
        self.stages = tuple(stages)
        self._hooks: List[Any] = []
        self._keys: List[int] = []
        self._calls: Dict[str, Tuple[Callable, ...]] = {stage: () for stage in self.stages}
        self._members: Dict[str, Tuple[Any, ...]] = {stage: () for stage in self.stages}
        self._bound: Dict[int, Dict[str, Optional[Callable]]] = {}

    @property
    def hooks(self) -> List[Any]:
        """The hooks in dispatch order (a copy)."""
        return list(self._hooks)

    def __len__(self) -> int:
        return len(self._hooks)

    def __iter__(self):
        return iter(list(self._hooks))

    def register(self, hook: Any, priority: Any = None, *, after_equal: bool = True) -> int:
        """Insert ``hook`` at ``priority`` (default: ``hook.priority``) and return the canonical int.

        The resolved int is stored back on ``hook.priority``. With ``after_equal`` (the rule of
        all three systems) the hook goes after hooks of equal priority.
        """
        raw = getattr(hook, "priority", "NORMAL") if priority is None else priority
        try:
            value = prio.resolve(raw, self.scheme)
        except PriorityError as err:
            raise HookValidationError(f"hook {type(hook).__name__}: {err.message}") from None
        bound = bind(hook, self.stages)
        hook.priority = value
        index = bisect_right(self._keys, value) if after_equal else bisect_left(self._keys, value)
        self._keys.insert(index, value)
        self._hooks.insert(index, hook)
        self._rebuild(extra={id(hook): bound})
        return value

    def insert(self, index: int, hook: Any, priority: Any) -> int:
        """Insert ``hook`` at a given position (iMIX's custom-hook rule); priority is only recorded."""
        value = prio.resolve(priority, self.scheme)
        bound = bind(hook, self.stages)
        hook.priority = value
        self._keys.insert(index, value)
        self._hooks.insert(index, hook)
        self._rebuild(extra={id(hook): bound})
        return value

    def _rebuild(self, extra: Optional[Dict[int, Dict[str, Callable]]] = None) -> None:
        if extra:
            self._bound.update(extra)
        cache = self._bound
        for stage in self.stages:
            members = [h for h in self._hooks if cache[id(h)][stage] is not None]
            self._members[stage] = tuple(members)
            self._calls[stage] = tuple(cache[id(h)][stage] for h in members)

    def calls(self, stage: str) -> Tuple[Callable, ...]:
        """The callables for ``stage`` in order; call each as ``fn(runner, *args)``."""
        return self._calls[stage]

    def call(self, stage: str, runner: Any, *args: Any) -> None:
        """Invoke every hook acting at ``stage``."""
        for fn in self._calls[stage]:
            fn(runner, *args)

    def members(self, stage: str) -> Tuple[Any, ...]:
        """The hooks that act at ``stage``, in order."""
        return self._members[stage]

    # -- introspection ------------------------------------------------
    def entry(self, hook: Any) -> Dict[str, Any]:
        """``{"hook", "priority", "priority_name"}`` for one registered hook."""
        return {"hook": type(hook).__name__, "priority": hook.priority,
                "priority_name": prio.name(hook.priority, self.scheme)}

    def as_json(self, dialect: str, stages: Optional[Iterable[str]] = None) -> Dict[str, Any]:
        """The ``hookport hooks --json`` document."""
        stages = self.stages if stages is None else tuple(stages)
        return {
            "dialect": dialect,
            "hooks": [self.entry(h) for h in self._hooks],
            "mount_points": {stage: [self.entry(h) for h in self._members[stage]] for stage in stages
                             if stage in self._members},
        }

    def info(self, stages: Optional[Iterable[str]] = None) -> str:
        """The per-mount-point listing in MMCV's/MMEngine's ``get_hook(s)_info`` layout."""
        stages = self.stages if stages is None else tuple(stages)
        blocks = []
        for stage in stages:
            members = self._members.get(stage, ())
            if not members:
                continue
            lines = [f"({prio.name(h.priority, self.scheme):<12}) {type(h).__name__:<35}" for h in members]
            blocks.append(f"{stage}:\n" + "\n".join(lines) + "\n -------------------- ")
        return "\n".join(blocks)

