"""Build an MMCV-era training run from a legacy config, as MMDetection 2.x's tools/train.py did.

Order: seed -> model (``init_weights`` if any) -> datasets -> dataloaders -> optimizer ->
runner (``meta`` = env_info, config, seed, exp_name) -> default and custom hooks -> EvalHook
-> ``resume_from`` / ``load_from`` / ``auto_resume``. Data follows MMDetection >= 2.24:
``data=dict(samples_per_gpu, workers_per_gpu, train, val, test, train_dataloader=dict(...),
val_dataloader=dict(...))``; train loaders shuffle unless ``train_dataloader.shuffle=False``,
val/test loaders never do, workers are seeded with ``seed + worker_id`` (one process). A dataset
with MMDetection's aspect-ratio ``flag`` is sampled by MMDetection 2.28's samplers
(:mod:`hookport.compat.mmcv.samplers`).
"""
from __future__ import annotations

import copy
import functools
import logging
import os
import os.path as osp
import random
import sys
import time
from typing import Any, List, Optional

import torch

from hookport.compat.mmcv.checkpoint import find_latest_checkpoint
from hookport.compat.mmcv.data_container import collate
from hookport.compat.mmcv.defaults import default_hooks, runner_type
from hookport.compat.mmcv.dialect import prepare
from hookport.compat.mmcv.runner import RUNNERS
from hookport.errors import ConfigError
from hookport.registry import DATASETS, MODELS, OPTIMIZERS

LOG_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"  # MMCV's get_logger format


def get_logger(log_file: Optional[str], name: str = "mmcv", level: int = logging.INFO, rank: int = 0) -> logging.Logger:
    """MMCV's root logger: stdout plus ``log_file`` on rank 0 (errors only elsewhere); replaces earlier handlers."""
    logger = logging.getLogger(name)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    logger.propagate = False
    logger.setLevel(level if rank == 0 else logging.ERROR)
    formatter = logging.Formatter(LOG_FORMAT)
    handlers: List[logging.Handler] = [logging.StreamHandler(sys.stdout)]
    if log_file is not None and rank == 0:
        handlers.append(logging.FileHandler(log_file, "w"))
    for handler in handlers:
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    return logger


def set_random_seed(seed: int, deterministic: bool = False) -> None:
    """Seed ``random``, numpy (if present) and torch, as MMDetection's ``set_random_seed``."""
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:
        pass
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


def _worker_init(seed: int):
    def init(worker_id: int) -> None:
        set_random_seed(seed + worker_id)
    return init


def build_dataloader(dataset, samples_per_gpu: int, workers_per_gpu: int, shuffle: bool, seed: Optional[int],
                     runner_type: str = "EpochBasedRunner", **kwargs: Any):
    """A loader with MMCV's ``collate`` (DataContainer-aware) and seeded workers, sampling as the codebase did.

    A dataset with an aspect-ratio ``flag`` is an MMDetection 2.x dataset and gets its
    ``build_dataloader``'s samplers (:func:`_group_sampling`); any other dataset is sampled as
    MMClassification / MMSegmentation did: shuffled by the loader, or a DistributedSampler in a
    process group. Workers are seeded with ``seed + num_workers * rank + worker_id``
    (MMDetection's worker_init_fn).
    """
    from hookport.runner import dist

    rank, world_size = dist.get_dist_info()
    if hasattr(dataset, "flag"):
        sampling = _group_sampling(dataset, samples_per_gpu, shuffle, seed, runner_type, rank, world_size)
    elif world_size > 1:
        sampling = dict(batch_size=samples_per_gpu, sampler=torch.utils.data.DistributedSampler(
            dataset, world_size, rank, shuffle=shuffle, seed=seed or 0))
    else:
        sampling = dict(batch_size=samples_per_gpu, shuffle=shuffle)
    kwargs.setdefault("collate_fn", functools.partial(collate, samples_per_gpu=samples_per_gpu))
    try:
        return torch.utils.data.DataLoader(
            dataset, num_workers=workers_per_gpu,
            worker_init_fn=_worker_init(seed + workers_per_gpu * rank) if seed is not None and workers_per_gpu > 0
            else None,
            pin_memory=kwargs.pop("pin_memory", False), persistent_workers=kwargs.pop("persistent_workers", False)
            and workers_per_gpu > 0, **sampling, **kwargs)
    except (TypeError, ValueError) as err:  # torch's own argument checks (batch_size=0, unknown keys...)
        raise ConfigError(f"data: {err}") from None


def _group_sampling(dataset, samples_per_gpu: int, shuffle: bool, seed: Optional[int], runner_type: str,
                    rank: int, world_size: int) -> dict:
    """The DataLoader's sampler arguments in MMDetection 2.28's ``build_dataloader``.

    IterBasedRunner: an endless (group) batch sampler; otherwise GroupSampler (one process,
    shuffled), DistributedGroupSampler (shuffled) or an unshuffled DistributedSampler.
    """
    from hookport.compat.mmcv import samplers

    if runner_type == "IterBasedRunner":
        kind = samplers.InfiniteGroupBatchSampler if shuffle else samplers.InfiniteBatchSampler
        return dict(batch_sampler=kind(dataset, samples_per_gpu, world_size, rank, seed=seed, shuffle=shuffle))
    if world_size > 1:
        sampler = (samplers.DistributedGroupSampler(dataset, samples_per_gpu, world_size, rank, seed=seed) if shuffle
                   else torch.utils.data.DistributedSampler(dataset, world_size, rank, shuffle=False, seed=seed or 0))
    else:
        sampler = samplers.GroupSampler(dataset, samples_per_gpu) if shuffle else None
    return dict(batch_size=samples_per_gpu, sampler=sampler)


def build_optimizer(model, cfg: dict):
    """A torch optimizer from ``optimizer=dict(type, lr, ..., paramwise_cfg)``; a dict of them by submodule."""
    if not isinstance(cfg, dict):
        raise ConfigError(f"optimizer must be a dict, got {cfg!r}")
    if "type" not in cfg:  # MMCV's build_optimizers: one optimizer per named submodule
        return {name: build_optimizer(getattr(model, name), sub) for name, sub in cfg.items()}
    args = dict(cfg)
    constructor = args.pop("constructor", "DefaultOptimizerConstructor")
    paramwise_cfg = args.pop("paramwise_cfg", None)
    if constructor != "DefaultOptimizerConstructor":
        raise ConfigError(f"optimizer.constructor={constructor!r} is not supported; only the default constructor is")
    if paramwise_cfg:
        from hookport.optim.constructor import DefaultOptimWrapperConstructor

        return DefaultOptimWrapperConstructor(dict(type="OptimWrapper", optimizer=args), paramwise_cfg)(model).optimizer
    return OPTIMIZERS.build(dict(args, params=model.parameters()))


class MMCVSession:
    """A built legacy run: ``train()`` runs the workflow, ``close()`` flushes the log files."""

    def __init__(self, runner, data_loaders: List[Any], workflow: List[Any]):
        self.runner, self.data_loaders, self.workflow = runner, data_loaders, workflow

    def train(self):
        """Run the workflow to the end; return the model."""
        self.runner.run(self.data_loaders, self.workflow)
        return self.runner.model

    def close(self) -> None:
        """Detach the log handlers."""
        for handler in list(self.runner.logger.handlers):
            handler.flush()
            self.runner.logger.removeHandler(handler)
            handler.close()


def _filename(cfg: Any) -> Optional[str]:
    name = getattr(cfg, "filename", None)
    return name if isinstance(name, str) else None


def _pretty(cfg: Any) -> str:
    text = getattr(cfg, "pretty_text", None)
    return text if isinstance(text, str) else repr(dict(cfg))


def _env_info() -> str:
    return f"sys.platform: {sys.platform}\nPython: {sys.version.split()[0]}\nPyTorch: {torch.__version__}\n" \
           f"CUDA available: {torch.cuda.is_available()}"


def _max_length(cfg: Any) -> dict:
    runner = dict(cfg.get("runner") or {})
    total = cfg.get("total_epochs")
    if runner_type(cfg) == "IterBasedRunner":
        if "max_iters" not in runner:
            raise ConfigError("runner=dict(type='IterBasedRunner') needs max_iters", file=_filename(cfg))
        return dict(max_iters=runner["max_iters"])
    if "max_epochs" in runner and total is not None and runner["max_epochs"] != total:
        raise ConfigError(f"runner.max_epochs ({runner['max_epochs']}) and total_epochs ({total}) differ",
                          file=_filename(cfg))
    max_epochs = runner.get("max_epochs", total)
    if max_epochs is None:
        raise ConfigError("the config needs runner=dict(type='EpochBasedRunner', max_epochs=N) or total_epochs",
                          file=_filename(cfg))
    return dict(max_epochs=max_epochs)


def build_runner(cfg: Any) -> MMCVSession:
    """Everything ``hookport run`` needs for a legacy config (see the module docstring)."""
    prepare(cfg)
    where = _filename(cfg)
    for key in ("model", "data", "optimizer"):
        if key not in cfg:
            raise ConfigError(f"the config has no {key!r}", file=where)
    distributed = _init_distributed(cfg)
    work_dir = osp.abspath(cfg.get("work_dir") or osp.join("work_dirs", osp.splitext(osp.basename(where or "cfg"))[0]))
    os.makedirs(work_dir, exist_ok=True)
    from hookport.runner import dist

    if where and callable(getattr(cfg, "dump", None)) and dist.get_rank() == 0:
        cfg.dump(osp.join(work_dir, osp.basename(where)))
    timestamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(dist.broadcast_object(time.time())))
    logger = get_logger(osp.join(work_dir, f"{timestamp}.log"), rank=dist.get_rank(),
                        level=logging.getLevelName(cfg.get("log_level", "INFO")))
    seed = cfg.get("seed")
    if seed is None:
        seed = dist.broadcast_object(random.randint(0, 2 ** 31 - 1))  # one seed for every rank
    set_random_seed(seed, cfg.get("deterministic", False))
    meta = dict(env_info=_env_info(), config=_pretty(cfg), seed=seed,
                exp_name=osp.basename(where) if where else "config")

    model = MODELS.build(copy.deepcopy(cfg["model"]))
    if callable(getattr(model, "init_weights", None)):
        model.init_weights()
    if torch.cuda.is_available():
        model = model.cuda()
    if distributed:
        from hookport.compat.shims.mmcv.parallel.wrappers import MMDistributedDataParallel

        device_ids = [torch.cuda.current_device()] if torch.cuda.is_available() else None
        model = MMDistributedDataParallel(model, device_ids=device_ids, broadcast_buffers=False,
                                          find_unused_parameters=cfg.get("find_unused_parameters", False))
    data = cfg["data"]
    workflow = [tuple(flow) for flow in cfg.get("workflow", [("train", 1)])]
    datasets = [DATASETS.build(copy.deepcopy(data["train"]))]
    if len(workflow) == 2:  # ('val', k) phase: the val set, loaded like the train set
        datasets.append(DATASETS.build(copy.deepcopy(data["val"])))
    train_args = dict(samples_per_gpu=data.get("samples_per_gpu", 1), workers_per_gpu=data.get("workers_per_gpu", 1),
                      shuffle=True, seed=seed, runner_type=runner_type(cfg))
    train_args.update(data.get("train_dataloader", {}))
    loaders = [build_dataloader(ds, **train_args) for ds in datasets]
    optimizer = build_optimizer(model, cfg["optimizer"])

    runner = RUNNERS[runner_type(cfg)](model, optimizer=optimizer, work_dir=work_dir, logger=logger, meta=meta,
                                       **_max_length(cfg))
    runner.timestamp = timestamp
    eval_loader = None
    if "evaluation" in cfg:
        val_args = dict(samples_per_gpu=1, workers_per_gpu=data.get("workers_per_gpu", 2), shuffle=False, seed=seed)
        val_args.update(data.get("val_dataloader", {}))
        eval_loader = build_dataloader(DATASETS.build(copy.deepcopy(data["val"])), **val_args)
    for hook, priority in default_hooks(cfg, distributed=distributed, eval_loader=eval_loader):
        runner.register_hook(hook, priority)
    _load_or_resume(runner, cfg, work_dir)
    return MMCVSession(runner, loaders, workflow)


def _init_distributed(cfg: Any) -> bool:
    """Join the process group for ``launcher='pytorch'`` (``dist_params.backend``; gloo without CUDA)."""
    from hookport.runner import dist

    launcher = cfg.get("launcher", "none") or "none"
    if launcher != "none":
        backend = dict(cfg.get("dist_params") or {}).get("backend")
        if backend == "nccl" and not torch.cuda.is_available():
            backend = "gloo"
        dist.init_dist(launcher, backend)
    return dist.get_dist_info()[1] > 1


def _load_or_resume(runner, cfg: Any, work_dir: str) -> None:
    """``resume_from`` (or ``hookport run --resume``), ``auto_resume``, else ``load_from``."""
    resume_from = cfg.get("resume_from")
    if cfg.get("resume"):  # set by `hookport run --resume [CKPT]`
        resume_from = cfg.get("load_from") if isinstance(cfg.get("load_from"), str) else find_latest_checkpoint(
            work_dir)
    elif cfg.get("auto_resume") and resume_from is None:
        resume_from = find_latest_checkpoint(work_dir)
    if resume_from:
        runner.resume(resume_from)
    elif cfg.get("load_from"):
        runner.load_checkpoint(cfg["load_from"])
