"""Per-file outcomes (LibCST codemod-runner style): every file ends as a value.

``changed`` / ``unchanged`` / ``skipped`` (with a reason) / ``failed`` (with a
message and, when known, a line). The report and the CLI summary are folds over
these values; nothing raises past the driver.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple


class Status(str, enum.Enum):
    """What happened to one file."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class Todo:
    """A ``# TODO(hookport HPxxx)`` comment: where its construct is in the input, and where the comment is.

    Attributes:
        line: the input (original) line of the construct the TODO is about.
        output_line: the line of the comment in the output (the converted file).
        code: the rule code.
        message: the TODO text.
    """

    line: int
    output_line: int
    code: str
    message: str


@dataclass(frozen=True)
class FileOutcome:
    """The result for one file.

    Attributes:
        path: the input path as given.
        status: see :class:`Status`.
        output: the new text (``changed``), else None.
        fixes: rule code -> rewrites applied.
        todos: TODO comments in the output (a changed file's, or a legacy file left alone's), with input lines.
        reason: why it was skipped, or the failure message.
        line: the failing line (``failed`` on a syntax error).
    """

    path: str
    status: Status
    output: Optional[str] = None
    fixes: Dict[str, int] = field(default_factory=dict)
    todos: Tuple[Todo, ...] = ()
    reason: Optional[str] = None
    line: Optional[int] = None

    def where(self) -> str:
        """``path:line`` of a failure (``path`` when the line is unknown)."""
        return self.path if self.line is None else f"{self.path}:{self.line}"
