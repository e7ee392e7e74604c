"""Recording stand-ins for the clients MMEngine's Wandb/MLflow/Neptune/DVCLive/ClearML vis backends use.

Shared by the reference script (tools/refdata/mmengine_vis_clients.py, run on the real
MMEngine 0.10.7) and the differential test (tests/runner/test_vis_client_backends.py), so
both record the same way. Built on tests/compat_mmcv/fake_clients.py (same call log
:data:`CALLS`, same ``[name, args, kwargs]`` entries, paths by base name, run timestamps
as ``<ts>``), with the client API the MMEngine backends call added:

- wandb: ``wandb.config.update``, ``wandb.run.log_code``, ``wandb.watch``;
- mlflow: tracking URI, experiments (``get_experiment_by_name`` answers None until
  ``create_experiment``), ``set_tag``, ``log_text``, ``log_metric``, ``log_artifact``, ``end_run``;
- neptune: ``neptune.types.File.from_content`` and ``run[key].upload``;
- dvclive: ``Live.log_params``, ``Live.log_artifact``, ``Live.end``;
- clearml: ``Task.init`` -> task (``get_logger``, ``connect_configuration``,
  ``upload_artifact``, ``close``), logger ``report_scalar``;
- pygit2 (DVCLive's "is git configured" probe): answers yes unless :data:`GIT` says otherwise;
  it is an environment probe, not a client call, so it is not recorded.

Three normalisations make runs comparable, none of them hides what is sent or when:

- the ``time`` and ``data_time`` scalars are wall-clock measurements: their values are
  recorded as ``"<time>"`` (the tag, the step and the call are kept);
- config *text* (``mlflow.log_text``, ``File.from_content``) is recorded as the dict the
  text defines when executed, because MMEngine formats it with yapf and hookport with its
  own printer: the same config, two layouts;
- runs of ``log_artifact`` / ``upload_artifact`` calls are sorted (:func:`normalized`):
  both backends scan folders in file-system order.
"""
from __future__ import annotations

import sys
import types
from typing import Any, Dict, List

from tests.compat_mmcv import fake_clients
from tests.compat_mmcv.fake_clients import CALLS, _record, _recorder

#: every module :func:`install` puts into ``sys.modules``
CLIENTS = fake_clients.CLIENTS + ("neptune.types", "pygit2")

#: wall-clock scalars whose values differ run to run
TIME_KEYS = ("time", "data_time")

#: set ``GIT["signature"] = False`` to make pygit2 report a repository without a git user
GIT: Dict[str, bool] = {"signature": True}

_ARTIFACT_CALLS = ("mlflow.log_artifact", "dvclive.Live.log_artifact", "clearml.Task.upload_artifact")


def _scalar(tag: str, value: Any) -> Any:
    return "<time>" if tag in TIME_KEYS else value


def _scalars(values: Dict[str, Any]) -> Dict[str, Any]:
    return {tag: _scalar(tag, value) for tag, value in dict(values).items()}


def config_text(text: str) -> Dict[str, Any]:
    """The names a config text defines (the comparable form of two printers' output)."""
    namespace: Dict[str, Any] = {}
    exec(compile(text, "<config text>", "exec"), namespace)  # noqa: S102  (the run's own config)
    return {k: v for k, v in namespace.items() if not k.startswith("__")}


# -- wandb ------------------------------------------------------------------------------------
class _WandbConfig:
    def update(self, values: dict, **kwargs: Any) -> None:
        _record("wandb.config.update", dict(values), **kwargs)


class _WandbRun:
    def log_code(self, *args: Any, **kwargs: Any) -> None:
        _record("wandb.run.log_code", *args, **kwargs)


def _wandb_log(values: dict, *args: Any, **kwargs: Any) -> None:
    _record("wandb.log", _scalars(values), *args, **kwargs)


# -- mlflow -----------------------------------------------------------------------------------
class _Experiment:
    def __init__(self, name: str):
        self.name = name


_EXPERIMENTS: Dict[str, _Experiment] = {}


def _get_experiment_by_name(name: str) -> Any:
    _record("mlflow.get_experiment_by_name", name)
    return _EXPERIMENTS.get(name)


def _create_experiment(name: str, **kwargs: Any) -> str:
    _record("mlflow.create_experiment", name, **kwargs)
    _EXPERIMENTS[name] = _Experiment(name)
    return name


def _log_text(text: str, *args: Any, **kwargs: Any) -> None:
    _record("mlflow.log_text", config_text(text), *args, **kwargs)


def _log_metrics(values: dict, *args: Any, **kwargs: Any) -> None:
    _record("mlflow.log_metrics", _scalars(values), *args, **kwargs)


def _log_metric(key: str, value: Any, *args: Any, **kwargs: Any) -> None:
    _record("mlflow.log_metric", key, _scalar(key, value), *args, **kwargs)


# -- neptune ----------------------------------------------------------------------------------
class File:
    """``neptune.types.File``: only ``from_content`` is used."""

    @staticmethod
    def from_content(text: str, *args: Any, **kwargs: Any) -> "File":
        _record("neptune.types.File.from_content", config_text(text), *args, **kwargs)
        return File()


class _NeptuneField(fake_clients._NeptuneField):
    def append(self, value: Any, **kwargs: Any) -> None:
        super().append(_scalar(self.tag, value), **kwargs)

    def upload(self, value: Any, **kwargs: Any) -> None:
        _record("neptune.run[tag].upload", self.tag, value, **kwargs)


class _NeptuneRun(fake_clients._NeptuneRun):
    def __getitem__(self, tag: str) -> _NeptuneField:
        return _NeptuneField(tag)


def _neptune_init(**kwargs: Any) -> _NeptuneRun:
    _record("neptune.init_run", **kwargs)
    return _NeptuneRun()


# -- dvclive ----------------------------------------------------------------------------------
class _Live(fake_clients._Live):
    def log_metric(self, name: str, value: Any, **kwargs: Any) -> None:
        super().log_metric(name, _scalar(name, value), **kwargs)

    def log_params(self, params: dict, *args: Any, **kwargs: Any) -> None:
        _record("dvclive.Live.log_params", dict(params), *args, **kwargs)

    def log_artifact(self, path: str, *args: Any, **kwargs: Any) -> None:
        _record("dvclive.Live.log_artifact", path, *args, **kwargs)

    def end(self) -> None:
        _record("dvclive.Live.end")


class _Repository:
    def __init__(self, path: Any):
        self.path = path

    @property
    def default_signature(self) -> str:
        if not GIT["signature"]:
            raise KeyError("user.name")  # what pygit2 raises when git has no user configured
        return "hookport <hookport@example.org>"


# -- clearml ----------------------------------------------------------------------------------
class _ClearMLLogger:
    def report_scalar(self, title: str, series: str, value: Any, iteration: int, **kwargs: Any) -> None:
        _record("clearml.Logger.report_scalar", title=title, series=series, value=_scalar(title, value),
                iteration=iteration, **kwargs)


class Task(fake_clients._ClearMLTask):
    """``clearml.Task`` as MMEngine uses it: ``Task.init`` starts a task (inherited); scalars by keyword."""

    def get_logger(self) -> _ClearMLLogger:
        _record("clearml.Task.get_logger")
        return _ClearMLLogger()

    def connect_configuration(self, configuration: Any, *args: Any, **kwargs: Any) -> None:
        _record("clearml.Task.connect_configuration", configuration, *args, **kwargs)

    def upload_artifact(self, *args: Any, **kwargs: Any) -> None:
        _record("clearml.Task.upload_artifact", *args, **kwargs)

    def close(self) -> None:
        _record("clearml.Task.close")


def _modules() -> Dict[str, types.ModuleType]:
    base = fake_clients._modules()
    wandb = base["wandb"]
    wandb.config, wandb.run, wandb.log = _WandbConfig(), _WandbRun(), _wandb_log
    wandb.watch = _recorder("wandb.watch")
    mlflow = base["mlflow"]
    for name in ("set_tracking_uri", "set_tag", "log_artifact", "end_run"):
        setattr(mlflow, name, _recorder(f"mlflow.{name}"))
    mlflow.get_experiment_by_name, mlflow.create_experiment = _get_experiment_by_name, _create_experiment
    mlflow.log_text, mlflow.log_metrics, mlflow.log_metric = _log_text, _log_metrics, _log_metric
    neptune = base["neptune"]
    neptune.init_run = _neptune_init
    neptune_types = types.ModuleType("neptune.types")
    neptune_types.File = File
    neptune.types = neptune_types
    base["dvclive"].Live = _Live
    pygit2 = types.ModuleType("pygit2")
    pygit2.discover_repository = lambda path, *args: str(path)
    pygit2.Repository = _Repository
    base["clearml"].Task = Task
    return dict(base, **{"neptune.types": neptune_types, "pygit2": pygit2})


def install(modules: Dict[str, Any] = sys.modules) -> List[list]:
    """Put the recording clients into ``modules`` (``sys.modules``), clear and return :data:`CALLS`."""
    modules.update(_modules())
    _EXPERIMENTS.clear()
    GIT["signature"] = True
    CALLS.clear()
    return CALLS


def normalized(calls: List[list]) -> List[list]:
    """``calls`` as plain data with each run of artifact uploads sorted (folders are scanned in any order)."""
    out: List[list] = []
    run: List[list] = []
    for call in list(calls) + [None]:
        if call is not None and call[0] in _ARTIFACT_CALLS:
            run.append(call)
            continue
        out.extend(sorted(run, key=repr))
        run = []
        if call is not None:
            out.append(call)
    return out


__all__ = ["CALLS", "CLIENTS", "File", "GIT", "TIME_KEYS", "Task", "config_text", "install", "normalized"]
