"""Record MMCV 1.7.2's hook order (``runner.get_hook_info()``) for legacy configs.

Run: $REFENV/bin/python tools/refdata/mmcv_hook_order.py
Writes tests/data/reference/mmcv/hook_order.json: a list of cases
``{"name", "cfg" (repr of the config dict), "distributed", "info" (get_hook_info() text),
"hooks": [[class name, priority int], ...], "stages": {stage: [class names]}}``.

Hooks are registered the way MMDetection 2.28's ``train_detector`` did: ``fp16`` turns the
optimizer hook into ``Fp16OptimizerHook``, then ``register_training_hooks`` (lr, momentum,
optimizer, checkpoint, IterTimer, loggers, custom hooks), then ``DistSamplerSeedHook`` when
distributed (EpochBasedRunner only), then EvalHook/DistEvalHook from ``evaluation`` at LOW.
Also writes hook_stages.json: the mount points of every hook class in MMCV's registry.
Logger clients (wandb, mlflow) are faked: only their hooks' construction is needed.
"""
from __future__ import annotations

import copy
import logging
import os
import sys
import types

import mmcv_common as common  # noqa: I100  (sets up mmcv before anything imports it)

for _name in ("wandb", "mlflow", "mlflow.pytorch"):  # clients the logger hooks import in __init__
    sys.modules.setdefault(_name, types.ModuleType(_name))
sys.modules["mlflow"].pytorch = sys.modules["mlflow.pytorch"]

import torch  # noqa: E402
from mmcv.runner import (HOOKS, DistEvalHook, Hook, DistSamplerSeedHook, EpochBasedRunner, EvalHook,  # noqa: E402
                         Fp16OptimizerHook, IterBasedRunner, OptimizerHook)
from mmcv.utils import get_logger  # noqa: E402

sys.path.insert(0, os.path.join(common.REPO, "fixtures", "mmcv"))
import legacy_hooks  # noqa: E402,F401  (registers the fixture's custom hooks in mmcv's HOOKS)

BASE = dict(
    runner=dict(type="EpochBasedRunner", max_epochs=2),
    optimizer=dict(type="SGD", lr=0.01, momentum=0.9),
    optimizer_config=dict(grad_clip=None),
    lr_config=dict(policy="step", step=[1]),
    checkpoint_config=dict(interval=1),
    log_config=dict(interval=5, hooks=[dict(type="TextLoggerHook")]),
    workflow=[("train", 1)],
)


def cfg_with(**changes):
    """BASE with keys replaced (a value of None drops the key)."""
    cfg = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            cfg.pop(key, None)
        else:
            cfg[key] = value
    return cfg


CASES = [
    ("defaults", cfg_with(), False),
    ("defaults_with_evaluation", cfg_with(evaluation=dict(interval=1, metric="accuracy")), False),
    ("fp16_mmdet", cfg_with(fp16=dict(loss_scale=512.0)), False),
    ("cumulative_optimizer", cfg_with(optimizer_config=dict(type="GradientCumulativeOptimizerHook",
                                                            cumulative_iters=4)), False),
    ("cumulative_fp16_optimizer", cfg_with(optimizer_config=dict(type="GradientCumulativeFp16OptimizerHook",
                                                                 cumulative_iters=2, loss_scale="dynamic")), False),
    ("momentum_and_cyclic", cfg_with(lr_config=dict(policy="cyclic", target_ratio=(10, 1e-4)),
                                     momentum_config=dict(policy="cyclic")), False),
    ("custom_hooks_priorities", cfg_with(
        evaluation=dict(interval=1),
        custom_hooks=[dict(type="EpochMarkerHook", priority="LOW"),
                      dict(type="LossScaleHook", priority=45),
                      dict(type="GradProbeHook"),
                      dict(type="RunInfoHook", priority="HIGHEST"),
                      dict(type="EmptyCacheHook", after_epoch=True, priority=75),
                      dict(type="SyncBuffersHook", priority=50)]), False),
    ("custom_hooks_single_dict", cfg_with(custom_hooks=dict(type="EpochMarkerHook")), False),
    ("mmcv_ema_and_friends", cfg_with(custom_hooks=[dict(type="EMAHook", momentum=0.001, priority="ABOVE_NORMAL"),
                                                    dict(type="EmptyCacheHook"),
                                                    dict(type="SyncBuffersHook", priority="BELOW_NORMAL")]), False),
    ("several_loggers", cfg_with(log_config=dict(interval=10, hooks=[
        dict(type="TextLoggerHook"), dict(type="TensorboardLoggerHook"),
        dict(type="WandbLoggerHook", init_kwargs=dict(project="p")), dict(type="MlflowLoggerHook")])), False),
    ("iter_based_runner", cfg_with(runner=dict(type="IterBasedRunner", max_iters=100),
                                   lr_config=dict(policy="poly", power=0.9, min_lr=1e-4),
                                   checkpoint_config=dict(interval=50), evaluation=dict(interval=50)), False),
    ("distributed_epoch", cfg_with(evaluation=dict(interval=2, save_best="auto")), True),
    ("distributed_iter_fp16", cfg_with(runner=dict(type="IterBasedRunner", max_iters=40), fp16=dict(loss_scale="dynamic"),
                                       evaluation=dict(interval=20)), True),
    ("minimal_no_checkpoint_no_log", cfg_with(checkpoint_config=None, log_config=None, optimizer_config=None), False),
    ("warmup_policy_and_grad_clip", cfg_with(
        lr_config=dict(policy="CosineAnnealing", min_lr_ratio=0.01, warmup="linear", warmup_iters=5),
        optimizer_config=dict(grad_clip=dict(max_norm=35, norm_type=2)),
        checkpoint_config=dict(interval=1, max_keep_ckpts=2)), False),
]


def build_runner(cfg, distributed):
    """Register every hook as MMDetection 2.28's train_detector did; return the runner."""
    torch.manual_seed(0)
    model = common.ToyModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    logger = get_logger("mmcv_ref_hook_order", log_level=logging.ERROR)
    runner_cfg = dict(cfg["runner"])
    runner_cls = {"EpochBasedRunner": EpochBasedRunner, "IterBasedRunner": IterBasedRunner}[runner_cfg.pop("type")]
    runner = runner_cls(model, optimizer=optimizer, work_dir=None, logger=logger, **runner_cfg)

    optimizer_config = copy.deepcopy(cfg.get("optimizer_config"))
    fp16_cfg = cfg.get("fp16")
    if fp16_cfg is not None:
        optimizer_config = Fp16OptimizerHook(**(optimizer_config or {}), **fp16_cfg, distributed=distributed)
    elif distributed and optimizer_config is not None and "type" not in optimizer_config:
        optimizer_config = OptimizerHook(**optimizer_config)
    runner.register_training_hooks(copy.deepcopy(cfg.get("lr_config")), optimizer_config,
                                   copy.deepcopy(cfg.get("checkpoint_config")), copy.deepcopy(cfg.get("log_config")),
                                   copy.deepcopy(cfg.get("momentum_config")),
                                   custom_hooks_config=copy.deepcopy(cfg.get("custom_hooks")))
    if distributed and isinstance(runner, EpochBasedRunner):
        runner.register_hook(DistSamplerSeedHook())
    if "evaluation" in cfg:
        eval_cfg = dict(cfg["evaluation"])
        eval_cfg["by_epoch"] = cfg["runner"]["type"] != "IterBasedRunner"
        eval_hook = DistEvalHook if distributed else EvalHook
        runner.register_hook(eval_hook(common.toy_loader(2), **eval_cfg), priority="LOW")
    return runner


def record(name, cfg, distributed):
    """The reference datum for one config."""
    runner = build_runner(cfg, distributed)
    stages = {}
    for hook in runner.hooks:
        for stage in hook.get_triggered_stages():
            stages.setdefault(stage, []).append(type(hook).__name__)
    return dict(name=name, cfg=repr(cfg), distributed=distributed, info=runner.get_hook_info(),
                hooks=[[type(h).__name__, int(h.priority)] for h in runner.hooks], stages=stages)


def triggered_stages():
    """``{class name: stages}`` for every hook class in MMCV's registry (by overridden methods)."""
    out = {}
    for name, cls in sorted(HOOKS.module_dict.items()):
        # get_triggered_stages only reads the class, so it can run unbound on a bare instance.
        out[name] = Hook.get_triggered_stages(object.__new__(cls))
    return out


def main():
    assert HOOKS.get("EpochMarkerHook") is not None
    cases = [record(*case) for case in CASES]
    print(common.write_json("hook_order.json", dict(mmcv_version="1.7.2", cases=cases)), len(cases), "cases")
    print(common.write_json("hook_stages.json", dict(mmcv_version="1.7.2", triggered_stages=[
        [name, stages] for name, stages in triggered_stages().items()])))


if __name__ == "__main__":
    main()
