"""Scalar writers: MMEngine's ``LocalVisBackend`` / ``TensorboardVisBackend`` and a small ``Visualizer``.

``runner.visualizer`` is a :class:`Visualizer`; ``LoggerHook`` hands it the tag dict of every
logged interval (``add_scalars(tags, step, file_path)``), and it forwards the dict to each backend.
The local backend appends one JSON object per call to ``<save_dir>/scalars.json`` (and to
``<save_dir>/<file_path>`` when given), exactly the JSON-lines format MMEngine writes, so
existing log-analysis scripts keep working.

Only rank 0 writes (MMEngine's ``master_only``). Nothing here imports torch at import time.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import os.path as osp
import sys
from typing import Any, Dict, List, Optional, Sequence

from hookport.errors import ConfigError
from hookport.registry import VISBACKENDS


_JSON_SCALARS = frozenset((float, int, str, bool, type(None)))
_json_str = json.encoder.encode_basestring_ascii  # json.dumps' key encoding (ensure_ascii)
_isfinite = math.isfinite


def _plain(value: Any) -> Any:
    """JSON-able form of a logged value (tensors and numpy values become numbers or lists)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return tolist()
    return str(value)


def _json_line(record: dict) -> str:
    """``json.dumps(record)``, character for character; written in Python for the usual flat
    record of finite numbers, which runs every logged interval (colder and slower through the
    json module's encoder set-up), and by ``json.dumps`` for anything else."""
    items = []
    for key, value in record.items():
        cls = type(value)
        if type(key) is not str or not (cls is int or (cls is float and _isfinite(value))):
            return json.dumps(record)
        items.append(f"{_json_str(key)}: {value!r}")  # float/int repr is what json writes
    return "{" + ", ".join(items) + "}"


def _write_all(handle: Any, data: bytes) -> None:
    """Write ``data`` to an unbuffered file, looping over short writes (rare: one call usually)."""
    written = handle.write(data)
    if written != len(data):
        view = memoryview(data)[written:]
        while view:
            view = view[handle.write(view):]


def _is_main_process() -> bool:
    torch = sys.modules.get("torch")
    if torch is None:
        return True
    dist = torch.distributed
    return not (dist.is_available() and dist.is_initialized()) or dist.get_rank() == 0


class BaseVisBackend:
    """A place scalars go. ``save_dir`` is filled in by the :class:`Visualizer` when not given."""

    def __init__(self, save_dir: Optional[str] = None):
        self._save_dir = save_dir

    @property
    def save_dir(self) -> Optional[str]:
        """Directory this backend writes into."""
        return self._save_dir

    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs) -> None:
        """Record one scalar."""
        self.add_scalars({name: value}, step, **kwargs)

    def add_scalars(self, scalar_dict: dict, step: int = 0, file_path: Optional[str] = None, **kwargs) -> None:
        """Record several scalars at ``step``."""

    def add_config(self, config: Any, **kwargs) -> None:
        """Record the run's config (text)."""

    def close(self) -> None:
        """Flush and release resources."""


@VISBACKENDS.register_module()
class LocalVisBackend(BaseVisBackend):
    """JSON-lines scalars on local disk (``scalars.json``), config as ``config.py``.

    Args:
        save_dir: output directory (MMEngine: ``<work_dir>/<timestamp>/vis_data``).
        scalar_save_file: name of the scalar file; must end in ``.json``.
        config_save_file: name of the config copy; must end in ``.py``.
    """

    def __init__(self, save_dir: Optional[str] = None, img_save_dir: str = "vis_image",
                 config_save_file: str = "config.py", scalar_save_file: str = "scalars.json"):
        if not scalar_save_file.endswith(".json"):
            raise ConfigError(f"LocalVisBackend: scalar_save_file must end in .json, got {scalar_save_file!r}")
        if not config_save_file.endswith(".py"):
            raise ConfigError(f"LocalVisBackend: config_save_file must end in .py, got {config_save_file!r}")
        super().__init__(save_dir)
        self._img_save_dir = img_save_dir
        self._config_save_file = config_save_file
        self._scalar_save_file = scalar_save_file
        # Unbuffered binary append handles by file name, opened on first write and kept until
        # close(): opening and closing two files per logged interval was most of LoggerHook's cost.
        self._files: Dict[str, Any] = {}
        self._files_dir: Optional[str] = None
        self._checked_paths: Dict[tuple, None] = {}

    def _path(self, name: str) -> Optional[str]:
        if self._save_dir is None:
            return None
        os.makedirs(self._save_dir, exist_ok=True)
        return osp.join(self._save_dir, name)

    def _file(self, name: str) -> Any:
        """The open append handle of ``<save_dir>/<name>`` (reopened if ``save_dir`` changed)."""
        if self._files_dir != self._save_dir:
            self._close_files()
            self._files_dir = self._save_dir
        handle = self._files.get(name)
        if handle is None:
            handle = self._files[name] = open(self._path(name), "ab", buffering=0)
        return handle

    def _check_file_path(self, file_path: str) -> None:
        """``file_path`` must be another ``.json`` file than the scalar file (checked once per name)."""
        key = (self._save_dir, file_path)
        if key in self._checked_paths:
            return
        if not file_path.endswith(".json"):
            raise ConfigError(f"LocalVisBackend: file_path must end in .json, got {file_path!r}")
        main = osp.join(self._save_dir, self._scalar_save_file)
        if osp.abspath(osp.join(self._save_dir, file_path)) == osp.abspath(main):
            raise ConfigError(f"LocalVisBackend: file_path {file_path!r} is the scalar file itself")
        self._checked_paths[key] = None

    def add_scalars(self, scalar_dict: dict, step: int = 0, file_path: Optional[str] = None, **kwargs) -> None:
        """Append ``{**scalar_dict, 'step': step}`` to ``scalars.json`` (and ``file_path``).

        Each line is written straight to the file (no buffer), so the files are complete after
        every call, as if they were reopened for each write.
        """
        if self._save_dir is None:
            return
        record = dict(scalar_dict)
        for value in record.values():  # usually all plain numbers already: then nothing to convert
            if type(value) not in _JSON_SCALARS:
                record = _plain(record)
                break
        record.setdefault("step", step)
        line = (_json_line(record) + "\n").encode("utf-8")
        files = self._files if self._files_dir == self._save_dir else {}  # open handles, looked up inline
        if file_path is not None:
            if (self._save_dir, file_path) not in self._checked_paths:
                self._check_file_path(file_path)
            _write_all(files.get(file_path) or self._file(file_path), line)
        _write_all(files.get(self._scalar_save_file) or self._file(self._scalar_save_file), line)

    def _close_files(self) -> None:
        files, self._files = self._files, {}
        for handle in files.values():
            handle.close()

    def close(self) -> None:
        """Close the scalar files (a later write reopens them)."""
        self._close_files()

    def add_config(self, config: Any, **kwargs) -> None:
        """Write the config's text (``pretty_text`` if it has one) to ``config.py``."""
        path = self._path(self._config_save_file)
        if path is None:
            return
        text = getattr(config, "pretty_text", None)
        text = text if isinstance(text, str) else repr(config)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)


@VISBACKENDS.register_module()
class TensorboardVisBackend(BaseVisBackend):
    """Scalars to TensorBoard event files (needs the ``tensorboard`` extra).

    Args:
        save_dir: event file directory.
    """

    def __init__(self, save_dir: Optional[str] = None):
        if importlib.util.find_spec("tensorboard") is None:
            raise ConfigError("TensorboardVisBackend needs the 'tensorboard' package: "
                              "pip install 'hookport[tensorboard]'")
        super().__init__(save_dir)
        self._writer = None

    def _writer_or_none(self):
        if self._writer is None and self._save_dir is not None:
            from torch.utils.tensorboard import SummaryWriter  # imported on first write only
            self._writer = SummaryWriter(self._save_dir)
        return self._writer

    def add_scalars(self, scalar_dict: dict, step: int = 0, file_path: Optional[str] = None, **kwargs) -> None:
        """Write each numeric entry as a TensorBoard scalar (``file_path`` is ignored, as in MMEngine)."""
        writer = self._writer_or_none()
        if writer is None:
            return
        for key, value in _plain(dict(scalar_dict)).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                writer.add_scalar(key, value, step)

    def add_config(self, config: Any, **kwargs) -> None:
        """Record the config text as a TensorBoard text entry."""
        writer = self._writer_or_none()
        if writer is not None:
            writer.add_text("config", getattr(config, "pretty_text", repr(config)))

    def close(self) -> None:
        """Close the event writer."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None


@VISBACKENDS.register_module()
class Visualizer:
    """Fans scalars out to its backends; ``runner.visualizer``.

    Args:
        name: instance name.
        vis_backends: backend configs or instances (default: one :class:`LocalVisBackend`).
        save_dir: directory given to backends that have none (MMEngine: ``<log_dir>/vis_data``).
    """

    def __init__(self, name: str = "visualizer", vis_backends: Optional[Sequence[Any]] = None,
                 save_dir: Optional[str] = None, **kwargs):
        self.name = name
        self._vis_backends: Dict[str, BaseVisBackend] = {}
        specs = [dict(type="LocalVisBackend")] if vis_backends is None else list(vis_backends)
        for spec in specs:
            backend = spec if isinstance(spec, BaseVisBackend) else VISBACKENDS.build(
                {k: v for k, v in spec.items() if k != "name"})
            if backend.save_dir is None and save_dir is not None:
                backend._save_dir = save_dir
            key = spec.get("name") if isinstance(spec, dict) and spec.get("name") else type(backend).__name__
            if key in self._vis_backends:
                raise ConfigError(f"visualizer: two backends are called {key!r}; give one a 'name'")
            self._vis_backends[key] = backend
        self._main = None

    @property
    def vis_backends(self) -> Dict[str, BaseVisBackend]:
        """Backends by name."""
        return self._vis_backends

    def get_backend(self, name: str) -> Optional[BaseVisBackend]:
        """The backend called ``name`` (class name by default)."""
        return self._vis_backends.get(name)

    def _writes(self) -> bool:
        if self._main is None:
            self._main = _is_main_process()
        return self._main

    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs) -> None:
        """Record one scalar on every backend (rank 0 only)."""
        self.add_scalars({name: value}, step, **kwargs)

    def add_scalars(self, scalar_dict: dict, step: int = 0, file_path: Optional[str] = None, **kwargs) -> None:
        """Record ``scalar_dict`` at ``step`` on every backend (rank 0 only)."""
        if self._main or (self._main is None and self._writes()):  # called every logged interval
            for backend in self._vis_backends.values():
                backend.add_scalars(scalar_dict, step, file_path, **kwargs)

    def add_config(self, config: Any, **kwargs) -> None:
        """Record the config on every backend (rank 0 only)."""
        if self._writes():
            for backend in self._vis_backends.values():
                backend.add_config(config, **kwargs)

    def close(self) -> None:
        """Close every backend."""
        for backend in self._vis_backends.values():
            backend.close()


def build_visualizer(cfg: Optional[Any], save_dir: str, name: str = "visualizer") -> Visualizer:
    """Build ``runner.visualizer`` from the config's ``visualizer`` entry (a dict, an instance or None).

    Codebase-specific visualizer types (``DetLocalVisualizer``...) are read as a plain
    :class:`Visualizer` when they are not registered: hookport only writes scalars.
    """
    if isinstance(cfg, Visualizer):
        return cfg
    cfg = dict(cfg or {})
    kind = cfg.pop("type", "Visualizer")
    cls = VISBACKENDS.get(kind) if isinstance(kind, str) and kind in VISBACKENDS else Visualizer
    if isinstance(kind, type):
        cls = kind
    cfg.setdefault("name", name)
    cfg.setdefault("save_dir", save_dir)
    return cls(**cfg)


__all__: List[str] = ["BaseVisBackend", "LocalVisBackend", "TensorboardVisBackend", "Visualizer",
                      "build_visualizer"]
