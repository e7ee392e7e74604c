"""iMIX hook levels: reading ``level=`` values and iMIX's insertion rule.

iMIX (``imix/engine/hooks/base_hook.py``, ``organizer.py``) differs from its
released code on purpose in two places, because the released behaviour is a bug:

* **Level names.** iMIX's setter means to accept ``'HIGH'`` but always looks the
  value up *by value*, so every name raises ``ValueError``. hookport accepts the
  seven names (case-insensitive). Other values that iMIX silently turns into
  ``NORMAL`` with a warning (``25``, ``'high'`` with a typo, ``True``) or
  rejects with a bare ``AssertionError`` (``30.0``) raise :class:`PriorityError`
  naming the hook and the accepted values.
* **Levels below HIGH.** iMIX's ``add_custom_hooks`` crashes with ``TypeError``
  when no hook has a level <= the new one (any custom hook at ``HIGHEST`` or
  ``HIGHER``, since the optimizer and LR hooks are ``HIGH``). hookport puts such
  a hook first, which is what "lower level runs earlier" means.
"""
from __future__ import annotations

import enum
from typing import Any, Optional, Sequence

from hookport import priority as prio
from hookport.errors import PriorityError
from hookport.priority import PriorityStatus

__all__ = ["PriorityStatus", "resolve_level", "insertion_index"]


def resolve_level(value: Any, owner: Optional[str] = None) -> PriorityStatus:
    """Return the :class:`PriorityStatus` member that ``value`` names.

    Accepts a member, an int equal to a level (0, 10, ..., 60) or a level name.

    Raises:
        PriorityError: for anything else; the message names ``owner`` (a hook class) when given.
    """
    foreign = isinstance(value, enum.Enum) and not isinstance(value, PriorityStatus)
    if foreign and type(value).__name__ == "PriorityStatus":
        value = value.value  # a real iMIX installed next to hookport: its enum has the same values
    try:
        return PriorityStatus(prio.resolve(value, "imix"))
    except PriorityError as err:
        where = f"{owner}.level: " if owner else "level: "
        raise PriorityError(where + err.message) from None


def insertion_index(levels: Sequence[int], level: int) -> int:
    """Where iMIX inserts a custom hook of ``level`` into hooks whose levels are ``levels``.

    Right after the last hook whose level is <= ``level`` (so after every hook of the
    same level, earlier custom hooks included); first when there is none.
    """
    for index in range(len(levels) - 1, -1, -1):
        if levels[index] <= level:
            return index + 1
    return 0
