"""Record REAL MMEngine 0.10.7 LR/momentum trajectories for hookport's scheduler tests.

Run with the reference environment (never imported by hookport or its tests):

    $REFENV/bin/python tools/refdata/mmengine_schedules.py

Every case is an MMEngine config fragment (train_cfg, optim_wrapper, param_scheduler,
optionally auto_scale_lr / validation / paramwise_cfg). It is trained by MMEngine's own
Runner on a toy nn.Linear model with 10 iterations per epoch; a hook records, before
every training iteration, the lr and momentum (``betas[0]`` for Adam) of each param
group, i.e. the values that iteration's optimizer step uses. Cases that MMEngine
rejects record the exception instead. Output:
``tests/data/reference/mmengine_schedules/trajectories.json``.
"""
from __future__ import annotations

import copy
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

import torch
from torch import nn

import mmengine
from mmengine.evaluator import BaseMetric
from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmengine.model import BaseModel
from mmengine.registry import HOOKS, METRICS, MODELS, DATASETS
from mmengine.runner import Runner

OUT = Path(__file__).resolve().parents[2] / "tests/data/reference/mmengine_schedules/trajectories.json"
ITERS_PER_EPOCH = 10
SGD = dict(type="SGD", lr=0.1, momentum=0.9)
ADAM = dict(type="Adam", lr=0.01, betas=(0.9, 0.999))


# -- toy model, data, metric and the recording hook --------------------------------------------
@MODELS.register_module()
class RefToyModel(BaseModel):
    """Two linear layers (so paramwise_cfg can give them different lrs); loss = mean output."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(2, 2)
        self.head = nn.Linear(2, 1)

    def forward(self, inputs, labels=None, mode="tensor"):
        x = torch.stack(inputs) if isinstance(inputs, list) else inputs
        out = self.head(self.backbone(x))
        if mode == "loss":
            return dict(loss=out.mean())
        return [dict(pred=o) for o in out]


@DATASETS.register_module()
class RefToyDataset(torch.utils.data.Dataset):
    """``size`` fixed samples."""

    def __init__(self, size=ITERS_PER_EPOCH):
        self.size = size

    def __len__(self):
        return self.size

    def __getitem__(self, idx):
        return dict(inputs=torch.full((2,), float(idx) / self.size), labels=0)


@METRICS.register_module()
class RefSequenceMetric(BaseMetric):
    """Returns the next value of a fixed sequence at each validation run."""

    def __init__(self, values=(), **kwargs):
        super().__init__(**kwargs)
        self.values = list(values)
        self.calls = 0

    def process(self, data_batch, data_samples):
        self.results.append(0)

    def compute_metrics(self, results):
        value = self.values[self.calls]
        self.calls += 1
        return dict(loss=value)


@HOOKS.register_module()
class RecordParamsHook(Hook):
    """Records each group's lr / momentum before every training iteration."""

    priority = "HIGHEST"
    records = None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        groups = runner.optim_wrapper.optimizer.param_groups
        RecordParamsHook.records["lr"].append([float(g["lr"]) for g in groups])
        RecordParamsHook.records["momentum"].append([_momentum(g) for g in groups])


def _momentum(group):
    if "betas" in group:
        return float(group["betas"][0])
    return float(group["momentum"]) if "momentum" in group else None


def _snapshot(groups):
    keep = ("lr", "momentum", "betas")
    return [{k: (list(v) if isinstance(v, tuple) else float(v)) for k, v in g.items() if k in keep} for g in groups]


_orig_scale_lr = Runner.scale_lr


def _scale_lr_with_snapshot(self, optim_wrapper, auto_scale_lr=None):
    # The groups as the optimizer constructor made them, before auto_scale_lr and the schedulers.
    RecordParamsHook.records["initial_param_groups"] = _snapshot(optim_wrapper.optimizer.param_groups)
    return _orig_scale_lr(self, optim_wrapper, auto_scale_lr)


Runner.scale_lr = _scale_lr_with_snapshot


# -- the cases ----------------------------------------------------------------------------------
def epoch_case(sched, max_epochs=4, optimizer=SGD, **extra):
    """A case trained by an EpochBasedTrainLoop."""
    return dict(train_cfg=dict(by_epoch=True, max_epochs=max_epochs), optim_wrapper=dict(optimizer=optimizer),
                param_scheduler=sched, **extra)


def iter_case(sched, max_iters=30, optimizer=SGD, **extra):
    """A case trained by an IterBasedTrainLoop."""
    return dict(train_cfg=dict(type="IterBasedTrainLoop", max_iters=max_iters),
                optim_wrapper=dict(optimizer=optimizer), param_scheduler=sched, **extra)


def plateau_case(sched, values, max_epochs=8, **extra):
    """An epoch case validated every epoch by a metric that returns ``values`` in turn."""
    return epoch_case(sched, max_epochs=max_epochs, val_cfg=dict(), val_dataloader="toy",
                      val_evaluator=dict(type="RefSequenceMetric", values=list(values)),
                      metrics=[dict(loss=v) for v in values], **extra)


def D(type, **kw):  # noqa: N802 -- reads like the config dicts it builds
    """dict(type=..., ...)."""
    return dict(type=type, **kw)


PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.85, 0.86, 0.87, 0.88]

CASES = {
    # single schedulers, epoch- and iteration-based
    "constant_epoch": epoch_case(D("ConstantLR", factor=0.5, end=2)),
    "constant_iter": epoch_case(D("ConstantLR", factor=0.5, end=15, by_epoch=False)),
    "constant_default_factor_iter": epoch_case(D("ConstantLR", by_epoch=False)),
    "linear_epoch": epoch_case(D("LinearLR", start_factor=0.1)),
    "linear_iter": epoch_case(D("LinearLR", start_factor=0.1, end=12, by_epoch=False)),
    "linear_end_factor_epoch": epoch_case(D("LinearLR", start_factor=1.0, end_factor=0.01, end=3)),
    "linear_window_iter": epoch_case(D("LinearLR", start_factor=0.2, end_factor=0.6, begin=5, end=25,
                                       by_epoch=False)),
    "step_epoch": epoch_case(D("StepLR", step_size=1, gamma=0.5)),
    "step_iter": epoch_case(D("StepLR", step_size=7, by_epoch=False)),
    "step_window_iter": epoch_case(D("StepLR", step_size=4, gamma=0.5, begin=6, end=30, by_epoch=False)),
    "multistep_epoch": epoch_case(D("MultiStepLR", milestones=[1, 3])),
    "multistep_iter_duplicate": epoch_case(D("MultiStepLR", milestones=[5, 5, 20], by_epoch=False)),
    "multistep_begin_end3_never": epoch_case(D("MultiStepLR", begin=1, end=3, milestones=[2])),
    "multistep_begin_end4_fires": epoch_case(D("MultiStepLR", begin=1, end=4, milestones=[2])),
    "exp_epoch": epoch_case(D("ExponentialLR", gamma=0.5)),
    "exp_iter": epoch_case(D("ExponentialLR", gamma=0.9, by_epoch=False)),
    "cosine_epoch": epoch_case(D("CosineAnnealingLR", T_max=4)),
    "cosine_iter_eta_min": epoch_case(D("CosineAnnealingLR", T_max=40, eta_min=0.001, by_epoch=False)),
    "cosine_iter_default_tmax": epoch_case(D("CosineAnnealingLR", end=30, by_epoch=False)),
    "cosine_eta_min_ratio_iter": epoch_case(D("CosineAnnealingLR", T_max=25, eta_min_ratio=0.05, by_epoch=False)),
    "cosine_past_tmax_iter": epoch_case(D("CosineAnnealingLR", T_max=8, eta_min=0.01, by_epoch=False)),
    "cosine_past_tmax_epoch": epoch_case(D("CosineAnnealingLR", T_max=1), max_epochs=4),
    "poly_epoch_power1": epoch_case(D("PolyLR", power=1.0)),
    "poly_iter": epoch_case(D("PolyLR", power=0.9, eta_min=1e-4, by_epoch=False)),
    "onecycle_two_phase": epoch_case(D("OneCycleLR", eta_max=0.5, total_steps=40, by_epoch=False)),
    "onecycle_three_phase_linear": epoch_case(D("OneCycleLR", eta_max=0.5, total_steps=40, three_phase=True,
                                                anneal_strategy="linear", by_epoch=False)),
    "onecycle_default_total": epoch_case(D("OneCycleLR", eta_max=0.3, pct_start=0.25, by_epoch=False)),
    "onecycle_begin_window": epoch_case(D("OneCycleLR", eta_max=0.5, begin=5, end=35, by_epoch=False)),
    "cosine_begin_window_epoch": epoch_case(D("CosineAnnealingLR", begin=1, end=4, eta_min=0.01)),
    "onecycle_convert_iter": epoch_case(D("OneCycleLR", eta_max=0.5, total_steps=4, convert_to_iter_based=True)),
    "cosrestart_epoch": epoch_case(D("CosineRestartLR", periods=[2, 2], restart_weights=[1, 0.5], eta_min=0.01)),
    "cosrestart_iter": epoch_case(D("CosineRestartLR", periods=[10, 15, 15], restart_weights=[1, 0.5, 0.25],
                                    eta_min=0.001, by_epoch=False)),
    "cosrestart_eta_min_ratio_iter": epoch_case(D("CosineRestartLR", periods=[12, 12], restart_weights=[1, 0.7],
                                                  eta_min_ratio=0.1, by_epoch=False)),
    "cosrestart_past_periods_iter": epoch_case(D("CosineRestartLR", periods=[8, 8], restart_weights=[1, 1],
                                                 eta_min=0.0, by_epoch=False)),
    # generic schedulers (param_name)
    "generic_linear_lr": epoch_case(D("LinearParamScheduler", param_name="lr", start_factor=0.25, end=12,
                                      by_epoch=False)),
    "generic_step_momentum": epoch_case(D("StepParamScheduler", param_name="momentum", step_size=1, gamma=0.9)),
    # momentum twins on SGD
    "momentum_constant_iter": epoch_case(D("ConstantMomentum", factor=0.5, end=7, by_epoch=False)),
    "momentum_linear_iter": epoch_case(D("LinearMomentum", start_factor=0.5, end=12, by_epoch=False)),
    "momentum_step_epoch": epoch_case(D("StepMomentum", step_size=2, gamma=0.5)),
    "momentum_multistep_epoch": epoch_case(D("MultiStepMomentum", milestones=[1, 2], gamma=0.9)),
    "momentum_exp_iter": epoch_case(D("ExponentialMomentum", gamma=0.99, by_epoch=False)),
    "momentum_cosine_iter": epoch_case(D("CosineAnnealingMomentum", T_max=40, eta_min=0.5, by_epoch=False)),
    "momentum_poly_epoch": epoch_case(D("PolyMomentum", power=2.0, eta_min=0.5)),
    "momentum_cosrestart_iter": epoch_case(D("CosineRestartMomentum", periods=[20, 20], restart_weights=[1, 0.9],
                                             eta_min=0.8, by_epoch=False)),
    # Adam: momentum is betas[0]
    "adam_linear_lr_momentum": epoch_case([D("LinearLR", start_factor=0.1, end=10, by_epoch=False),
                                           D("LinearMomentum", start_factor=0.9, end=10, by_epoch=False)],
                                          optimizer=ADAM),
    "adam_cosine_lr_momentum": epoch_case([D("CosineAnnealingLR", T_max=4),
                                           D("CosineAnnealingMomentum", T_max=4, eta_min=0.8)], optimizer=ADAM),
    "adam_step_momentum_iter": epoch_case(D("StepMomentum", step_size=10, gamma=0.5, by_epoch=False),
                                          optimizer=ADAM),
    # convert_to_iter_based for every convertible scheduler
    "convert_constant": epoch_case(D("ConstantLR", factor=0.2, end=1, convert_to_iter_based=True)),
    "convert_linear": epoch_case(D("LinearLR", start_factor=0.1, end=1, convert_to_iter_based=True)),
    "convert_step": epoch_case(D("StepLR", step_size=1, gamma=0.5, convert_to_iter_based=True)),
    "convert_multistep": epoch_case(D("MultiStepLR", milestones=[1, 3], begin=0.5, convert_to_iter_based=True)),
    "convert_exp": epoch_case(D("ExponentialLR", gamma=0.95, end=3, convert_to_iter_based=True)),
    "convert_cosine": epoch_case(D("CosineAnnealingLR", T_max=4, convert_to_iter_based=True)),
    "convert_cosine_default_end": epoch_case(D("CosineAnnealingLR", convert_to_iter_based=True)),
    "convert_poly": epoch_case(D("PolyLR", power=1.0, convert_to_iter_based=True)),
    "convert_cosrestart": epoch_case(D("CosineRestartLR", periods=[2, 2], restart_weights=[1, 0.5], eta_min=0.0,
                                       convert_to_iter_based=True)),
    "convert_momentum_cosine": epoch_case(D("CosineAnnealingMomentum", T_max=4, eta_min=0.5,
                                            convert_to_iter_based=True)),
    # chains
    "chain_warmup_linear_multistep": epoch_case([D("LinearLR", start_factor=0.001, end=5, by_epoch=False),
                                                 D("MultiStepLR", milestones=[1, 2])]),
    "chain_warmup_crossing_epoch_multistep": epoch_case([D("LinearLR", start_factor=0.1, end=15, by_epoch=False),
                                                         D("MultiStepLR", milestones=[1, 2])]),
    "chain_warmup_cosine_iter": epoch_case([D("LinearLR", start_factor=0.01, end=10, by_epoch=False),
                                            D("CosineAnnealingLR", T_max=30, begin=10, end=40, by_epoch=False)]),
    "chain_warmup_cosine_overlap": epoch_case([D("LinearLR", start_factor=0.01, end=10, by_epoch=False),
                                               D("CosineAnnealingLR", T_max=40, by_epoch=False)]),
    "chain_cosine_lr_cosine_momentum": epoch_case([D("CosineAnnealingLR", T_max=4),
                                                   D("CosineAnnealingMomentum", T_max=4, eta_min=0.95)]),
    "chain_three_way": epoch_case([D("ConstantLR", factor=0.5, end=8, by_epoch=False),
                                   D("LinearLR", start_factor=0.2, end=12, by_epoch=False),
                                   D("ExponentialLR", gamma=0.97, begin=4, by_epoch=False)]),
    "chain_step_and_poly": epoch_case([D("StepLR", step_size=1, gamma=0.5),
                                       D("PolyLR", power=2.0, eta_min=0.0, by_epoch=False)]),
    "chain_warmup_by_epoch_convert_cosine": epoch_case([D("LinearLR", start_factor=0.01, end=1,
                                                          convert_to_iter_based=True),
                                                        D("CosineAnnealingLR", T_max=40, by_epoch=False)]),
    # several param groups (paramwise lr_mult: one group per parameter, head at 0.1x)
    "two_groups_step_warmup": epoch_case(
        [D("LinearLR", start_factor=0.1, end=5, by_epoch=False), D("MultiStepLR", milestones=[1, 2])],
        optim_wrapper_extra=dict(paramwise_cfg=dict(custom_keys={"head": dict(lr_mult=0.1)}))),
    "groups_cosine_ratio_momentum": epoch_case(
        [D("CosineAnnealingLR", T_max=40, eta_min_ratio=0.1, by_epoch=False),
         D("MultiStepMomentum", milestones=[2])],
        optim_wrapper_extra=dict(paramwise_cfg=dict(custom_keys={"head": dict(lr_mult=0.5)}))),
    # MMEngine's OptimWrapper shows an extra "base" group when there are several, and schedulers
    # act on it too: a per-group eta_max list needs one more value than the optimizer has groups.
    "groups_onecycle_list_eta_max": epoch_case(
        D("OneCycleLR", eta_max=[0.4, 0.3, 0.2, 0.1, 0.5], by_epoch=False),
        optim_wrapper_extra=dict(paramwise_cfg=dict(custom_keys={"head": dict(lr_mult=0.1)}))),
    "error_groups_onecycle_eta_max_per_optimizer_group": epoch_case(
        D("OneCycleLR", eta_max=[0.4, 0.3, 0.2, 0.1], by_epoch=False),
        optim_wrapper_extra=dict(paramwise_cfg=dict(custom_keys={"head": dict(lr_mult=0.1)}))),
    "groups_plateau_min_value_list": plateau_case(
        D("ReduceOnPlateauLR", monitor="loss", patience=0, factor=0.5, min_value=[0.05, 0.04, 0.004, 0.003]),
        [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7],
        optim_wrapper_extra=dict(paramwise_cfg=dict(custom_keys={"head": dict(lr_mult=0.1)}))),
    # auto_scale_lr happens before the schedulers record initial_lr
    "auto_scale_lr_multistep": epoch_case(D("MultiStepLR", milestones=[2]), auto_scale_lr=dict(
        enable=True, base_batch_size=4), batch_size=2),
    # IterBasedTrainLoop
    "iter_loop_multistep": iter_case(D("MultiStepLR", milestones=[10, 20], by_epoch=False)),
    "iter_loop_poly": iter_case(D("PolyLR", power=1.0, eta_min=0.0, by_epoch=False)),
    "iter_loop_mmseg_poly_warmup": iter_case([D("LinearLR", start_factor=1e-6, end=5, by_epoch=False),
                                              D("PolyLR", power=0.9, eta_min=1e-4, begin=5, end=30,
                                                by_epoch=False)]),
    "iter_loop_linear_by_epoch_true": iter_case(D("LinearLR", start_factor=0.1)),
    "iter_loop_cosrestart": iter_case(D("CosineRestartLR", periods=[10, 10, 10], restart_weights=[1, 0.7, 0.5],
                                        eta_min=0.001, by_epoch=False)),
    "iter_loop_convert_default_end": iter_case(D("CosineAnnealingLR", convert_to_iter_based=True)),
    # ReduceOnPlateau with a fixed metric sequence
    "plateau_lr": plateau_case(D("ReduceOnPlateauLR", monitor="loss", patience=1, factor=0.5, cooldown=1),
                               PLATEAU_METRICS),
    "plateau_lr_greater_abs_min": plateau_case(D("ReduceOnPlateauLR", monitor="loss", rule="greater",
                                                 threshold_rule="abs", threshold=0.01, patience=0, factor=0.3,
                                                 min_value=0.02), [0.5, 0.4, 0.45, 0.3, 0.2, 0.6, 0.6, 0.1]),
    "plateau_lr_begin": plateau_case(D("ReduceOnPlateauLR", monitor="loss", patience=0, factor=0.5, begin=3),
                                     [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7]),
    "plateau_momentum": plateau_case(D("ReduceOnPlateauMomentum", monitor="loss", patience=1, factor=0.9),
                                     PLATEAU_METRICS),
    "plateau_with_warmup": plateau_case([D("LinearLR", start_factor=0.1, end=10, by_epoch=False),
                                         D("ReduceOnPlateauLR", monitor="loss", patience=0, factor=0.5)],
                                        PLATEAU_METRICS),
    # migration guide (docs/en/migration/param_scheduler.md), scaled to the toy run
    "guide_fixed": epoch_case(D("ConstantLR", factor=1, by_epoch=True)),
    "guide_step": epoch_case(D("MultiStepLR", milestones=[1, 2], by_epoch=True), max_epochs=3),
    "guide_poly": epoch_case(D("PolyLR", power=0.7, eta_min=0.001, begin=0, end=4, by_epoch=True)),
    "guide_exp": epoch_case(D("ExponentialLR", gamma=0.5, begin=0, end=4, by_epoch=True)),
    "guide_cosine": epoch_case(D("CosineAnnealingLR", T_max=4, begin=0, end=4, by_epoch=True)),
    "guide_cosine_verbatim_minlr0.5": epoch_case(D("CosineAnnealingLR", eta_min=0.5, T_max=4, begin=0, end=4,
                                                   by_epoch=True)),
    "guide_flatcos_verbatim_0.75": epoch_case([D("ConstantLR", factor=1, begin=0, end=4 * 0.75),
                                               D("CosineAnnealingLR", eta_min=0.005, T_max=4 * 0.25,
                                                 begin=4 * 0.75, end=4)]),
    "guide_flatcos_consistent_0.5": epoch_case([D("ConstantLR", factor=1, begin=0, end=2),
                                                D("CosineAnnealingLR", eta_min=0.005, T_max=2, begin=2, end=4)]),
    "guide_cosrestart": epoch_case(D("CosineRestartLR", periods=[1, 1, 2], restart_weights=[1, 0.1, 0.5],
                                     eta_min=0.0005, begin=0, end=4, by_epoch=True)),
    "guide_onecycle": epoch_case(D("OneCycleLR", eta_max=0.5, pct_start=0.3, anneal_strategy="cos",
                                   div_factor=25, final_div_factor=1e4, three_phase=True, total_steps=40,
                                   by_epoch=False)),
    "guide_linear_annealing": epoch_case(D("LinearLR", start_factor=1, end_factor=0.01, begin=0, end=3,
                                           by_epoch=True), max_epochs=3),
    "guide_momentum_cosine": epoch_case([D("CosineAnnealingLR", T_max=4, eta_min=0.0001, by_epoch=True),
                                         D("CosineAnnealingMomentum", T_max=4, eta_min=0.95, by_epoch=True)]),
    "guide_convert_to_iter_based": epoch_case(D("CosineAnnealingLR", T_max=4, by_epoch=True,
                                                convert_to_iter_based=True)),
    "guide_warmup_linear_plus_step": epoch_case([D("LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=5),
                                                 D("MultiStepLR", milestones=[2, 3], by_epoch=True)]),
    "guide_warmup_constant_plus_step": epoch_case([D("ConstantLR", factor=0.1, by_epoch=False, begin=0, end=5),
                                                   D("MultiStepLR", milestones=[2, 3], by_epoch=True)]),
    "guide_warmup_exp_plus_step": epoch_case([D("ExponentialLR", gamma=0.1, by_epoch=False, begin=0, end=5),
                                              D("MultiStepLR", milestones=[2, 3], by_epoch=True)]),
    # what MMEngine rejects
    "error_guide_step_verbatim_typo": epoch_case(D("MultiStepLR", milestone=[1, 2], by_epoch=True)),
    "error_constant_factor": epoch_case(D("ConstantLR", factor=2.0)),
    "error_linear_start_factor": epoch_case(D("LinearLR", start_factor=-0.1)),
    "error_end_before_begin": epoch_case(D("StepLR", step_size=1, begin=3, end=2)),
    "error_onecycle_pct_int": epoch_case(D("OneCycleLR", eta_max=0.5, pct_start=1, by_epoch=False)),
    "error_onecycle_strategy": epoch_case(D("OneCycleLR", eta_max=0.5, anneal_strategy="exp", by_epoch=False)),
    "error_onecycle_past_total": epoch_case(D("OneCycleLR", eta_max=0.5, total_steps=20, by_epoch=False)),
    "error_onecycle_momentum_param": epoch_case(D("OneCycleParamScheduler", param_name="momentum", eta_max=0.95,
                                                  by_epoch=False)),
    "error_cosine_both_eta_min": epoch_case(D("CosineAnnealingLR", eta_min=0.0, eta_min_ratio=0.1)),
    "error_cosrestart_lengths": epoch_case(D("CosineRestartLR", periods=[2, 2], restart_weights=[1], eta_min=0.)),
    "error_momentum_on_adagrad": epoch_case(D("StepMomentum", step_size=1), optimizer=dict(type="Adagrad", lr=0.1)),
    "error_plateau_by_iter": epoch_case(D("ReduceOnPlateauLR", by_epoch=False)),
    "error_plateau_factor": epoch_case(D("ReduceOnPlateauLR", factor=1.0)),
    "error_convert_by_iter": epoch_case(D("StepLR", step_size=1, by_epoch=False, convert_to_iter_based=True)),
    "error_convert_plateau": epoch_case(D("ReduceOnPlateauLR", convert_to_iter_based=True)),
}


def runner_cfg(name, case, work_dir):
    """The full MMEngine config for a case."""
    batch_size = case.get("batch_size", 1)
    dataloader = dict(dataset=dict(type="RefToyDataset", size=ITERS_PER_EPOCH * batch_size),
                      sampler=dict(type="DefaultSampler", shuffle=False), batch_size=batch_size)
    cfg = dict(
        model=dict(type="RefToyModel"), work_dir=work_dir, train_dataloader=dataloader,
        train_cfg=copy.deepcopy(case["train_cfg"]),
        optim_wrapper=dict(optimizer=copy.deepcopy(case["optim_wrapper"]["optimizer"]),
                           **copy.deepcopy(case.get("optim_wrapper_extra", {}))),
        param_scheduler=copy.deepcopy(case["param_scheduler"]),
        default_hooks=dict(checkpoint=None, logger=None),
        custom_hooks=[dict(type="RecordParamsHook")],
        randomness=dict(seed=0), log_level="ERROR",
        # MMEngine keeps loggers/visualizers as named singletons: one name per case.
        experiment_name=f"ref_{name}",
    )
    if "auto_scale_lr" in case:
        cfg["auto_scale_lr"] = copy.deepcopy(case["auto_scale_lr"])
    if "val_evaluator" in case:
        cfg.update(val_cfg=dict(), val_evaluator=copy.deepcopy(case["val_evaluator"]),
                   val_dataloader=dict(dataset=dict(type="RefToyDataset", size=2),
                                       sampler=dict(type="DefaultSampler", shuffle=False), batch_size=1))
    return cfg


def hookport_cfg(case):
    """The config as hookport's simulation sees it (no model or dataset; validation reduced to flags)."""
    cfg = dict(train_cfg=case["train_cfg"], optim_wrapper=dict(optimizer=case["optim_wrapper"]["optimizer"],
                                                                **case.get("optim_wrapper_extra", {})),
               param_scheduler=case["param_scheduler"])
    if "auto_scale_lr" in case:
        cfg["auto_scale_lr"] = case["auto_scale_lr"]
        cfg["train_dataloader"] = dict(batch_size=case.get("batch_size", 1))
    if "val_evaluator" in case:
        cfg.update(val_cfg=dict(), val_dataloader=dict(batch_size=1), val_evaluator=case["val_evaluator"])
    return json.loads(json.dumps(cfg))


def run_case(name, case):
    """Train one case with MMEngine; return its JSON record."""
    RecordParamsHook.records = dict(lr=[], momentum=[], initial_param_groups=None)
    record = dict(config=hookport_cfg(case), iters_per_epoch=ITERS_PER_EPOCH)
    if "metrics" in case:
        record["metrics"] = case["metrics"]
    with tempfile.TemporaryDirectory() as work_dir:
        try:
            runner = Runner.from_cfg(mmengine.Config(runner_cfg(name, case, work_dir)))
            runner.train()
        except Exception as err:  # the reference records what MMEngine rejects
            record["error"] = dict(type=type(err).__name__, message=str(err),
                                   iterations_done=len(RecordParamsHook.records["lr"]))
    record["initial_param_groups"] = RecordParamsHook.records["initial_param_groups"]
    if "error" not in record:
        record.update(lr=RecordParamsHook.records["lr"], momentum=RecordParamsHook.records["momentum"])
    return record


def main():
    """Run every case and write the JSON file."""
    logging.disable(logging.WARNING)
    MMLogger.get_instance("mmengine", log_level="ERROR")
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
    results = {name: run_case(name, case) for name, case in CASES.items()}
    doc = dict(source=f"mmengine {mmengine.__version__}, torch {torch.__version__}",
               generator="tools/refdata/mmengine_schedules.py", iters_per_epoch=ITERS_PER_EPOCH, cases=results)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, OUT)
    bad = [n for n, r in results.items() if "error" in r and not n.startswith("error_")]
    print(f"{len(results)} cases -> {OUT}; unexpected errors: {bad}", file=sys.stderr)
    for n in bad:
        print(n, results[n]["error"], file=sys.stderr)


if __name__ == "__main__":
    main()
