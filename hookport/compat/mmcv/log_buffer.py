"""MMCV's ``LogBuffer``: per-key histories of logged values, averaged into ``output``."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict


class LogBuffer:
    """What the train step and hooks log; logger hooks read ``output`` when ``ready``."""

    def __init__(self):
        self.val_history: "OrderedDict[str, list]" = OrderedDict()
        self.n_history: "OrderedDict[str, list]" = OrderedDict()
        self.output: "OrderedDict[str, Any]" = OrderedDict()
        self.ready = False

    def clear(self) -> None:
        """Forget every history and the output."""
        self.val_history.clear()
        self.n_history.clear()
        self.clear_output()

    def clear_output(self) -> None:
        """Forget the averaged output."""
        self.output.clear()
        self.ready = False

    def update(self, vars: Dict[str, Any], count: int = 1) -> None:
        """Append each value with its sample count."""
        if not isinstance(vars, dict):
            raise TypeError(f"LogBuffer.update takes a dict, got {type(vars).__name__}")
        for key, value in vars.items():
            self.val_history.setdefault(key, []).append(value)
            self.n_history.setdefault(key, []).append(count)

    def average(self, n: int = 0) -> None:
        """Count-weighted mean of the latest ``n`` values of every key (all when 0) into ``output``."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        for key in self.val_history:
            values, counts = self.val_history[key][-n:], self.n_history[key][-n:]
            self.output[key] = sum(float(v) * c for v, c in zip(values, counts)) / sum(counts)
        self.ready = True
