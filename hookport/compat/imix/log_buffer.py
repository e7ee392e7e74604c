"""iMIX's ``LogBufferStorage``: the scalar store hooks write into (``trainer.log_buffer``).

It behaves like detectron2's ``EventStorage`` plus iMIX's epoch counters:
``put_scalar(name, value, smoothing_hint=True, is_epoch=False)`` records a value
at the current ``iter`` (epoch scalars, ``is_epoch=True``, at the current
``epoch``); ``history(name).latest()`` / ``.median(n)`` / ``.avg(n)`` read it back;
``latest_with_smoothing_hint(n)`` is what the writers print. The engine calls
:meth:`step` after every ``after_train_iter`` (``iter += 1``, the current
scalars are cleared), :meth:`epoch_iter` with the inner index in by-epoch mode,
and :meth:`epoch_step` after every ``after_train_epoch``.

The innermost open storage is returned by :func:`get_log_buffer` (iMIX's
``imix.engine.hooks.periods.get_log_buffer``). A storage may forward every
scalar to a ``sink(name, value)``, which is how iMIX hooks running in an MMEngine
runner reach its message hub.
"""
from __future__ import annotations

import statistics
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from hookport.errors import HookportError

__all__ = ["HistoryBuffer", "LogBufferStorage", "get_log_buffer"]

_STACK: List["LogBufferStorage"] = []


def get_log_buffer() -> "LogBufferStorage":
    """The innermost open :class:`LogBufferStorage` (iMIX raises when none is open; so do we)."""
    if not _STACK:
        raise HookportError("get_log_buffer() called outside training: no LogBufferStorage is open")
    return _STACK[-1]


def _scalar(value: Any) -> float:
    # Tensors (one element) and numpy scalars arrive here as well as plain numbers.
    item = getattr(value, "item", None)
    return float(item() if callable(item) else value)


class HistoryBuffer:
    """The ``(value, iteration)`` history of one scalar, with windowed statistics."""

    def __init__(self, max_length: int = 1000000):
        self._max_length = max_length
        self._data: List[Tuple[float, float]] = []
        self._count = 0
        self._global_sum = 0.0

    def update(self, value: float, iteration: Optional[float] = None) -> None:
        """Append ``value`` recorded at ``iteration`` (default: one after the last)."""
        if iteration is None:
            iteration = self._count
        if len(self._data) == self._max_length:
            self._data.pop(0)
        self._data.append((value, iteration))
        self._count += 1
        self._global_sum += value

    def latest(self) -> float:
        """The last value."""
        return self._data[-1][0]

    def median(self, window_size: int) -> float:
        """Median of the last ``window_size`` values."""
        return statistics.median(v for v, _ in self._data[-window_size:])

    def avg(self, window_size: int) -> float:
        """Mean of the last ``window_size`` values."""
        window = self._data[-window_size:]
        return sum(v for v, _ in window) / len(window)

    def global_avg(self) -> float:
        """Mean of every value ever recorded."""
        return self._global_sum / self._count

    def values(self) -> List[Tuple[float, float]]:
        """The kept ``(value, iteration)`` pairs, oldest first."""
        return list(self._data)


class LogBufferStorage:
    """Per-run scalar storage with iMIX's counters.

    Args:
        start_iter: the first value of :attr:`iter` (``start_iter`` on resume).
        single_epoch_iters: iterations per epoch (by-epoch mode).
        start_epoch: the first value of :attr:`epoch`.
        by_epoch: whether training is by epoch.
        sink: optional ``sink(name, value)`` receiving every scalar as it is put.
    """

    def __init__(self, start_iter: int = 0, single_epoch_iters: int = 0, start_epoch: int = 0,
                 by_epoch: bool = True, sink: Optional[Callable[[str, float], None]] = None):
        self.iter = start_iter
        self.epoch = start_epoch
        self.epoch_inner_iter = 0
        self.single_epoch_iters = single_epoch_iters
        self.by_epoch = by_epoch
        self._sink = sink
        self._history: Dict[str, HistoryBuffer] = {}
        self._epoch_history: Dict[str, HistoryBuffer] = {}
        self._latest_scalars: Dict[str, Tuple[float, int]] = {}
        self._smoothing_hints: Dict[str, bool] = {}
        self._images: List[Tuple[str, Any, int]] = []
        self._histograms: List[Tuple[str, Any, int]] = []
        self._prefix = ""

    # -- context (get_log_buffer) -------------------------------------
    def __enter__(self) -> "LogBufferStorage":
        _STACK.append(self)
        return self

    def __exit__(self, *exc) -> None:
        if _STACK and _STACK[-1] is self:
            _STACK.pop()

    @contextmanager
    def name_scope(self, name: str) -> Iterator[None]:
        """Prefix every scalar put inside the block with ``name + '/'``."""
        old, self._prefix = self._prefix, self._prefix + name.rstrip("/") + "/"
        try:
            yield
        finally:
            self._prefix = old

    # -- writing --------------------------------------------------------
    def put_scalar(self, name: str, data: Any, smoothing_hint: bool = True, is_epoch: bool = False) -> None:
        """Record ``data`` under ``name`` at the current iteration (or epoch, with ``is_epoch``)."""
        name = self._prefix + name
        value = _scalar(data)
        if is_epoch:
            self._epoch_history.setdefault(name, HistoryBuffer()).update(value, self.epoch)
        else:
            self._history.setdefault(name, HistoryBuffer()).update(value, self.iter)
            self._latest_scalars[name] = (value, self.iter)
            previous = self._smoothing_hints.setdefault(name, smoothing_hint)
            if previous != smoothing_hint:
                raise HookportError(f"log_buffer.put_scalar({name!r}): smoothing_hint changed from "
                                    f"{previous} to {smoothing_hint}")
        if self._sink is not None:
            self._sink(name, value)

    def put_scalars(self, *, smoothing_hint: bool = True, **kwargs: Any) -> None:
        """``put_scalar`` for each keyword argument."""
        for name, value in kwargs.items():
            self.put_scalar(name, value, smoothing_hint=smoothing_hint)

    def put_image(self, name: str, data: Any) -> None:
        """Keep an image (iMIX API); no hookport writer shows images, so it is held until cleared."""
        self._images.append((self._prefix + name, data, self.iter))

    def put_histogram(self, name: str, data: Any) -> None:
        """Keep histogram data (iMIX API); no hookport writer shows histograms, so it is held until cleared."""
        self._histograms.append((self._prefix + name, data, self.iter))

    # -- reading --------------------------------------------------------
    def history(self, name: str) -> HistoryBuffer:
        """The :class:`HistoryBuffer` of ``name``; KeyError-like error when nothing was put."""
        buf = self._history.get(name)
        if buf is None:
            raise KeyError(f"No history metric available for {name}!")
        return buf

    def epoch_history(self, name: str) -> HistoryBuffer:
        """The per-epoch history of ``name`` (scalars put with ``is_epoch=True``)."""
        buf = self._epoch_history.get(name)
        if buf is None:
            raise KeyError(f"No epoch history metric available for {name}!")
        return buf

    def histories(self) -> Dict[str, HistoryBuffer]:
        """Every per-iteration history, by name."""
        return self._history

    def epoch_histories(self) -> Dict[str, HistoryBuffer]:
        """Every per-epoch history, by name."""
        return self._epoch_history

    def latest(self) -> Dict[str, Tuple[float, int]]:
        """``{name: (value, iter)}`` of the scalars put since the last :meth:`step`."""
        return self._latest_scalars

    def latest_with_smoothing_hint(self, window_size: int = 20) -> Dict[str, Tuple[float, int]]:
        """Like :meth:`latest`, with smoothed values (median of ``window_size``) where hinted."""
        return {name: (self._history[name].median(window_size) if self._smoothing_hints[name] else value, it)
                for name, (value, it) in self._latest_scalars.items()}

    def smoothing_hints(self) -> Dict[str, bool]:
        """``{name: smoothing_hint}`` as given at the first put."""
        return self._smoothing_hints

    def clear_images(self) -> None:
        """Forget the kept images."""
        self._images = []

    def clear_histograms(self) -> None:
        """Forget the kept histograms."""
        self._histograms = []

    # -- counters (called by the engine, not by hooks) ------------------
    def step(self) -> None:
        """After each ``after_train_iter``: next iteration, current scalars cleared."""
        self.iter += 1
        self._latest_scalars = {}

    def sync(self, iteration: int) -> None:
        """Follow a host runner's counter: move to ``iteration``, clearing current scalars on a change."""
        if iteration != self.iter:
            self.iter = iteration
            self._latest_scalars = {}

    def epoch_iter(self, inner_iter: int) -> None:
        """In by-epoch mode, after each ``after_train_iter``: record the index inside the epoch."""
        self.epoch_inner_iter = inner_iter

    def epoch_step(self) -> None:
        """After each ``after_train_epoch``: next epoch."""
        self.epoch += 1
