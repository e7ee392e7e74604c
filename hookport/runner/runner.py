"""The canonical :class:`Runner` (MMEngine 0.10.7's constructor, attributes and flow).

The runner wires the pieces together and owns the run's state; the pieces live
elsewhere: loops (:mod:`.loops`), dispatch (:mod:`.dispatch`), checkpoint files
(:mod:`.checkpoint`), dataloaders (:mod:`.data`), model protocols (:mod:`.model`),
distributed helpers (:mod:`.dist`) and the dialect that picks default hooks and
priorities (:mod:`.dialect`).

Work dir layout (MMEngine's): ``<work_dir>/<timestamp>/<timestamp>.log``,
``<work_dir>/<timestamp>/vis_data/scalars.json``, the dumped config in
``<work_dir>``, checkpoints and ``last_checkpoint`` where CheckpointHook puts them.
"""
from __future__ import annotations

import copy
import os
import os.path as osp
import time
from typing import Any, Dict, List, Optional, Sequence, Union

import torch
from torch import nn

import hookport
from hookport.errors import ConfigError, HookportError
from hookport.hooks.hook import STAGE_ARGS
from hookport.registry import LOG_PROCESSORS, LOOPS, MODELS, apply_custom_imports
from hookport.runner import checkpoint as ckpt
from hookport.runner import dist
from hookport.runner.data import build_dataloader
from hookport.runner.dispatch import HookTable
from hookport.runner.logger import build_logger
from hookport.runner.loops import BaseLoop, EpochBasedTrainLoop, IterBasedTrainLoop, TestLoop, ValLoop
from hookport.runner.message_hub import MessageHub
from hookport.runner.model import MMDistributedDataParallel, unwrap
from hookport.runner.randomness import get_rng_state, set_random_seed, set_rng_state
from hookport.runner.vis_backends import build_visualizer

_RUNNER_KEYS = (
    "train_dataloader", "val_dataloader", "test_dataloader", "train_cfg", "val_cfg", "test_cfg",
    "auto_scale_lr", "optim_wrapper", "param_scheduler", "val_evaluator", "test_evaluator", "default_hooks",
    "custom_hooks", "data_preprocessor", "load_from", "resume", "launcher", "env_cfg", "log_processor",
    "log_level", "visualizer", "default_scope", "randomness", "experiment_name",
)


def _copy_config(value: Any) -> Any:
    """Copy the containers of a config; objects in it (datasets, hooks, functions) stay shared."""
    if isinstance(value, dict):
        return type(value)((k, _copy_config(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_copy_config(v) for v in value)
    return value


def _cfg_get(cfg: Any, key: str, default: Any = None) -> Any:
    return cfg[key] if key in cfg else default


def _loop_cfg(key: str, loop: Any) -> dict:
    """A copy of a loop config, which must be a dict."""
    if not isinstance(loop, dict):
        raise ConfigError(f"{key} must be a dict, got {loop!r}")
    return dict(loop)


def _check_group(kind: str, **parts: Any) -> None:
    """MMEngine's rule: a phase's dataloader, loop config and optimizer/evaluator come together."""
    given = [name for name, value in parts.items() if value is not None]
    if given and len(given) != len(parts):
        missing = [name for name in parts if name not in given]
        raise ConfigError(f"{', '.join(parts)} must be all set or all None for {kind}; "
                          f"missing {', '.join(missing)}")


class Runner:
    """Train, validate and test a model through hooks (see the module docstring).

    The arguments are MMEngine's ``Runner`` arguments; ``dialect`` (a name or a
    :class:`~hookport.runner.dialect.Dialect`) picks the priority scheme and the default
    hooks (MMEngine's when None).
    """

    def __init__(self, model: Union[nn.Module, dict], work_dir: str,
                 train_dataloader: Any = None, val_dataloader: Any = None, test_dataloader: Any = None,
                 train_cfg: Optional[dict] = None, val_cfg: Optional[dict] = None, test_cfg: Optional[dict] = None,
                 auto_scale_lr: Optional[dict] = None, optim_wrapper: Any = None, param_scheduler: Any = None,
                 val_evaluator: Any = None, test_evaluator: Any = None, default_hooks: Optional[dict] = None,
                 custom_hooks: Optional[Sequence[Any]] = None, data_preprocessor: Optional[dict] = None,
                 load_from: Optional[str] = None, resume: Union[bool, str] = False, launcher: str = "none",
                 env_cfg: Optional[dict] = None, log_processor: Optional[dict] = None, log_level: str = "INFO",
                 visualizer: Any = None, default_scope: str = "mmengine", randomness: Optional[dict] = None,
                 experiment_name: Optional[str] = None, cfg: Any = None, dialect: Any = None):
        if dialect is None or isinstance(dialect, str):
            from hookport.runner.dialect import DIALECTS

            dialect = DIALECTS.get(dialect or "mmengine")
        self.dialect = dialect
        self._work_dir = osp.abspath(work_dir)
        self.cfg = cfg
        _check_group("training", train_dataloader=train_dataloader, train_cfg=train_cfg, optim_wrapper=optim_wrapper)
        _check_group("validation", val_dataloader=val_dataloader, val_cfg=val_cfg, val_evaluator=val_evaluator)
        _check_group("testing", test_dataloader=test_dataloader, test_cfg=test_cfg, test_evaluator=test_evaluator)
        self._train_dataloader, self._train_loop = train_dataloader, train_cfg
        self._val_dataloader, self._val_evaluator, self._val_loop = val_dataloader, val_evaluator, val_cfg
        self._test_dataloader, self._test_evaluator, self._test_loop = test_dataloader, test_evaluator, test_cfg
        self.optim_wrapper = optim_wrapper
        self.auto_scale_lr = auto_scale_lr
        # Built in train(); until then hooks see None, never a raw config.
        self._param_scheduler_cfg = param_scheduler
        self.param_schedulers: Any = None
        self._load_from = load_from
        self._resume = resume
        self.default_scope = default_scope

        self._launcher = launcher
        self._setup_env(env_cfg or {})
        self.rank, self.world_size = dist.get_dist_info()
        self.timestamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(dist.broadcast_object(time.time())))
        self._set_randomness(randomness)
        self._setup_logging(experiment_name, log_level, visualizer, log_processor)

        if isinstance(model, dict) and data_preprocessor is not None:
            model = dict(model)
            model.setdefault("data_preprocessor", data_preprocessor)
        self.model = self.wrap_model(_cfg_get(cfg, "model_wrapper_cfg") if cfg is not None else None,
                                     self.build_model(model))

        self.hook_table = HookTable(dialect.scheme, dialect.stages)
        dialect.register_hooks(self, default_hooks, custom_hooks)
        self.dump_config()
        self.logger.info("hookport %s, torch %s, seed %s, world size %d", hookport.__version__,
                         torch.__version__, self.seed, self.world_size)
        self.logger.info("Hooks will be executed in the following order:\n%s", self.get_hooks_info())

    # -- construction ------------------------------------------------------
    @classmethod
    def from_cfg(cls, cfg: Any, dialect: Any = None) -> "Runner":
        """Build a runner from a config (a dict or :class:`hookport.config.Config`) with MMEngine's keys."""
        for key in ("model", "work_dir"):
            if key not in cfg:
                raise ConfigError(f"the config has no {key!r}", file=getattr(cfg, "filename", None))
        apply_custom_imports(cfg)
        # A Config holds plain data (deep copy); a dict may hold objects, shared as given.
        cfg = _copy_config(cfg) if isinstance(cfg, dict) else copy.deepcopy(cfg)
        kwargs = {key: cfg[key] for key in _RUNNER_KEYS if key in cfg}
        kwargs.setdefault("randomness", {"seed": None})
        return cls(model=cfg["model"], work_dir=cfg["work_dir"], cfg=cfg, dialect=dialect, **kwargs)

    def _setup_env(self, env_cfg: dict) -> None:
        """Process-group set-up for ``launcher`` (gloo on CPU even if the config asks for nccl)."""
        if env_cfg.get("cudnn_benchmark"):
            torch.backends.cudnn.benchmark = True
        if self._launcher == "none":
            self.distributed = dist.is_distributed()
            return
        backend = dict(env_cfg.get("dist_cfg") or {}).get("backend")
        if backend == "nccl" and not torch.cuda.is_available():
            backend = "gloo"  # MMEngine 0.10.7 fails here on CPU-only machines
        dist.init_dist(self._launcher, backend)
        self.distributed = True

    def _set_randomness(self, randomness: Optional[dict]) -> None:
        """Seed everything before the model is built (so its initialisation is reproducible)."""
        self._randomness_cfg = dict(randomness or {})
        unknown = set(self._randomness_cfg) - {"seed", "deterministic", "diff_rank_seed"}
        if unknown:
            raise ConfigError(f"randomness: unknown keys {sorted(unknown)}; expected seed, deterministic, "
                              f"diff_rank_seed")
        self.seed = set_random_seed(**self._randomness_cfg)
        self._randomness_cfg["seed"] = self.seed

    def _setup_logging(self, experiment_name: Optional[str], log_level: str, visualizer: Any,
                       log_processor: Optional[dict]) -> None:
        """Experiment name, ``<work_dir>/<timestamp>/`` with the log file, message hub, visualizer."""
        filename = getattr(self.cfg, "filename", None)
        if experiment_name is not None:
            self.experiment_name = f"{experiment_name}_{self.timestamp}"
        elif filename:
            self.experiment_name = f"{osp.splitext(osp.basename(filename))[0]}_{self.timestamp}"
        else:
            self.experiment_name = self.timestamp
        self.log_dir = osp.join(self._work_dir, self.timestamp)
        if self.rank == 0:
            os.makedirs(self.log_dir, exist_ok=True)
        self.logger = build_logger("hookport", osp.join(self.log_dir, f"{self.timestamp}.log"), log_level, self.rank)
        # A fresh hub per runner: two runners started in the same second share an experiment name,
        # and reusing that hub would carry one run's best score / kept checkpoints into the next.
        self.message_hub = MessageHub(self.experiment_name)
        self.visualizer = build_visualizer(visualizer, save_dir=osp.join(self.log_dir, "vis_data"))
        if self.cfg is not None:
            self.visualizer.add_config(self.cfg)
        lp_cfg = dict(log_processor or {})
        lp_cfg.setdefault("type", "LogProcessor")
        self.log_processor = LOG_PROCESSORS.build(lp_cfg)

    def build_model(self, model: Union[nn.Module, dict]) -> nn.Module:
        """A model instance from a module or a MODELS config."""
        if isinstance(model, nn.Module):
            return model
        if isinstance(model, dict):
            built = MODELS.build(model)
            if not isinstance(built, nn.Module):
                raise ConfigError(f"model {model.get('type')!r} did not build an nn.Module")
            return built
        raise ConfigError(f"model must be an nn.Module or a dict(type=...), got {type(model).__name__}")

    def wrap_model(self, wrapper_cfg: Optional[dict], model: nn.Module) -> nn.Module:
        """Move ``model`` to this process's device and wrap it in DDP when distributed."""
        device = torch.device(f"cuda:{torch.cuda.current_device()}" if torch.cuda.is_available() else "cpu")
        model = model.to(device)
        if not self.distributed:
            return model
        kwargs = dict(broadcast_buffers=False, find_unused_parameters=False)
        kwargs.update({k: v for k, v in (wrapper_cfg or {}).items() if k != "type"})
        if device.type == "cuda":
            kwargs.setdefault("device_ids", [device.index])
        return MMDistributedDataParallel(model, **kwargs)

    def build_dataloader(self, dataloader: Any) -> Any:
        """A dataloader from a config (with this run's seed) or as given."""
        return build_dataloader(dataloader, seed=self.seed, rank=self.rank,
                                diff_rank_seed=self._randomness_cfg.get("diff_rank_seed", False))

    def build_optim_wrapper(self, optim_wrapper: Any) -> Any:
        """An optimizer wrapper from its config, wired to the message hub."""
        from hookport.optim.constructor import build_optim_wrapper

        wrapper = build_optim_wrapper(self.model, optim_wrapper)
        if hasattr(wrapper, "message_hub"):
            wrapper.message_hub = self.message_hub
        return wrapper

    def build_param_scheduler(self, schedulers: Any) -> Any:
        """Parameter schedulers from configs (default ``end``: the train loop's length)."""
        from hookport.optim.scheduler import build_param_schedulers

        return build_param_schedulers(schedulers, self.optim_wrapper, len(self.train_dataloader),
                                      max_epochs=self.max_epochs, max_iters=self.max_iters)

    def build_train_loop(self, loop: Any) -> BaseLoop:
        """The train loop from ``train_cfg``: ``type=...`` or ``by_epoch=True|False``."""
        if isinstance(loop, BaseLoop):
            return loop
        cfg = _loop_cfg("train_cfg", loop)
        if "type" in cfg and "by_epoch" in cfg:
            raise ConfigError("train_cfg: give either 'type' or 'by_epoch', not both")
        dataloader = self._build_loader("train_dataloader", self._train_dataloader)
        if "type" in cfg:
            return LOOPS.build(cfg, default_args={"runner": self, "dataloader": dataloader})
        by_epoch = cfg.pop("by_epoch", True)
        loop_cls = EpochBasedTrainLoop if by_epoch else IterBasedTrainLoop
        try:
            return loop_cls(runner=self, dataloader=dataloader, **cfg)
        except (TypeError, ConfigError) as err:  # name the key: the loop only knows its own arguments
            raise ConfigError(f"train_cfg: {getattr(err, 'message', err)}") from None

    def _build_eval_loop(self, loop: Any, default_cls: type, dataloader: Any, evaluator: Any) -> BaseLoop:
        if isinstance(loop, BaseLoop):
            return loop
        cfg = _loop_cfg(f"{default_cls.mode}_cfg", loop)
        dataloader = self._build_loader(f"{default_cls.mode}_dataloader", dataloader)
        if "type" in cfg:
            return LOOPS.build(cfg, default_args={"runner": self, "dataloader": dataloader, "evaluator": evaluator})
        try:
            return default_cls(runner=self, dataloader=dataloader, evaluator=evaluator, **cfg)
        except (TypeError, ConfigError) as err:
            raise ConfigError(f"{default_cls.mode}_cfg: {getattr(err, 'message', err)}") from None

    def _build_loader(self, key: str, dataloader: Any) -> Any:
        """:meth:`build_dataloader`, with errors naming the config key (the loop's own errors name its cfg)."""
        try:
            return self.build_dataloader(dataloader)
        except HookportError as err:
            raise ConfigError(f"{key}: {err.message}", err.file, err.line) from None

    def build_val_loop(self, loop: Any) -> BaseLoop:
        """The validation loop from ``val_cfg``."""
        return self._build_eval_loop(loop, ValLoop, self._val_dataloader, self._val_evaluator)

    def build_test_loop(self, loop: Any) -> BaseLoop:
        """The test loop from ``test_cfg``."""
        return self._build_eval_loop(loop, TestLoop, self._test_dataloader, self._test_evaluator)

    # -- loops and counters --------------------------------------------------
    @property
    def train_loop(self) -> Optional[BaseLoop]:
        """The train loop (built on first access)."""
        if self._train_loop is not None and not isinstance(self._train_loop, BaseLoop):
            self._train_loop = self.build_train_loop(self._train_loop)
        return self._train_loop

    @property
    def val_loop(self) -> Optional[BaseLoop]:
        """The validation loop (built on first access)."""
        if self._val_loop is not None and not isinstance(self._val_loop, BaseLoop):
            self._val_loop = self.build_val_loop(self._val_loop)
        return self._val_loop

    @property
    def test_loop(self) -> Optional[BaseLoop]:
        """The test loop (built on first access)."""
        if self._test_loop is not None and not isinstance(self._test_loop, BaseLoop):
            self._test_loop = self.build_test_loop(self._test_loop)
        return self._test_loop

    def _train_counter(self, name: str) -> int:
        loop = self._train_loop
        if not isinstance(loop, BaseLoop):  # not built yet, or no training configured
            loop = self.train_loop
            if loop is None:
                return 0
        return getattr(loop, name)

    @property
    def epoch(self) -> int:
        """Completed training epochs (0 without a train loop)."""
        loop = self._train_loop  # read by several hooks every iteration: the built loop without a call
        return loop.epoch if isinstance(loop, BaseLoop) else self._train_counter("epoch")

    @property
    def iter(self) -> int:
        """Completed training iterations (0 without a train loop)."""
        loop = self._train_loop  # read by several hooks every iteration: the built loop without a call
        return loop.iter if isinstance(loop, BaseLoop) else self._train_counter("iter")

    @property
    def max_epochs(self) -> int:
        """The train loop's epochs (0 without a train loop)."""
        loop = self._train_loop  # read by several hooks every iteration: the built loop without a call
        return loop.max_epochs if isinstance(loop, BaseLoop) else self._train_counter("max_epochs")

    @property
    def max_iters(self) -> int:
        """The train loop's iterations (0 without a train loop)."""
        loop = self._train_loop  # read by several hooks every iteration: the built loop without a call
        return loop.max_iters if isinstance(loop, BaseLoop) else self._train_counter("max_iters")

    @property
    def train_dataloader(self) -> Any:
        """The train loop's dataloader."""
        loop = self._train_loop
        return (loop if isinstance(loop, BaseLoop) else self.train_loop).dataloader

    @property
    def val_dataloader(self) -> Any:
        """The validation loop's dataloader."""
        return self.val_loop.dataloader

    @property
    def test_dataloader(self) -> Any:
        """The test loop's dataloader."""
        return self.test_loop.dataloader

    @property
    def val_evaluator(self) -> Any:
        """The validation loop's evaluator."""
        return self.val_loop.evaluator

    @property
    def test_evaluator(self) -> Any:
        """The test loop's evaluator."""
        return self.test_loop.evaluator

    @property
    def work_dir(self) -> str:
        """The run's work directory (absolute)."""
        return self._work_dir

    @property
    def launcher(self) -> str:
        """``'none'`` or ``'pytorch'``."""
        return self._launcher

    @property
    def hooks(self) -> List[Any]:
        """Registered hooks in dispatch order."""
        return self.hook_table.hooks

    # -- hooks ---------------------------------------------------------------
    def register_hook(self, hook: Any, priority: Any = None) -> None:
        """Register a hook instance or ``dict(type=..., priority=..., **kwargs)``.

        The priority is, in order: ``priority``, the config's ``priority`` key, the hook's
        class attribute (MMEngine's rule).
        """
        from hookport.runner.dialect_mmengine import build_hook

        built, cfg_priority = build_hook(hook, self.hook_table.scheme)
        self.hook_table.register(built, priority if priority is not None else cfg_priority)

    def call_hook(self, stage: str, *args: Any, **kwargs: Any) -> None:
        """Call every hook acting at ``stage``; keyword arguments are accepted in MMEngine's names."""
        if kwargs:
            names = STAGE_ARGS[stage]
            unknown = set(kwargs) - set(names)
            if unknown:
                raise TypeError(f"{stage} got unexpected arguments {sorted(unknown)}; it takes {names}")
            args = args + tuple(kwargs.get(name) for name in names[len(args):])
        for fn in self.hook_table.calls(stage):
            fn(self, *args)

    def get_hooks_info(self) -> str:
        """Hooks per mount point with their priorities (MMEngine's ``get_hooks_info`` layout)."""
        return self.hook_table.info()

    # -- the three entry points -------------------------------------------
    def train(self) -> nn.Module:
        """Build the train (and val) loop, optimizer and schedulers, resume if asked, train."""
        if self._train_loop is None:
            raise ConfigError("cannot train: train_dataloader, train_cfg and optim_wrapper are not set")
        loop = self.train_loop
        self.optim_wrapper = self.build_optim_wrapper(self.optim_wrapper)
        self.scale_lr()
        if self._param_scheduler_cfg is not None and self.param_schedulers is None:
            self.param_schedulers = self.build_param_scheduler(self._param_scheduler_cfg)
        _ = self.val_loop  # built now, as MMEngine does, so hooks see it in before_run
        self.call_hook("before_run")
        init_weights = getattr(unwrap(self.model), "init_weights", None)
        if callable(init_weights):
            init_weights()
        self.load_or_resume()
        self.optim_wrapper.initialize_count_status(unwrap(self.model), loop.iter, loop.max_iters)
        model = loop.run()
        self.call_hook("after_run")
        return model

    def val(self) -> Dict[str, Any]:
        """Run the validation loop once and return its metrics."""
        if self._val_loop is None:
            raise ConfigError("cannot validate: val_dataloader, val_cfg and val_evaluator are not set")
        loop = self.val_loop
        self.call_hook("before_run")
        self.load_or_resume()
        metrics = loop.run()
        self.call_hook("after_run")
        return metrics

    def test(self) -> Dict[str, Any]:
        """Run the test loop once and return its metrics."""
        if self._test_loop is None:
            raise ConfigError("cannot test: test_dataloader, test_cfg and test_evaluator are not set")
        loop = self.test_loop
        self.call_hook("before_run")
        self.load_or_resume()
        metrics = loop.run()
        self.call_hook("after_run")
        return metrics

    def scale_lr(self) -> None:
        """``auto_scale_lr=dict(enable=True, base_batch_size=N)``: scale every group's lr linearly."""
        cfg = self.auto_scale_lr
        if not cfg or not cfg.get("enable", False):
            return
        if "base_batch_size" not in cfg:
            raise ConfigError("auto_scale_lr needs 'base_batch_size'")
        real = self.world_size * self.train_dataloader.batch_size
        ratio = real / cfg["base_batch_size"]
        self.logger.info("LR is scaled by %s (batch size %d vs base %d)", ratio, real, cfg["base_batch_size"])
        groups = self.optim_wrapper.param_groups
        for group in [g for gs in groups.values() for g in gs] if isinstance(groups, dict) else groups:
            group["lr"] = group["lr"] * ratio  # every optimizer of an OptimWrapperDict

    # -- checkpoints -------------------------------------------------------
    def load_or_resume(self) -> None:
        """Resume (``resume=True``: the newest checkpoint of ``work_dir``; a path: that one) or load weights."""
        if getattr(self, "_has_loaded", False):
            return
        resume_from = None
        if self._resume and self._load_from is None:
            resume_from = self._resume if isinstance(self._resume, str) else ckpt.find_latest_checkpoint(self.work_dir)
        elif self._resume:
            resume_from = self._load_from
        if resume_from:
            self.resume(resume_from)
        elif self._load_from:
            self.load_checkpoint(self._load_from)
        self._has_loaded = True

    def load_checkpoint(self, filename: str, map_location: Any = "cpu", strict: bool = False) -> dict:
        """Load model weights from ``filename`` (optimizer and counters untouched).

        ``after_load_checkpoint`` runs before the weights are copied into the model, as in
        MMEngine, so a hook may rewrite the checkpoint (EMAHook swaps in its weights).
        """
        checkpoint = ckpt.load_checkpoint_file(filename, map_location)
        self.call_hook("after_load_checkpoint", checkpoint)
        state = ckpt.strip_prefix(ckpt.state_dict_from_checkpoint(checkpoint))
        result = unwrap(self.model).load_state_dict(state, strict=strict)
        if result.missing_keys or result.unexpected_keys:
            self.logger.warning("loading %s: missing keys %s, unexpected keys %s", filename,
                                result.missing_keys, result.unexpected_keys)
        self._has_loaded = True
        self.logger.info("Load checkpoint from %s", filename)
        return checkpoint

    def resume(self, filename: str, resume_optimizer: bool = True, resume_param_scheduler: bool = True,
               map_location: Any = "cpu") -> None:
        """Restore model, counters, seed, message hub, optimizer and schedulers from ``filename``."""
        checkpoint = self.load_checkpoint(filename, map_location)
        meta = checkpoint.get("meta", {})
        loop = self.train_loop
        if loop is not None:
            loop._epoch = meta.get("epoch", 0)
            loop._iter = meta.get("iter", 0)
        resumed_seed = meta.get("seed")
        if resumed_seed is not None and resumed_seed != self.seed:
            self.logger.warning("the checkpoint was trained with seed %s; using it instead of %s",
                                resumed_seed, self.seed)
            self._randomness_cfg["seed"] = resumed_seed
            self.seed = set_random_seed(**self._randomness_cfg)
        if "message_hub" in checkpoint:
            self.message_hub.load_state_dict(checkpoint["message_hub"])
        if resume_optimizer and "optimizer" in checkpoint and hasattr(self.optim_wrapper, "load_state_dict"):
            self.optim_wrapper.load_state_dict(checkpoint["optimizer"])
        if resume_param_scheduler and "param_schedulers" in checkpoint and self.param_schedulers:
            self._load_scheduler_states(checkpoint["param_schedulers"])
        # Restored by the train loop right before its first iteration (see restore_rng_state).
        self._pending_rng_state = checkpoint.get("rng_state")
        self.logger.info("resumed from %s: epoch %s, iter %s", filename, self.epoch, self.iter)

    def restore_rng_state(self) -> None:
        """Restore the random generators saved with the checkpoint this run resumed from (once).

        Train loops call it right before their first iteration, after skipping already-trained
        batches, so the resumed run draws the same random numbers (dropout, augmentation in the
        main process) as the uninterrupted run did after saving that checkpoint.
        """
        state = getattr(self, "_pending_rng_state", None)
        if state is not None:
            set_rng_state(state)
            self._pending_rng_state = None

    def _load_scheduler_states(self, states: Any) -> None:
        if isinstance(self.param_schedulers, dict):
            for name, schedulers in self.param_schedulers.items():
                for scheduler, state in zip(schedulers, states[name]):
                    scheduler.load_state_dict(state)
            return
        if len(states) != len(self.param_schedulers):
            raise HookportError(f"the checkpoint has {len(states)} parameter schedulers, "
                                f"the config {len(self.param_schedulers)}")
        for scheduler, state in zip(self.param_schedulers, states):
            scheduler.load_state_dict(state)

    def save_checkpoint(self, out_dir: str, filename: str, save_optimizer: bool = True,
                        save_param_scheduler: bool = True, meta: Optional[dict] = None, by_epoch: bool = True,
                        **_ignored: Any) -> Optional[str]:
        """Write ``<out_dir>/<filename>`` atomically; a no-op returning None except on rank 0.

        As in MMEngine, CheckpointHook (not this method) updates ``<work_dir>/last_checkpoint``
        for its periodic checkpoints, so a best-checkpoint save never becomes the resume point.

        ``meta`` gets ``epoch``/``iter`` unless the caller gave them, as MMEngine records them:
        saved at the end of an epoch (``by_epoch``) the epoch counts as done; saved after an
        iteration, the iteration does.
        Extra keyword arguments (``file_client_args``, ``backend_args``) are accepted and ignored.
        """
        if self.rank != 0:
            return None
        meta = dict(meta or {})
        if by_epoch:
            meta.setdefault("epoch", self.epoch + 1)
            meta.setdefault("iter", self.iter)
        else:
            meta.setdefault("epoch", self.epoch)
            meta.setdefault("iter", self.iter + 1)
        meta.update(seed=self.seed, experiment_name=self.experiment_name, time=time.strftime("%Y%m%d_%H%M%S"),
                    hookport_version=hookport.__version__, torch_version=str(torch.__version__),
                    cfg=self._cfg_text())
        dataset_meta = getattr(getattr(self.train_loop, "dataloader", None), "dataset", None)
        if getattr(dataset_meta, "metainfo", None) is not None:
            meta["dataset_meta"] = dataset_meta.metainfo
        checkpoint: Dict[str, Any] = {
            "meta": meta,
            "state_dict": ckpt.weights_to_cpu(unwrap(self.model).state_dict()),
            "message_hub": self.message_hub.state_dict(),
        }
        checkpoint["rng_state"] = get_rng_state()
        if save_optimizer and hasattr(self.optim_wrapper, "state_dict"):
            checkpoint["optimizer"] = self.optim_wrapper.state_dict()
        if save_param_scheduler and self.param_schedulers:
            if isinstance(self.param_schedulers, dict):
                checkpoint["param_schedulers"] = {name: [s.state_dict() for s in group]
                                                  for name, group in self.param_schedulers.items()}
            else:
                checkpoint["param_schedulers"] = [s.state_dict() for s in self.param_schedulers]
        self.call_hook("before_save_checkpoint", checkpoint)
        path = osp.join(out_dir, filename)
        ckpt.atomic_torch_save(checkpoint, path)
        return path

    def _cfg_text(self) -> str:
        if self.cfg is None:
            return ""
        text = getattr(self.cfg, "pretty_text", None)
        return text if isinstance(text, str) else repr(self.cfg)

    def dump_config(self) -> None:
        """Write the config into ``work_dir`` (rank 0; a Config keeps its file name)."""
        if self.cfg is None or self.rank != 0 or not callable(getattr(self.cfg, "dump", None)):
            return
        name = osp.basename(self.cfg.filename) if getattr(self.cfg, "filename", None) else f"{self.timestamp}.py"
        self.cfg.dump(osp.join(self.work_dir, name))

    def close(self) -> None:
        """Flush the log file and the visualizer backends."""
        from hookport.runner.logger import close_logger

        self.visualizer.close()
        close_logger(self.logger)


__all__ = ["Runner"]
