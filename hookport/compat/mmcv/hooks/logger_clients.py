"""MMCV's logger hooks for external services; each imports its client when the run starts.

Listing them (``hookport hooks``) never needs the client; a run without it fails in
``before_run`` with a message naming the package to install.
"""
from __future__ import annotations

import importlib
import os
import os.path as osp
from typing import Any, List, Optional

from hookport.compat.mmcv.hooks.logger import LoggerHook
from hookport.errors import HookportError
from hookport.registry import MMCV_HOOKS


def import_client(hook: Any, module: str, package: str) -> Any:
    """Import ``module`` or fail with an install hint naming ``hook``."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise HookportError(f"{type(hook).__name__} needs the '{package}' package; install it with "
                            f"'pip install {package}' or remove the hook from log_config.hooks") from None


def _files_under(folder: str, suffix: Any) -> List[str]:
    """Files anywhere under ``folder`` whose name ends with ``suffix`` (a str or a tuple), sorted."""
    suffixes = (suffix,) if isinstance(suffix, str) else tuple(suffix)
    return sorted(osp.join(root, name) for root, _, names in os.walk(folder)
                  for name in names if name.endswith(suffixes))


@MMCV_HOOKS.register_module()
class TensorboardLoggerHook(LoggerHook):
    """Scalars to TensorBoard under ``log_dir`` (default ``work_dir/tf_logs``)."""

    def __init__(self, log_dir: Optional[str] = None, interval: int = 10, ignore_last: bool = True,
                 reset_flag: bool = False, by_epoch: bool = True):
        super().__init__(interval, ignore_last, reset_flag, by_epoch)
        self.log_dir = log_dir

    def before_run(self, runner) -> None:
        """Open the writer (rank 0)."""
        super().before_run(runner)
        import_client(self, "tensorboard", "tensorboard")
        from torch.utils.tensorboard import SummaryWriter

        self.log_dir = self.log_dir or osp.join(runner.work_dir, "tf_logs")
        self.writer = SummaryWriter(self.log_dir) if runner.rank == 0 else None

    def log(self, runner) -> None:
        """Text tags as text, numbers as scalars, at the global iteration."""
        if self.writer is None:
            return
        for tag, val in self.get_loggable_tags(runner, allow_text=True).items():
            if isinstance(val, str):
                self.writer.add_text(tag, val, self.get_iter(runner))
            else:
                self.writer.add_scalar(tag, val, self.get_iter(runner))

    def after_run(self, runner) -> None:
        """Close the writer."""
        if self.writer is not None:
            self.writer.close()


@MMCV_HOOKS.register_module()
class WandbLoggerHook(LoggerHook):
    """Scalars to Weights & Biases (``wandb.init(**init_kwargs)``)."""

    def __init__(self, init_kwargs: Optional[dict] = None, interval: int = 10, ignore_last: bool = True,
                 reset_flag: bool = False, commit: bool = True, by_epoch: bool = True, with_step: bool = True,
                 log_artifact: bool = True, out_suffix: Any = (".log.json", ".log", ".py"),
                 define_metric_cfg: Optional[dict] = None):
        super().__init__(interval, ignore_last, reset_flag, by_epoch)
        self.init_kwargs, self.commit, self.with_step = init_kwargs, commit, with_step
        self.log_artifact, self.out_suffix, self.define_metric_cfg = log_artifact, out_suffix, define_metric_cfg

    def before_run(self, runner) -> None:
        """Start the wandb run (rank 0)."""
        super().before_run(runner)
        self.wandb = import_client(self, "wandb", "wandb")
        if runner.rank == 0:
            self.wandb.init(**(self.init_kwargs or {}))
            for metric, summary in (self.define_metric_cfg or {}).items():
                self.wandb.define_metric(metric, summary=summary)

    def log(self, runner) -> None:
        """Log the tags (with the step, or with ``learning_rate`` as the step key)."""
        if runner.rank != 0:
            return
        tags = self.get_loggable_tags(runner)
        if not tags:
            return
        if self.with_step:
            self.wandb.log(tags, step=self.get_iter(runner), commit=self.commit)
        else:
            tags["global_step"] = self.get_iter(runner)
            self.wandb.log(tags, commit=self.commit)

    def after_run(self, runner) -> None:
        """Upload the log files as an artifact, then finish the run."""
        if runner.rank != 0:
            return
        if self.log_artifact:
            artifact = self.wandb.Artifact(name="artifacts", type="model")
            for path in _files_under(runner.work_dir, self.out_suffix):
                artifact.add_file(path)
            self.wandb.log_artifact(artifact)
        self.wandb.join()


@MMCV_HOOKS.register_module()
class MlflowLoggerHook(LoggerHook):
    """Scalars to MLflow (experiment ``exp_name``; the model is logged at the end with ``log_model``)."""

    def __init__(self, exp_name: Optional[str] = None, tags: Optional[dict] = None, params: Optional[dict] = None,
                 log_model: bool = True, interval: int = 10, ignore_last: bool = True, reset_flag: bool = False,
                 by_epoch: bool = True):
        super().__init__(interval, ignore_last, reset_flag, by_epoch)
        self.exp_name, self.tags, self.params, self.log_model = exp_name, tags, params, log_model

    def before_run(self, runner) -> None:
        """Set the experiment, tags and params (rank 0)."""
        super().before_run(runner)
        self.mlflow = import_client(self, "mlflow", "mlflow")
        if runner.rank != 0:
            return
        if self.exp_name is not None:
            self.mlflow.set_experiment(self.exp_name)
        if self.tags is not None:
            self.mlflow.set_tags(self.tags)
        if self.params is not None:
            self.mlflow.log_params(self.params)

    def log(self, runner) -> None:
        """Log the tags at the global iteration."""
        tags = self.get_loggable_tags(runner)
        if tags and runner.rank == 0:
            self.mlflow.log_metrics(tags, step=self.get_iter(runner))

    def after_run(self, runner) -> None:
        """Log the model (``mlflow.pytorch``)."""
        if self.log_model and runner.rank == 0:
            import torch

            # the torch requirement recorded with the model, as MMCV records it
            import_client(self, "mlflow.pytorch", "mlflow").log_model(
                runner.model, "models", pip_requirements=[f"torch=={torch.__version__}"])


@MMCV_HOOKS.register_module()
class NeptuneLoggerHook(LoggerHook):
    """Scalars to Neptune (``neptune.init_run(**init_kwargs)``)."""

    def __init__(self, init_kwargs: Optional[dict] = None, interval: int = 10, ignore_last: bool = True,
                 reset_flag: bool = True, with_step: bool = True, by_epoch: bool = True):
        super().__init__(interval, ignore_last, reset_flag, by_epoch)
        self.init_kwargs, self.with_step = init_kwargs, with_step

    def before_run(self, runner) -> None:
        """Start the Neptune run (rank 0)."""
        super().before_run(runner)
        neptune = import_client(self, "neptune", "neptune")
        init = getattr(neptune, "init_run", None) or getattr(neptune, "init")
        self.run = init(**(self.init_kwargs or {})) if runner.rank == 0 else None

    def log(self, runner) -> None:
        """Append each tag's value at the global iteration."""
        if self.run is None:
            return
        for tag, val in self.get_loggable_tags(runner).items():
            if self.with_step:
                self.run[tag].append(val, step=self.get_iter(runner))
            else:
                self.run[tag].append(val)

    def after_run(self, runner) -> None:
        """Stop the run."""
        if self.run is not None:
            self.run.stop()


@MMCV_HOOKS.register_module()
class DvcliveLoggerHook(LoggerHook):
    """Scalars to DVCLive (``Live(**kwargs)``); ``model_file`` is saved after each epoch.

    As in MMCV, ``by_epoch=True`` logs once per epoch (after the epoch and after validation)
    with the epoch as the step; ``by_epoch=False`` logs every ``interval`` iterations.
    """

    def __init__(self, model_file: Optional[str] = None, interval: int = 10, ignore_last: bool = True,
                 reset_flag: bool = False, by_epoch: bool = True, dvclive: Any = None, **kwargs: Any):
        super().__init__(interval, ignore_last, reset_flag, by_epoch)
        self.model_file, self.dvclive, self.kwargs = model_file, dvclive, kwargs

    def before_run(self, runner) -> None:
        """Create the Live object (rank 0)."""
        super().before_run(runner)
        if self.dvclive is None and runner.rank == 0:
            self.dvclive = import_client(self, "dvclive", "dvclive").Live(**self.kwargs)

    def log(self, runner) -> None:
        """Log each tag at the epoch (``by_epoch``) or the global iteration."""
        if runner.rank != 0 or self.dvclive is None:
            return
        tags = self.get_loggable_tags(runner)
        if not tags:
            return
        self.dvclive.step = self.get_epoch(runner) if self.by_epoch else self.get_iter(runner)
        for tag, val in tags.items():
            self.dvclive.log_metric(tag, val)

    def after_train_iter(self, runner) -> None:
        """Log during the epoch only when not logging by epoch (MMCV's DVCLive steps are epochs then)."""
        if not self.by_epoch:
            super().after_train_iter(runner)

    def after_train_epoch(self, runner) -> None:
        """Save the model to ``model_file``, then log the epoch (``by_epoch``)."""
        if self.model_file is not None and runner.rank == 0:  # MMCV wrote the same file from every rank
            runner.save_checkpoint(osp.dirname(self.model_file), filename_tmpl=osp.basename(self.model_file),
                                   create_symlink=False)
        if self.by_epoch:
            super().after_train_epoch(runner)


@MMCV_HOOKS.register_module()
class ClearMLLoggerHook(LoggerHook):
    """Scalars to ClearML (``Task.init(**init_kwargs)``), one series per tag at the global iteration."""

    def __init__(self, init_kwargs: Optional[dict] = None, interval: int = 10, ignore_last: bool = True,
                 reset_flag: bool = False, by_epoch: bool = True):
        super().__init__(interval, ignore_last, reset_flag, by_epoch)
        self.init_kwargs = init_kwargs
        self.task_logger = None

    def before_run(self, runner) -> None:
        """Start the ClearML task (rank 0)."""
        super().before_run(runner)
        clearml = import_client(self, "clearml", "clearml")
        if runner.rank == 0:
            self.task = clearml.Task.init(**(self.init_kwargs or {}))
            self.task_logger = self.task.get_logger()

    def log(self, runner) -> None:
        """Report each tag as its own title and series."""
        if self.task_logger is None:
            return
        for tag, val in self.get_loggable_tags(runner).items():
            self.task_logger.report_scalar(tag, tag, val, self.get_iter(runner))


@MMCV_HOOKS.register_module()
class SegmindLoggerHook(LoggerHook):
    """Scalars to Segmind's tracking (MLflow-based), stepped by epoch as MMCV did."""

    def before_run(self, runner) -> None:
        """Look up the client's logging functions."""
        super().before_run(runner)
        segmind = import_client(self, "segmind", "segmind")
        self.log_metrics = segmind.tracking.fluent.log_metrics
        self.mlflow_log = segmind.utils.logging_utils.try_mlflow_log

    def log(self, runner) -> None:
        """Log the tags with the epoch as both step and epoch (rank 0)."""
        tags = self.get_loggable_tags(runner)
        if tags and runner.rank == 0:
            self.mlflow_log(self.log_metrics, tags, step=runner.epoch, epoch=runner.epoch)
