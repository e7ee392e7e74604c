"""A one-line progress bar on stderr, shared by the commands that walk file trees (convert, codemod)."""
from __future__ import annotations

import sys


class Progress:
    """``[#####.....] 12/40 path`` redrawn in place on stderr."""

    def __init__(self, total: int):
        self.total, self.count = total, 0

    def step(self, name: str) -> None:
        """Advance by one file."""
        self.count += 1
        filled = int(30 * self.count / max(self.total, 1))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.count}/{self.total} {name[-40:]:<40}")
        sys.stderr.flush()

    def done(self) -> None:
        """End the bar's line."""
        sys.stderr.write("\n")
