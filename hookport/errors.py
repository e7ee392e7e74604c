"""Errors that reach the user as one ``file:line: what is wrong`` line.

Every bad-input path in hookport raises :class:`HookportError` (or a subclass).
The CLI prints ``str(err)`` on stderr and exits 2; nothing else is printed
unless ``--debug`` is given.
"""
from __future__ import annotations

from typing import Optional


class HookportError(Exception):
    """Bad input, located where possible.

    Args:
        message: what is wrong, in one line.
        file: the file the problem is in, if known.
        line: the 1-based line in ``file``, if known.
    """

    def __init__(self, message: str, file: Optional[str] = None, line: Optional[int] = None):
        super().__init__(message)
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line

    def located(self, file: Optional[str] = None, line: Optional[int] = None) -> "HookportError":
        """Fill in a location that is not known yet and return ``self``."""
        if self.file is None and file is not None:
            self.file = str(file)
        if self.line is None and line is not None:
            self.line = line
        return self

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class ConfigError(HookportError):
    """A config file cannot be read, merged or interpreted."""


class PriorityError(HookportError, ValueError):
    """A priority or iMIX level value that its scheme does not accept."""


class RegistryError(HookportError, KeyError):
    """An unknown or ambiguous registered type."""

    # KeyError's str() quotes its argument; keep the plain message.
    __str__ = HookportError.__str__


class HookValidationError(HookportError, TypeError):
    """A hook that cannot be registered (bad mount point signature, bad priority...)."""
