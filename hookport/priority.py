"""The three hook priority schemes and translation between them.

Schemes are always named explicitly; the same word means different numbers:

========== ====================== ==========================
name       ``mmcv`` / ``mmengine`` ``imix`` (PriorityStatus)
========== ====================== ==========================
HIGHEST    0                      0
HIGHER     --                     10
VERY_HIGH  10                     --
HIGH       30                     20
ABOVE_NORMAL 40                   --
NORMAL     50                     30
BELOW_NORMAL 60                   --
LOW        70                     40
LOWER      --                     50
VERY_LOW   90                     --
LOWEST     100                    60
========== ====================== ==========================

``mmcv`` and ``mmengine`` accept a name (case-insensitive, as MMCV's and
MMEngine's ``get_priority`` do), a member of :class:`Priority`, or any int in
0..100. ``imix`` accepts a :class:`PriorityStatus` member, an int equal to a
level, or a level name (upper case, as in the enum; iMIX itself crashes on
names, hookport accepts them). Floats and bools are rejected everywhere: they
are almost always mistakes (``True`` would silently mean priority 1).

Translation (:func:`translate`) between ``mmcv``/``mmengine`` is the identity.
Between ``imix`` and the 0..100 scale it maps the seven iMIX levels onto the
seven MMEngine names of the same rank::

    HIGHEST 0 -> HIGHEST 0, HIGHER 10 -> VERY_HIGH 10, HIGH 20 -> HIGH 30,
    NORMAL 30 -> NORMAL 50, LOW 40 -> LOW 70, LOWER 50 -> VERY_LOW 90,
    LOWEST 60 -> LOWEST 100

and is piecewise linear between those anchors, so it is monotone and
deterministic. Going to ``imix`` the result is rounded to the nearest level
(ties go to the lower, i.e. earlier, level), because iMIX accepts nothing else.
Keeping a hook's position relative to a particular set of default hooks is a
different question, answered by the dialects (see ``hookport.compat.imix``).
"""
from __future__ import annotations

import enum
from bisect import bisect_right
from typing import Dict, Tuple, Union

from hookport.errors import PriorityError

SCHEMES = ("mmcv", "mmengine", "imix")


class Priority(enum.IntEnum):
    """MMCV (>= 1.3.8) and MMEngine hook priorities: lower runs earlier."""

    HIGHEST = 0
    VERY_HIGH = 10
    HIGH = 30
    ABOVE_NORMAL = 40
    NORMAL = 50
    BELOW_NORMAL = 60
    LOW = 70
    VERY_LOW = 90
    LOWEST = 100


class PriorityStatus(enum.IntEnum):
    """iMIX hook levels: lower runs earlier."""

    HIGHEST = 0
    HIGHER = 10
    HIGH = 20
    NORMAL = 30
    LOW = 40
    LOWER = 50
    LOWEST = 60


_ENUMS: Dict[str, type] = {"mmcv": Priority, "mmengine": Priority, "imix": PriorityStatus}

# iMIX level -> 0..100 value of the same rank; the anchors of the translation.
_IMIX_ANCHORS: Tuple[Tuple[int, int], ...] = (
    (0, 0), (10, 10), (20, 30), (30, 50), (40, 70), (50, 90), (60, 100),
)

PriorityLike = Union[int, str, enum.Enum]


def _check_scheme(scheme: str) -> str:
    if scheme not in _ENUMS:
        raise PriorityError(f"unknown priority scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
    return scheme


def accepted(scheme: str) -> str:
    """Describe, in words, what ``scheme`` accepts (used in error messages)."""
    enum_cls = _ENUMS[_check_scheme(scheme)]
    names = ", ".join(f"{m.name} ({m.value})" for m in enum_cls)
    if scheme == "imix":
        return f"an iMIX level: {names}"
    return f"an int 0..100 or a name: {names}"


def resolve(value: PriorityLike, scheme: str) -> int:
    """Return the canonical int of ``value`` read in ``scheme``.

    Raises:
        PriorityError: naming the value and what the scheme accepts.
    """
    enum_cls = _ENUMS[_check_scheme(scheme)]
    if isinstance(value, enum.Enum):
        # A member of the other scheme's enum is ambiguous by design: reject it.
        if isinstance(value, enum_cls):
            return int(value.value)
        raise PriorityError(f"priority {value!r} belongs to another scheme; {scheme} accepts {accepted(scheme)}")
    if isinstance(value, bool) or isinstance(value, float):
        raise PriorityError(f"invalid priority {value!r} ({type(value).__name__}); {scheme} accepts {accepted(scheme)}")
    if isinstance(value, int):
        if scheme == "imix":
            if value in enum_cls._value2member_map_:
                return value
        elif 0 <= value <= 100:
            return value
        raise PriorityError(f"invalid priority {value!r}; {scheme} accepts {accepted(scheme)}")
    if isinstance(value, str):
        key = value.strip()
        # MMCV and MMEngine upper-case names; iMIX names are upper case in the enum.
        member = enum_cls.__members__.get(key.upper())
        if member is not None:
            return int(member.value)
        raise PriorityError(f"unknown priority name {value!r}; {scheme} accepts {accepted(scheme)}")
    raise PriorityError(f"invalid priority {value!r} ({type(value).__name__}); {scheme} accepts {accepted(scheme)}")


def name(value: int, scheme: str) -> str:
    """Name a canonical int in ``scheme``: the member name, or the number as text."""
    enum_cls = _ENUMS[_check_scheme(scheme)]
    member = enum_cls._value2member_map_.get(value)
    return member.name if member is not None else str(value)


def _interpolate(x: float, points) -> float:
    xs = [p[0] for p in points]
    i = bisect_right(xs, x) - 1
    if i >= len(points) - 1:
        return float(points[-1][1])
    (x0, y0), (x1, y1) = points[i], points[i + 1]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def translate(value: int, src: str, dst: str) -> int:
    """Translate a canonical int of scheme ``src`` into scheme ``dst`` (see module docstring)."""
    value = resolve(value, src)
    _check_scheme(dst)
    src_imix, dst_imix = src == "imix", dst == "imix"
    if src_imix == dst_imix:
        return value
    if src_imix:
        return int(_interpolate(value, _IMIX_ANCHORS))
    inverse = tuple((b, a) for a, b in _IMIX_ANCHORS)
    exact = _interpolate(value, inverse)
    # Round to the nearest level; ties go to the earlier (lower) level.
    lower = int(exact // 10 * 10)
    return lower if exact - lower <= 5 else lower + 10
