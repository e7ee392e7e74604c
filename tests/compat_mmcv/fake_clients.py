"""Recording stand-ins for the wandb, mlflow, neptune, dvclive, clearml and segmind client libraries.

Shared by the reference script (tools/refdata/mmcv_logger_clients.py, run on the real
MMCV 1.7.2) and the differential test, so both record the same way. Every client call
becomes ``[name, args, kwargs]`` with JSON-able values: modules and other objects by
class name, paths by base name with the run's timestamp replaced by ``<ts>``.

MMCV 1.7.2 was written against the clients of its time; hookport calls today's names
for two of them. Both spellings record the same event, so the comparison is about what
is logged, when and with which step:

- neptune: ``neptune.new.init()`` and ``run[tag].log(v, step=s)`` (old) vs
  ``neptune.init_run()`` and ``run[tag].append(v, step=s)`` (neptune >= 1.0);
- dvclive: ``Live.set_step(s)`` and ``Live.log(k, v)`` (old) vs ``Live.step = s`` and
  ``Live.log_metric(k, v)`` (dvclive >= 1.0).
"""
from __future__ import annotations

import os
import re
import sys
import types
from typing import Any, Dict, List

CLIENTS = ("wandb", "mlflow", "mlflow.pytorch", "neptune", "neptune.new", "dvclive", "clearml", "segmind",
           "segmind.tracking", "segmind.tracking.fluent", "segmind.utils", "segmind.utils.logging_utils")

#: every call, in order, since the last :func:`install`
CALLS: List[list] = []

_TIMESTAMP = re.compile(r"\d{8}_\d{6}")


def _plain(value: Any) -> Any:
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, str):
        if os.sep in value:
            value = os.path.basename(value)
        return _TIMESTAMP.sub("<ts>", value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return f"<{type(value).__name__}>"


def _record(_name: str, *args: Any, **kwargs: Any) -> None:
    CALLS.append([_name, _plain(list(args)), _plain(kwargs)])


def _recorder(name: str):
    def call(*args: Any, **kwargs: Any) -> None:
        _record(name, *args, **kwargs)
    return call


class _Artifact:
    def __init__(self, **kwargs: Any):
        _record("wandb.Artifact", **kwargs)

    def add_file(self, path: str, *args: Any, **kwargs: Any) -> None:
        _record("wandb.Artifact.add_file", path, *args, **kwargs)


class _NeptuneField:
    def __init__(self, tag: str):
        self.tag = tag

    def append(self, value: Any, **kwargs: Any) -> None:
        _record("neptune.run[tag].append", self.tag, value, **kwargs)

    log = append  # the pre-1.0 name


class _NeptuneRun:
    def __getitem__(self, tag: str) -> _NeptuneField:
        return _NeptuneField(tag)

    def stop(self) -> None:
        _record("neptune.run.stop")


def _neptune_init(**kwargs: Any) -> _NeptuneRun:
    _record("neptune.init_run", **kwargs)
    return _NeptuneRun()


class _Live:
    def __init__(self, **kwargs: Any):
        _record("dvclive.Live", **kwargs)

    @property
    def step(self) -> None:
        return None

    @step.setter
    def step(self, value: int) -> None:
        _record("dvclive.Live.step", value)

    def set_step(self, value: int) -> None:  # the pre-1.0 name
        self.step = value

    def log_metric(self, name: str, value: Any, **kwargs: Any) -> None:
        _record("dvclive.Live.log_metric", name, value, **kwargs)

    log = log_metric  # the pre-1.0 name


class _ClearMLLogger:
    def report_scalar(self, *args: Any, **kwargs: Any) -> None:
        _record("clearml.Logger.report_scalar", *args, **kwargs)


class _ClearMLTask:
    @classmethod
    def init(cls, **kwargs: Any) -> "_ClearMLTask":
        _record("clearml.Task.init", **kwargs)
        return cls()

    def get_logger(self) -> _ClearMLLogger:
        _record("clearml.Task.get_logger")
        return _ClearMLLogger()


def _segmind_try_mlflow_log(function: Any, *args: Any, **kwargs: Any) -> None:
    """segmind's wrapper that calls ``function`` and swallows its failures."""
    _record("segmind.try_mlflow_log", getattr(function, "__name__", function), *args, **kwargs)
    function(*args, **kwargs)


def _segmind_log_metrics(*args: Any, **kwargs: Any) -> None:
    _record("segmind.log_metrics", *args, **kwargs)


def _package(name: str, **attributes: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    return module


def _modules() -> Dict[str, types.ModuleType]:
    wandb = types.ModuleType("wandb")
    for name in ("init", "define_metric", "log", "log_artifact", "join", "finish"):
        setattr(wandb, name, _recorder(f"wandb.{name}"))
    wandb.Artifact = _Artifact
    mlflow = types.ModuleType("mlflow")
    for name in ("set_experiment", "set_tags", "log_params", "log_metrics"):
        setattr(mlflow, name, _recorder(f"mlflow.{name}"))
    mlflow_pytorch = types.ModuleType("mlflow.pytorch")
    mlflow_pytorch.log_model = _recorder("mlflow.pytorch.log_model")
    mlflow.pytorch = mlflow_pytorch
    neptune = types.ModuleType("neptune")
    neptune.init_run = neptune.init = _neptune_init
    neptune_new = types.ModuleType("neptune.new")
    neptune_new.init = neptune_new.init_run = _neptune_init
    neptune.new = neptune_new
    dvclive = types.ModuleType("dvclive")
    dvclive.Live = _Live
    clearml = types.ModuleType("clearml")
    clearml.Task = _ClearMLTask
    fluent = _package("segmind.tracking.fluent", log_metrics=_segmind_log_metrics)
    logging_utils = _package("segmind.utils.logging_utils", try_mlflow_log=_segmind_try_mlflow_log)
    tracking = _package("segmind.tracking", fluent=fluent)
    utils = _package("segmind.utils", logging_utils=logging_utils)
    segmind = _package("segmind", tracking=tracking, utils=utils)
    return {"wandb": wandb, "mlflow": mlflow, "mlflow.pytorch": mlflow_pytorch, "neptune": neptune,
            "neptune.new": neptune_new, "dvclive": dvclive, "clearml": clearml, "segmind": segmind,
            "segmind.tracking": tracking, "segmind.tracking.fluent": fluent, "segmind.utils": utils,
            "segmind.utils.logging_utils": logging_utils}


def install(modules: Dict[str, Any] = sys.modules) -> List[list]:
    """Put the recording clients into ``modules`` (``sys.modules``), clear and return :data:`CALLS`."""
    modules.update(_modules())
    CALLS.clear()
    return CALLS


def normalized(calls: List[list]) -> List[list]:
    """``calls`` with each run of ``wandb.Artifact.add_file`` sorted (MMCV adds files in directory order)."""
    out: List[list] = []
    run: List[list] = []
    for call in calls + [None]:
        if call is not None and call[0] == "wandb.Artifact.add_file":
            run.append(call)
            continue
        out.extend(sorted(run, key=repr))
        run = []
        if call is not None:
            out.append(call)
    return out
