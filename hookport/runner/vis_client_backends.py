"""MMEngine's vis backends for external services: Wandb, MLflow, Neptune, DVCLive and ClearML.

``hookport convert`` turns MMCV's client logger hooks into these backends; here they run. Each
behaves as MMEngine 0.10.7's (checked call by call against it, tests/runner/test_vis_client_backends.py):
the client is imported and started on first use (``add_config``, which the Runner calls when it is
built, or the first scalar), scalars go out at the LoggerHook's step, ``close`` (LoggerHook's
``after_run``) uploads the run's files and ends the client run. A missing client package is a
HookportError naming what to ``pip install``; building the backend never needs it.

Deliberate differences from MMEngine 0.10.7, where it fails: MLflow's ``close`` before any
``add_config`` (no work dir known) skips the artifact upload instead of raising AttributeError;
DVCLive's ``close`` skips a save_dir that was never created instead of raising FileNotFoundError;
MLflow's params of a config list mixing dicts and other values are logged (MMEngine raises
AttributeError) and a ``tracked_config_keys`` key missing from the config is a ConfigError
naming it (MMEngine raises a bare KeyError).
"""
from __future__ import annotations

import importlib
import os
import os.path as osp
import subprocess
from typing import Any, Dict, Iterator, Optional, Sequence, Tuple, Union

from hookport.errors import ConfigError, HookportError
from hookport.registry import VISBACKENDS
from hookport.runner.vis_backends import BaseVisBackend

Suffixes = Union[str, Sequence[str]]


def _config_dict(config: Any) -> dict:
    """The config as plain nested dicts (a hookport Config, a ConfigDict or a dict)."""
    to_dict = getattr(config, "to_dict", None)
    return to_dict() if callable(to_dict) else dict(config)


def _config_text(config: Any) -> str:
    text = getattr(config, "pretty_text", None)
    return text if isinstance(text, str) else repr(config)


def _files(folder: str, suffix: Suffixes, recursive: bool) -> Iterator[Tuple[str, str]]:
    """``(path, folder-relative directory)`` of the files under ``folder`` whose name ends with ``suffix``.

    Sorted, so uploads happen in the same order on every file system.
    """
    suffixes = (suffix,) if isinstance(suffix, str) else tuple(suffix)
    if not osp.isdir(folder):
        return
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        rel = osp.relpath(root, folder)
        for name in sorted(names):
            if name.endswith(suffixes):
                yield osp.join(root, name), "" if rel == "." else rel
        if not recursive:
            return


class ClientVisBackend(BaseVisBackend):
    """A backend whose client library is imported and started on first use.

    Subclasses name their client (``package``: what ``pip install`` needs) and implement
    :meth:`_start` (import, start a run, return the client object :attr:`experiment` exposes)
    and :meth:`_finish` (upload, end the run). ``close`` finishes a started client once: the
    runner closes its visualizer after LoggerHook already did; a later use starts a new run.
    """

    package = ""

    def __init__(self, save_dir: Optional[str] = None):
        super().__init__(save_dir)
        self._experiment: Any = None

    def _import(self, module: str) -> Any:
        """Import ``module`` or fail with an install hint naming this backend."""
        try:
            return importlib.import_module(module)
        except ImportError:
            raise HookportError(f"{type(self).__name__} needs the '{self.package}' package; install it with "
                                f"'pip install {self.package}' or remove it from visualizer.vis_backends") from None

    def _start(self) -> Any:
        raise NotImplementedError

    def _finish(self, client: Any) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the client run if one was started."""
        client, self._experiment = self._experiment, None
        if client is not None:
            self._finish(client)

    @property
    def experiment(self) -> Any:
        """The started client object (wandb module, mlflow module, neptune run, dvclive Live, ClearML task)."""
        return self._client()

    def _client(self) -> Any:
        """The client object, started on the first call (MMEngine's ``force_init_env``)."""
        if self._experiment is None:
            self._experiment = self._start()
        return self._experiment


@VISBACKENDS.register_module()
class WandbVisBackend(ClientVisBackend):
    """Scalars and config to Weights & Biases.

    Args:
        save_dir: wandb's ``dir`` unless ``init_kwargs`` names one.
        init_kwargs: ``wandb.init`` arguments.
        define_metric_cfg: ``{metric: summary}`` or a list of ``wandb.define_metric`` argument dicts.
        commit: ``wandb.log``'s ``commit``.
        log_code_name: name of the code artifact (``wandb.run.log_code``).
        watch_kwargs: ``wandb.watch`` arguments, used when a model graph is added.
    """

    package = "wandb"

    def __init__(self, save_dir: Optional[str] = None, init_kwargs: Optional[dict] = None,
                 define_metric_cfg: Union[dict, list, None] = None, commit: Optional[bool] = True,
                 log_code_name: Optional[str] = None, watch_kwargs: Optional[dict] = None):
        super().__init__(save_dir)
        self._init_kwargs, self._define_metric_cfg = init_kwargs, define_metric_cfg
        self._commit, self._log_code_name, self._watch_kwargs = commit, log_code_name, watch_kwargs or {}

    def _start(self) -> Any:
        wandb = self._import("wandb")
        kwargs = dict(self._init_kwargs or {})
        kwargs.setdefault("dir", self._save_dir)
        wandb.init(**kwargs)
        metrics = self._define_metric_cfg
        if isinstance(metrics, dict):
            for metric, summary in metrics.items():
                wandb.define_metric(metric, summary=summary)
        elif metrics is not None:
            for spec in metrics:
                wandb.define_metric(**spec)
        return wandb

    def add_config(self, config: Any, **kwargs) -> None:
        """The config into ``wandb.config``; the code under ``log_code_name``."""
        wandb = self.experiment
        wandb.config.update(_config_dict(config), allow_val_change=False)
        wandb.run.log_code(name=self._log_code_name)

    def add_graph(self, model: Any, data_batch: Any = None, **kwargs) -> None:
        """Watch ``model`` (``wandb.watch(model, **watch_kwargs)``)."""
        self.experiment.watch(model, **self._watch_kwargs)

    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs) -> None:
        """``wandb.log({name: value})`` (wandb keeps its own step, as in MMEngine)."""
        self.experiment.log({name: value}, commit=self._commit)

    def add_scalars(self, scalar_dict: dict, step: int = 0, file_path: Optional[str] = None, **kwargs) -> None:
        """``wandb.log(scalar_dict)``."""
        self.experiment.log(scalar_dict, commit=self._commit)

    def _finish(self, wandb: Any) -> None:
        """Finish the run (``wandb.join``)."""
        wandb.join()


@VISBACKENDS.register_module()
class MLflowVisBackend(ClientVisBackend):
    """Scalars, params and artifacts to MLflow.

    Args:
        save_dir: local tracking store (``file://<save_dir>``) unless ``tracking_uri`` is given.
        exp_name: experiment (created when missing; default ``'Default'``).
        run_name: the run's ``mlflow.runName`` tag.
        tags, params: logged when the run starts.
        tracking_uri: MLflow tracking URI.
        artifact_suffix: files under the work dir uploaded at ``close``.
        tracked_config_keys: top-level config keys logged as params (default: all).
        artifact_location: where a newly created experiment stores artifacts.
    """

    package = "mlflow"

    def __init__(self, save_dir: Optional[str] = None, exp_name: Optional[str] = None,
                 run_name: Optional[str] = None, tags: Optional[dict] = None, params: Optional[dict] = None,
                 tracking_uri: Optional[str] = None, artifact_suffix: Suffixes = (".json", ".log", ".py", "yaml"),
                 tracked_config_keys: Optional[dict] = None, artifact_location: Optional[str] = None):
        super().__init__(save_dir)
        self._exp_name = exp_name or "Default"
        self._run_name, self._tags, self._params = run_name, tags, params
        self._tracking_uri, self._artifact_suffix = tracking_uri, artifact_suffix
        self._tracked_config_keys, self._artifact_location = tracked_config_keys, artifact_location
        self._work_dir: Optional[str] = None

    def _start(self) -> Any:
        mlflow = self._import("mlflow")
        mlflow.set_tracking_uri(self._tracking_uri or "file://" + osp.abspath(self._save_dir or "."))
        if mlflow.get_experiment_by_name(self._exp_name) is None:
            mlflow.create_experiment(self._exp_name, artifact_location=self._artifact_location)
        mlflow.set_experiment(self._exp_name)
        if self._run_name is not None:
            mlflow.set_tag("mlflow.runName", self._run_name)
        if self._tags is not None:
            mlflow.set_tags(self._tags)
        if self._params is not None:
            mlflow.log_params(self._params)
        return mlflow

    def add_config(self, config: Any, **kwargs) -> None:
        """The (tracked part of the) config as flat params, its text as ``config.py``."""
        mlflow = self.experiment
        cfg = _config_dict(config)
        self._work_dir = cfg.get("work_dir")
        if self._tracked_config_keys is not None:
            # MMEngine selects whole top-level entries; the values of tracked_config_keys are not read
            missing = sorted(str(key) for key in self._tracked_config_keys if key not in cfg)
            if missing:
                raise ConfigError(f"MLflowVisBackend: tracked_config_keys {missing} are not in the config")
            cfg = {key: cfg[key] for key in self._tracked_config_keys}
        mlflow.log_params(flatten_params(cfg))
        mlflow.log_text(_config_text(config), "config.py")

    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs) -> None:
        """``mlflow.log_metric(name, value, step)``."""
        self.experiment.log_metric(name, value, step)

    def add_scalars(self, scalar_dict: dict, step: int = 0, file_path: Optional[str] = None, **kwargs) -> None:
        """``mlflow.log_metrics(scalar_dict, step)``."""
        self.experiment.log_metrics(scalar_dict, step)

    def _finish(self, mlflow: Any) -> None:
        """Upload the work dir's files with ``artifact_suffix`` (at their relative folder), end the run."""
        if self._work_dir is not None:
            for path, rel in _files(self._work_dir, self._artifact_suffix, recursive=True):
                mlflow.log_artifact(path, rel)
        mlflow.end_run()


def flatten_params(cfg: dict, prefix: str = "") -> Dict[str, Any]:
    """MLflow params: nested dicts joined with ``.``; lists holding a dict indexed (``a.0.b``).

    Other lists and tuples stay values, empty dicts vanish (what MMEngine 0.10.7 logs). A list
    mixing dicts and other values, where MMEngine stops with AttributeError, gets its other
    values at their index.
    """
    flat: Dict[str, Any] = {}
    for key, value in cfg.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_params(value, name + "."))
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            flat.update(flatten_params({str(i): item for i, item in enumerate(value)}, name + "."))
        else:
            flat[name] = value
    return flat


@VISBACKENDS.register_module()
class NeptuneVisBackend(ClientVisBackend):
    """Scalars and config to a neptune.ai run.

    Args:
        save_dir: unused by neptune (kept for the common signature).
        init_kwargs: ``neptune.init_run`` arguments (default: an offline run).
    """

    package = "neptune"

    def __init__(self, save_dir: Optional[str] = None, init_kwargs: Optional[dict] = None):
        super().__init__(save_dir)
        self._init_kwargs = init_kwargs

    def _start(self) -> Any:
        neptune = self._import("neptune")
        # no arguments at all means "no project": offline, as in MMEngine
        kwargs = dict(mode="offline") if self._init_kwargs is None else dict(self._init_kwargs)
        return neptune.init_run(**kwargs)

    def add_config(self, config: Any, **kwargs) -> None:
        """Upload the config text as ``run['config']``."""
        run = self.experiment
        run["config"].upload(self._import("neptune.types").File.from_content(_config_text(config)))

    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs) -> None:
        """``run[name].append(value, step=step)``."""
        self.experiment[name].append(value, step=step)

    def add_scalars(self, scalar_dict: dict, step: int = 0, file_path: Optional[str] = None, **kwargs) -> None:
        """Append each scalar at ``step``."""
        run = self.experiment
        for name, value in scalar_dict.items():
            run[name].append(value, step=step)

    def _finish(self, run: Any) -> None:
        """Stop the run."""
        run.stop()


@VISBACKENDS.register_module()
class DVCLiveVisBackend(ClientVisBackend):
    """Scalars, params and artifacts to DVCLive.

    Args:
        save_dir: DVCLive's ``dir`` unless ``init_kwargs`` names one.
        artifact_suffix: files under ``save_dir`` logged as artifacts at ``close``.
        init_kwargs: ``dvclive.Live`` arguments (``save_dvc_exp`` and ``cache_images`` default to True).
    """

    package = "dvclive"

    def __init__(self, save_dir: Optional[str] = None, artifact_suffix: Suffixes = (".json", ".py", "yaml"),
                 init_kwargs: Optional[dict] = None):
        super().__init__(save_dir)
        self._artifact_suffix, self._init_kwargs = artifact_suffix, init_kwargs

    def _start(self) -> Any:
        pygit2 = self._import("pygit2")  # installed with dvclive (through dvc's scmrepo)
        live_cls = self._import("dvclive").Live
        try:
            pygit2.Repository(pygit2.discover_repository(os.curdir, True, "")).default_signature
        except KeyError:
            # No git user configured: DVC without git, or Live fails on its SCM (MMEngine does the same,
            # through the shell, and goes on whatever the command did).
            try:
                subprocess.run(["dvc", "init", "-f", "--no-scm"], check=False)
            except OSError:
                pass  # no dvc executable: Live reports the problem itself
        kwargs = dict(self._init_kwargs or {})
        kwargs.setdefault("dir", self._save_dir)
        kwargs.setdefault("save_dvc_exp", True)
        kwargs.setdefault("cache_images", True)
        return live_cls(**kwargs)

    def add_config(self, config: Any, **kwargs) -> None:
        """The config as DVC params (tuples as lists, numpy values as Python numbers)."""
        self.experiment.log_params(dvc_paramlike(_config_dict(config)))

    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs) -> None:
        """Set the step, then ``log_metric``."""
        live = self.experiment
        live.step = step
        live.log_metric(name, value)

    def add_scalars(self, scalar_dict: dict, step: int = 0, file_path: Optional[str] = None, **kwargs) -> None:
        """Each scalar at ``step``."""
        for name, value in scalar_dict.items():
            self.add_scalar(name, value, step)

    def _finish(self, live: Any) -> None:
        """Log the files under ``save_dir`` with ``artifact_suffix``, end the run."""
        for path, rel in _files(self._save_dir or ".", self._artifact_suffix, recursive=True):
            live.log_artifact(path, rel)
        live.end()


def dvc_paramlike(value: Any) -> Any:
    """``value`` with tuples as lists and numpy scalars/arrays as Python numbers/lists."""
    if isinstance(value, dict):
        return {key: dvc_paramlike(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [dvc_paramlike(item) for item in value]
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return value.tolist()
    return value


@VISBACKENDS.register_module()
class ClearMLVisBackend(ClientVisBackend):
    """Scalars, config and artifacts to a ClearML task.

    Args:
        save_dir: unused by ClearML (kept for the common signature).
        init_kwargs: ``clearml.Task.init`` arguments.
        artifact_suffix: files directly in the work dir uploaded at ``close``.
    """

    package = "clearml"

    def __init__(self, save_dir: Optional[str] = None, init_kwargs: Optional[dict] = None,
                 artifact_suffix: Suffixes = (".py", ".pth")):
        super().__init__(save_dir)
        self._init_kwargs, self._artifact_suffix = init_kwargs, artifact_suffix
        self._logger: Any = None
        self._work_dir: Optional[str] = None

    def _start(self) -> Any:
        task = self._import("clearml").Task.init(**(self._init_kwargs or {}))
        self._logger = task.get_logger()
        return task

    def add_config(self, config: Any, **kwargs) -> None:
        """Connect the config to the task."""
        task = self.experiment
        cfg = _config_dict(config)
        self._work_dir = cfg.get("work_dir")
        task.connect_configuration(cfg)

    def add_scalar(self, name: str, value: Any, step: int = 0, **kwargs) -> None:
        """``report_scalar`` with the name as title and series."""
        self._client()  # starting the task creates its logger
        self._logger.report_scalar(title=name, series=name, value=value, iteration=step)

    def add_scalars(self, scalar_dict: dict, step: int = 0, file_path: Optional[str] = None, **kwargs) -> None:
        """Each scalar at ``step``."""
        for name, value in scalar_dict.items():
            self.add_scalar(name, value, step)

    def _finish(self, task: Any) -> None:
        """Upload the work dir's files with ``artifact_suffix`` (not its subfolders), close the task."""
        if self._work_dir is not None:
            for path, _ in _files(self._work_dir, self._artifact_suffix, recursive=False):
                task.upload_artifact(osp.basename(path), path)
        task.close()


__all__ = ["ClearMLVisBackend", "ClientVisBackend", "DVCLiveVisBackend", "MLflowVisBackend", "NeptuneVisBackend",
           "WandbVisBackend", "dvc_paramlike", "flatten_params"]
