"""Checks of hook constructor arguments that would otherwise only fail mid-training.

A period such as ``interval=None`` or ``'5'`` is accepted by the constructor and then breaks the first
``every_n_*`` test, after an epoch of training and with a traceback. Hooks check such arguments when
they are built, so ``hookport run`` reports them as bad input before anything runs.
"""
from __future__ import annotations

from typing import Any

from hookport.errors import ConfigError


def require_ints(owner: str, **values: Any) -> None:
    """Raise a ConfigError naming ``owner`` and the argument unless every value is an int (not a bool)."""
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConfigError(f"{owner}: {name} must be an int, got {value!r}")


def require_positive_ints(owner: str, **values: Any) -> None:
    """Raise a ConfigError naming ``owner`` and the argument unless every value is an int (not a bool) > 0."""
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{owner}: {name} must be a positive int, got {value!r}")
