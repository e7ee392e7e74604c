"""Running an iMIX hook in an MMEngine or MMCV runner: its level in the host's priority scheme.

A plain name-by-name or rank-preserving translation (``hookport.priority.translate``)
moves a hook relative to the host's default hooks: iMIX's ``NORMAL`` custom hook
runs after the logger, checkpoint and evaluation hooks, but MMEngine's ``NORMAL``
(50) runs before its logger (60), LR scheduler (70) and checkpoint (90). So the
translation is by *position*: for each level, the host priority that keeps the
hook between the same default hooks it ran between in iMIX
(``placement.yaml``, summarised):

========  ========  ====  ====================================================
iMIX      MMEngine  MMCV  iMIX position kept
========  ========  ====  ====================================================
HIGHEST   0         30    before the optimizer, timer, logger, checkpoint
HIGHER    10        35    the same, after HIGHEST
HIGH      30        45    after the optimizer step; before timer, logger, checkpoint
NORMAL    97        97    after every default hook (checkpoint, logger)
LOW       98        98    after NORMAL: the order among custom levels is kept
LOWER     99        99
LOWEST    100       100
========  ========  ====  ====================================================

MMCV's LR and momentum updaters (10, 30) set the current iteration's values in
``before_train_iter``; iMIX steps its LR at the end of the previous iteration,
so an iMIX hook of any level already sees the new LR: it goes after them.

Relations that cannot be kept in MMEngine, by construction of the host:

* the optimizer steps inside ``train_step``, before every ``after_train_iter``
  hook (in iMIX a HIGHEST/HIGHER hook runs before the backward pass);
* MMEngine steps the LR (``ParamSchedulerHook``, 70) *after* its timer and
  logger, iMIX before them: a ``HIGH`` hook keeps "before timer, logger and
  checkpoint" and so runs before the LR step;
* MMEngine validates after all ``after_train_epoch`` hooks: a hook that read
  iMIX's fresh evaluation results at epoch end should use ``after_val_epoch``.

A host ``priority=`` given explicitly in the config entry wins over the translation.
The MMEngine column is also what ``hookport convert`` writes for ``level``.
"""
from __future__ import annotations

import functools
import os
from typing import Any, Dict

from hookport.compat.imix.levels import resolve_level
from hookport.errors import PriorityError
from hookport.tables import load_table

__all__ = ["host_priority", "placement_table"]


@functools.lru_cache(maxsize=None)
def placement_table() -> Dict[str, Dict[str, int]]:
    """``{host scheme: {iMIX level name: host priority}}`` from ``placement.yaml``."""
    return load_table(os.path.join(os.path.dirname(__file__), "placement.yaml"))


def host_priority(level: Any, host_dialect: str) -> int:
    """The priority in ``host_dialect``'s scheme that keeps an iMIX hook of ``level`` in its iMIX position.

    ``level`` is anything :func:`~hookport.compat.imix.levels.resolve_level` accepts;
    for ``host_dialect == 'imix'`` the level's own value is returned.
    """
    member = resolve_level(level)
    if host_dialect == "imix":
        return member.value
    table = placement_table().get(host_dialect)
    if table is None:
        raise PriorityError(f"no iMIX placement for host {host_dialect!r}; "
                            f"known: imix, {', '.join(sorted(placement_table()))}")
    return table[member.name]
