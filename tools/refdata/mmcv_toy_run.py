"""Train the legacy toy configs on the REAL MMCV 1.7.2, as MMDetection 2.28's tools/train.py would.

Run: $REFENV/bin/python tools/refdata/mmcv_toy_run.py
Configs: fixtures/mmcv/legacy_toy_cfg.py (EpochBasedRunner) and legacy_toy_iter_cfg.py (IterBasedRunner).
Writes tests/data/reference/mmcv/toy_run.json: the final weights (exact floats), the work_dir
file set (timestamp replaced by ``<ts>``), checkpoint keys, the JSON log records (keys, and
values except timings), the text log's training lines without timings, and what the fixture's
custom hooks recorded; and copies MMCV's own epoch_2.pth of the epoch run to mmcv_toy_epoch_2.pth. Single process, CPU, seed 0, no shuffling.
"""
from __future__ import annotations

import functools
import importlib
import os
import os.path as osp
import re
import shutil
import sys
import time

import mmcv_common as common  # noqa: I100  (sets up mmcv before anything imports it)
import torch
from mmcv import Config
from mmcv.parallel import MMDataParallel, collate
from mmcv.runner import EvalHook, build_optimizer, build_runner, set_random_seed
from mmcv.utils import get_logger

FIXTURES = osp.join(common.REPO, "fixtures", "mmcv")
CONFIGS = ("legacy_toy_cfg.py", "legacy_toy_iter_cfg.py")
TIMINGS = ("time", "data_time", "memory", "eta")
sys.path.insert(0, FIXTURES)


def build(cfg_part):
    """Instantiate a fixture class from ``dict(type='<fixture module>.Name', ...)``."""
    args = dict(cfg_part)
    module, _, name = args.pop("type").rpartition(".")
    return getattr(importlib.import_module(module), name)(**args)


def loader(dataset, samples_per_gpu, workers_per_gpu, shuffle):
    """MMDetection 2.x build_dataloader for one CPU process without a GroupSampler."""
    return torch.utils.data.DataLoader(dataset, batch_size=samples_per_gpu, shuffle=shuffle,
                                       num_workers=workers_per_gpu,
                                       collate_fn=functools.partial(collate, samples_per_gpu=samples_per_gpu),
                                       pin_memory=False)


def train(config, work_dir, data_parallel=False):
    """tools/train.py + train_detector for a toy config; returns the runner.

    ``data_parallel``: wrap the model in MMDataParallel first, as train_detector did (its scatter
    unwraps DataContainers; the toy configs' plain tensors do not need it).
    """
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    timestamp = time.strftime("%Y%m%d_%H%M%S", time.localtime())
    # mmcv's get_logger returns an already-initialised logger as is: one name per config.
    logger = get_logger(f"mmdet_{osp.splitext(osp.basename(config))[0]}", log_file=osp.join(work_dir, f"{timestamp}.log"))
    cfg.dump(osp.join(work_dir, osp.basename(config)))
    meta = dict(env_info="reference", config=cfg.pretty_text, seed=cfg.seed, exp_name=osp.basename(config))
    set_random_seed(cfg.seed)
    model = build(cfg.model)
    if data_parallel:
        model = MMDataParallel(model)
    data = cfg.data
    datasets = [build(data.train)]
    if len(cfg.workflow) == 2:  # tools/train.py adds the val set for a ('val', k) phase
        datasets.append(build(data.val))
    train_args = dict(dict(samples_per_gpu=data.samples_per_gpu, workers_per_gpu=data.workers_per_gpu, shuffle=True),
                      **data.get("train_dataloader", {}))
    loaders = [loader(ds, **train_args) for ds in datasets]
    optimizer = build_optimizer(model, cfg.optimizer)
    runner = build_runner(cfg.runner, default_args=dict(model=model, optimizer=optimizer, work_dir=work_dir,
                                                        logger=logger, meta=meta))
    runner.timestamp = timestamp
    runner.register_training_hooks(cfg.lr_config, cfg.optimizer_config, cfg.checkpoint_config, cfg.log_config,
                                   cfg.get("momentum_config", None), custom_hooks_config=cfg.get("custom_hooks"))
    val_args = dict(dict(samples_per_gpu=1, workers_per_gpu=2, shuffle=False), **data.get("val_dataloader", {}))
    eval_cfg = dict(cfg.get("evaluation", {}), by_epoch=cfg.runner["type"] != "IterBasedRunner")
    runner.register_hook(EvalHook(loader(build(data.val), **val_args), **eval_cfg), priority="LOW")
    runner.run(loaders, cfg.workflow)
    return runner


def summarize(runner, work_dir):
    """The reference datum (see the module docstring)."""
    ts = runner.timestamp
    files = sorted(name.replace(ts, "<ts>") for name in os.listdir(work_dir))
    ckpt = torch.load(osp.join(work_dir, "latest.pth"), map_location="cpu", weights_only=False)
    with open(osp.join(work_dir, f"{ts}.log.json")) as f:
        records = [__import__("json").loads(line) for line in f]
    with open(osp.join(work_dir, f"{ts}.log")) as f:
        lines = [line.split(" - ", 3)[-1].rstrip("\n") for line in f
                 if re.search(r"(Epoch|Iter)(\(val\))? \[", line)]
    hooks = {type(h).__name__: h for h in runner.hooks}
    return dict(
        final_weights={k: v.flatten().tolist() for k, v in runner.model.state_dict().items()},
        files=files,
        latest_link=os.readlink(osp.join(work_dir, "latest.pth")),
        checkpoint_keys=sorted(ckpt),
        checkpoint_meta_keys=sorted(ckpt["meta"]),
        checkpoint_meta=dict(epoch=ckpt["meta"]["epoch"], iter=ckpt["meta"]["iter"],
                             mmcv_version=ckpt["meta"]["mmcv_version"],
                             hook_msgs={k: (osp.basename(v) if isinstance(v, str) else v)
                                        for k, v in ckpt["meta"]["hook_msgs"].items()}),
        checkpoint_optimizer_keys=sorted(ckpt["optimizer"]),
        checkpoint_state_keys=list(ckpt["state_dict"]),
        json_log_keys=[list(r) for r in records],
        json_log=[{k: v for k, v in r.items() if k not in TIMINGS + ("config", "env_info")} for r in records],
        text_log=[re.sub(r"(eta|time|data_time|memory): [^,]*, ", "", line) for line in lines],
        hook_records=dict(epoch_marker=[list(s) for s in hooks["EpochMarkerHook"].seen],
                          run_info=[list(r) for r in hooks["RunInfoHook"].records],
                          grad_norms=hooks["GradProbeHook"].grad_norms),
    )


def main():
    results = []
    for name in CONFIGS:
        work_dir = common.temp_work_dir()
        runner = train(osp.join(FIXTURES, name), work_dir)
        results.append(dict(config=f"fixtures/mmcv/{name}", **summarize(runner, work_dir)))
        if name == CONFIGS[0]:
            # A checkpoint written by MMCV itself: hookport must resume it (tests/compat_mmcv/test_toy_run.py).
            shutil.copyfile(osp.join(work_dir, "epoch_2.pth"), osp.join(common.OUT_DIR, "mmcv_toy_epoch_2.pth"))
    print(common.write_json("toy_run.json", dict(mmcv_version="1.7.2", result=results)))


if __name__ == "__main__":
    main()
