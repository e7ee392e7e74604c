"""Runtime information shared by the runner and its hooks (MMEngine's MessageHub API).

A :class:`MessageHub` holds two things: *log scalars* (a :class:`HistoryBuffer` per key,
e.g. ``train/loss``, ``train/lr``, ``val/accuracy``) and *runtime info* (the latest value per
key, e.g. ``epoch``, ``iter``, ``eta``, ``best_score``, ``last_ckpt``).

Unlike MMEngine, a buffer keeps an accelerator (CUDA...) tensor value as a tensor until
someone reads it: MMEngine calls ``.item()`` on every loss every iteration, a device->host
sync that stalls the GPU pipeline, although the logger reads the values only every
``interval`` iterations. Here the conversion happens at read time, for all pending values
at once (one copy per device), or when too many are pending (so an unread buffer cannot pin
an unbounded number of device tensors). CPU tensors cost no sync and are read at once. A
logged device tensor must therefore not be modified in place afterwards (log a clone of a
running statistic); the runner's losses are fresh tensors.

Nothing here imports torch: tensors are recognised by duck typing (``detach``/``numel``).
"""
from __future__ import annotations

import copy
import sys
from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

# Pending (not yet converted) values a buffer may hold before it converts them anyway.
_MAX_PENDING = 256


def _is_number(value: Any) -> bool:
    return type(value) in (float, int) or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _scalar(value: Any) -> Any:
    """A plain Python number, or the (detached) one-element tensor to convert later."""
    cls = type(value)
    if cls is float or cls is int:
        return value
    if hasattr(value, "requires_grad"):  # a torch tensor
        if value.is_cpu:  # reading a CPU value costs no sync: take it now, as MMEngine does
            try:
                return value.item()  # refuses anything but one element, checked below for the message
            except RuntimeError:
                pass
        if value.numel() != 1:
            raise ValueError(f"a logged scalar must have exactly one element, got a tensor of shape "
                             f"{tuple(value.shape)}")
        return value.detach() if value.requires_grad else value  # device value: read later, drop any graph
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):  # numpy float64 is a float subclass
        return float(value) if isinstance(value, float) else int(value)
    size = getattr(value, "size", None)  # numpy arrays and scalars
    if size is not None and hasattr(value, "item"):
        if size != 1:
            raise ValueError(f"a logged scalar must have exactly one element, got an array of size {size}")
        return value.item()
    numel = getattr(value, "numel", None)  # other tensor-likes
    if callable(numel) and hasattr(value, "item"):
        if numel() != 1:
            raise ValueError("a logged scalar must have exactly one element")
        return value
    raise TypeError(f"a logged scalar must be an int, float, one-element tensor or array, "
                    f"got {type(value).__name__}")


def _to_numbers(values: Sequence[Any]) -> List[Any]:
    """Convert one-element tensors to Python numbers.

    CPU values are read one by one (no sync to save); the values of each accelerator device
    are stacked and copied to the host at once (one sync instead of one per value).
    """
    torch = sys.modules.get("torch")
    out = list(values)
    groups: Dict[Any, List[int]] = {}
    for i, value in enumerate(out):
        if not _is_number(value):
            device = getattr(value, "device", None)
            if torch is None or device is None or device.type == "cpu" or not isinstance(value, torch.Tensor):
                out[i] = value.item()
            else:
                groups.setdefault((device, value.dtype), []).append(i)
    for indices in groups.values():
        numbers = torch.stack([out[i].reshape(()) for i in indices]).tolist()
        for i, number in zip(indices, numbers):
            out[i] = number
    return out


class HistoryBuffer:
    """The history of one logged scalar: values and their counts, at most ``max_length`` of each.

    ``mean(window)`` is ``sum(values[-window:]) / sum(counts[-window:])`` as in MMEngine, so a
    value logged with ``count=n`` is a sum over ``n`` samples.
    """

    def __init__(self, log_history: Sequence = (), count_history: Sequence = (), max_length: int = 1000000):
        if len(log_history) != len(count_history):
            raise ValueError("log_history and count_history must have the same length")
        self.max_length = max_length
        self._values: List[Any] = [_scalar(v) for v in log_history][-max_length:]
        self._counts: List[Any] = list(count_history)[-max_length:]
        self._pending = sum(1 for v in self._values if not _is_number(v))

    def update(self, log_val: Any, count: int = 1) -> None:
        """Append a value (a number or a one-element tensor, converted lazily) with its count."""
        cls = type(log_val)
        if cls is float or cls is int:  # the common case, without a call
            value = log_val
        else:
            value = None
            if getattr(log_val, "is_cpu", False) and hasattr(log_val, "requires_grad"):
                try:  # a CPU tensor (a loss, every iteration): read now, as _scalar does, without the call
                    value = log_val.item()
                except RuntimeError:  # not one element: _scalar raises the explanation
                    pass
            if value is None:
                value = _scalar(log_val)
            cls = type(value)
        self._values.append(value)
        self._counts.append(count)
        if self._pending or not (cls is float or cls is int):
            self._pending += 1
            if self._pending >= _MAX_PENDING:
                self._materialize()
        # Trim in batches: deleting from the front of a list is O(n).
        if len(self._values) > self.max_length + (self.max_length >> 3):
            self._trim()

    def _trim(self) -> None:
        excess = len(self._values) - self.max_length
        if excess > 0:
            del self._values[:excess]
            del self._counts[:excess]
            self._pending = min(self._pending, len(self._values))

    def _materialize(self) -> None:
        if self._pending:
            tail = len(self._values) - self._pending
            self._values[tail:] = _to_numbers(self._values[tail:])
            self._pending = 0

    def _window(self, window_size: Optional[int]) -> Tuple[List[Any], List[Any]]:
        if len(self._values) > self.max_length:
            self._trim()
        if self._pending:
            self._materialize()
        if window_size is None:
            return self._values, self._counts
        if not isinstance(window_size, int) or isinstance(window_size, bool):
            raise TypeError(f"window_size must be an int, got {type(window_size).__name__}")
        return self._values[-window_size:], self._counts[-window_size:]

    @property
    def data(self) -> Tuple[List[Any], List[Any]]:
        """``(values, counts)`` as lists of Python numbers."""
        values, counts = self._window(None)
        return list(values), list(counts)

    def __len__(self) -> int:
        return min(len(self._values), self.max_length)

    def current(self) -> Any:
        """The latest value."""
        if not self._values:
            raise ValueError("HistoryBuffer is empty: call update() first")
        last = self._values[-1]
        if not _is_number(last):
            self._materialize()
            last = self._values[-1]
        return last

    def mean(self, window_size: Optional[int] = None) -> float:
        """Sum of the last ``window_size`` values over the sum of their counts (all when None)."""
        if type(window_size) is int and not self._pending and len(self._values) <= self.max_length:
            # The logger's case every interval: plain numbers, nothing to trim (no window copies).
            return sum(self._values[-window_size:]) / sum(self._counts[-window_size:])
        values, counts = self._window(window_size)
        return sum(values) / sum(counts)

    def max(self, window_size: Optional[int] = None) -> Any:
        """Largest of the last ``window_size`` values (all when None)."""
        return max(self._window(window_size)[0])

    def min(self, window_size: Optional[int] = None) -> Any:
        """Smallest of the last ``window_size`` values (all when None)."""
        return min(self._window(window_size)[0])

    def statistics(self, method_name: str, *args, **kwargs) -> Any:
        """Call a statistic by name (``'mean'``, ``'max'``, ``'min'``, ``'current'``), as custom_cfg does."""
        if method_name not in ("mean", "max", "min", "current"):
            raise KeyError(f"unknown statistic {method_name!r}; use mean, max, min or current")
        return getattr(self, method_name)(*args, **kwargs)

    def state_dict(self) -> dict:
        """Plain-data form (lists of numbers), loadable under ``torch.load(weights_only=True)``."""
        values, counts = self.data
        return {"log_history": values, "count_history": counts, "max_length": self.max_length}

    @classmethod
    def from_state(cls, state: Any) -> "HistoryBuffer":
        """Rebuild from :meth:`state_dict`, a HistoryBuffer, or an MMEngine HistoryBuffer's attributes."""
        if isinstance(state, HistoryBuffer):
            values, counts = state.data
            return cls(values, counts, state.max_length)
        if isinstance(state, dict):
            return cls(state["log_history"], state["count_history"], state.get("max_length", 1000000))
        values = getattr(state, "_log_history", None)  # MMEngine's buffer keeps numpy arrays
        counts = getattr(state, "_count_history", None)
        if values is None or counts is None:
            raise TypeError(f"cannot read a history buffer from {type(state).__name__}")
        return cls(list(_plain(values)), list(_plain(counts)), getattr(state, "max_length", 1000000))


def _plain(array: Any) -> Iterable:
    tolist = getattr(array, "tolist", None)
    return tolist() if tolist is not None else array


class MessageHub:
    """Named hub of log scalars and runtime info; the last one created or fetched is "current".

    Args:
        name: instance name (MMEngine's runner uses the experiment name).
        log_scalars: initial ``{key: HistoryBuffer}``.
        runtime_info: initial ``{key: value}``.
        resumed_keys: ``{key: bool}``: whether a key is saved in :meth:`state_dict`.
    """

    _instances: "OrderedDict[str, MessageHub]" = OrderedDict()
    _current: Optional[str] = None

    def __init__(self, name: str, log_scalars: Optional[dict] = None, runtime_info: Optional[dict] = None,
                 resumed_keys: Optional[dict] = None):
        self.instance_name = name
        self._log_scalars: "OrderedDict[str, HistoryBuffer]" = OrderedDict(log_scalars or {})
        self._runtime_info: "OrderedDict[str, Any]" = OrderedDict(runtime_info or {})
        self._resumed_keys: "OrderedDict[str, bool]" = OrderedDict(resumed_keys or {})
        for key, value in self._log_scalars.items():
            if not isinstance(value, HistoryBuffer):
                raise TypeError(f"log_scalars[{key!r}] must be a HistoryBuffer, got {type(value).__name__}")
        type(self)._instances[name] = self
        type(self)._current = name

    # -- instances ----------------------------------------------------
    @classmethod
    def get_instance(cls, name: str, **kwargs) -> "MessageHub":
        """The instance called ``name`` (created with ``kwargs`` if missing); it becomes current."""
        hub = cls._instances.get(name)
        if hub is None:
            hub = cls(name, **kwargs)
        cls._current = name
        return hub

    @classmethod
    def get_current_instance(cls) -> "MessageHub":
        """The current instance (a default ``'hookport'`` hub if none exists yet)."""
        if cls._current is None or cls._current not in cls._instances:
            return cls.get_instance("hookport")
        return cls._instances[cls._current]

    @classmethod
    def check_instance_created(cls, name: str) -> bool:
        """Whether an instance called ``name`` exists."""
        return name in cls._instances

    # -- scalars --------------------------------------------------------
    def update_scalar(self, key: str, value: Any, count: int = 1, resumed: bool = True) -> None:
        """Append ``value`` (number or one-element tensor, converted lazily) to the buffer of ``key``."""
        if key not in self._resumed_keys:
            self._resumed_keys[key] = resumed
        buffer = self._log_scalars.get(key)
        if buffer is None:
            self._log_scalars[key] = HistoryBuffer([value], [count])
        elif (type(value) is float or type(value) is int) and type(buffer) is HistoryBuffer and not buffer._pending:
            # HistoryBuffer.update's common case without the call: the hooks log several plain
            # numbers every iteration (lr, data_time, time, ...), and each call costs there.
            values = buffer._values
            values.append(value)
            buffer._counts.append(count)
            if len(values) > buffer.max_length + (buffer.max_length >> 3):
                buffer._trim()
        else:
            buffer.update(value, count)

    def update_scalars(self, log_dict: dict, resumed: bool = True) -> None:
        """Update several scalars; a value may be ``dict(value=..., count=...)``."""
        if not isinstance(log_dict, dict):
            raise TypeError(f"log_dict must be a dict, got {type(log_dict).__name__}")
        for key, value in log_dict.items():
            if isinstance(value, dict):
                if "value" not in value:
                    raise KeyError(f"scalar {key!r}: a dict value needs a 'value' key, got {value!r}")
                self.update_scalar(key, value["value"], int(_scalar(value.get("count", 1))), resumed)
            else:
                self.update_scalar(key, value, 1, resumed)

    def get_scalar(self, key: str) -> HistoryBuffer:
        """The :class:`HistoryBuffer` of ``key`` (KeyError if never logged)."""
        try:
            return self._log_scalars[key]
        except KeyError:
            raise KeyError(f"{key} is not found in the message hub {self.instance_name!r}") from None

    @property
    def log_scalars(self) -> "OrderedDict[str, HistoryBuffer]":
        """All scalar buffers, in first-logged order."""
        return self._log_scalars

    # -- runtime info ---------------------------------------------------
    def update_info(self, key: str, value: Any, resumed: bool = True) -> None:
        """Set the runtime info ``key``."""
        if key not in self._resumed_keys:
            self._resumed_keys[key] = resumed
        self._runtime_info[key] = value

    def update_info_dict(self, info_dict: dict, resumed: bool = True) -> None:
        """Set several runtime info keys."""
        for key, value in info_dict.items():
            self.update_info(key, value, resumed)

    def pop_info(self, key: str, default: Any = None) -> Any:
        """Remove and return the runtime info ``key``."""
        return self._runtime_info.pop(key, default)

    def get_info(self, key: str, default: Any = None) -> Any:
        """The runtime info ``key``, or ``default``."""
        return self._runtime_info.get(key, default)

    @property
    def runtime_info(self) -> "OrderedDict[str, Any]":
        """All runtime info."""
        return self._runtime_info

    # -- persistence ----------------------------------------------------
    def state_dict(self) -> dict:
        """The resumable keys as plain data (buffers as lists), safe for ``weights_only`` loading."""
        scalars = OrderedDict((k, v.state_dict()) for k, v in self._log_scalars.items()
                              if self._resumed_keys.get(k, False))
        info = OrderedDict()
        for key, value in self._runtime_info.items():
            if self._resumed_keys.get(key, False):
                try:
                    info[key] = copy.deepcopy(value)
                except Exception:  # uncopyable values (open files...) are saved by reference
                    info[key] = value
        return {"log_scalars": scalars, "runtime_info": info, "resumed_keys": OrderedDict(self._resumed_keys)}

    def load_state_dict(self, state_dict: Any) -> None:
        """Restore from :meth:`state_dict`, an MMEngine message hub state, or another hub."""
        if isinstance(state_dict, MessageHub):
            state_dict = state_dict.state_dict()
        missing = [k for k in ("log_scalars", "runtime_info", "resumed_keys") if k not in state_dict]
        if missing:
            raise KeyError(f"a message hub state needs the keys {missing}")
        for key, value in state_dict["log_scalars"].items():
            try:
                self._log_scalars[key] = HistoryBuffer.from_state(value)
            except (TypeError, KeyError):
                continue  # MMEngine skips what is not a buffer too
        for key, value in state_dict["runtime_info"].items():
            try:
                self._runtime_info[key] = copy.deepcopy(value)
            except Exception:
                self._runtime_info[key] = value
        for key, value in state_dict["resumed_keys"].items():
            if key in self._log_scalars or key in self._runtime_info:
                self._resumed_keys[key] = value
