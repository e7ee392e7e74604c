"""Record MMCV 1.7.2's lr/momentum trajectories (and its errors) on the REAL runners.

Run: $REFENV/bin/python tools/refdata/mmcv_schedules.py
Writes tests/data/reference/mmcv/schedules.json: a list of cases, each
``{"name", "cfg" (the config dict's repr), "iters_per_epoch", "param_groups"?}`` plus either
``{"lr": [[..] per iter], "momentum": [[..] per iter], "epoch": [..], "inner_iter": [..]}``
or ``{"error": {"type", "message"}}``.

Every case trains ``ToyModel`` with 10 batches per epoch under EpochBasedRunner (3 epochs) or
IterBasedRunner (30 iterations, unless the case says otherwise). No OptimizerHook is registered:
the schedule does not depend on the weights, and the values are read with ``runner.current_lr()``
and ``runner.current_momentum()`` in ``before_train_iter`` at priority LOWEST (after the updaters).
"""
from __future__ import annotations

import copy
import itertools
import logging

import mmcv_common as common  # noqa: I100  (sets up mmcv before anything imports it)
import torch
from mmcv.runner import EpochBasedRunner, Hook, IterBasedRunner
from mmcv.utils import get_logger

ITERS_PER_EPOCH = 10
MAX_EPOCHS = 3
MAX_ITERS = 30

# Policy arguments, written once for epoch units and once for iteration units.
LR_POLICIES = {
    "fixed": (dict(policy="fixed"), dict(policy="fixed")),
    "step_list": (dict(policy="step", step=[1, 2]), dict(policy="step", step=[12, 25])),
    "step_int": (dict(policy="step", step=2, gamma=0.5), dict(policy="step", step=7, gamma=0.5)),
    "step_min_lr": (dict(policy="step", step=[1, 2], gamma=0.1, min_lr=0.005),
                    dict(policy="step", step=[5, 10, 20], gamma=0.1, min_lr=0.005)),
    "exp": (dict(policy="exp", gamma=0.8), dict(policy="exp", gamma=0.95)),
    "poly": (dict(policy="poly", power=2.0, min_lr=1e-3), dict(policy="poly", power=2.0, min_lr=1e-3)),
    "inv": (dict(policy="inv", gamma=0.5, power=0.75), dict(policy="inv", gamma=0.1, power=0.75)),
    "cosine_min_lr": (dict(policy="CosineAnnealing", min_lr=1e-3), dict(policy="CosineAnnealing", min_lr=1e-3)),
    "cosine_ratio": (dict(policy="CosineAnnealing", min_lr_ratio=0.01),
                     dict(policy="CosineAnnealing", min_lr_ratio=0.01)),
    "flatcos": (dict(policy="FlatCosineAnnealing", start_percent=0.5, min_lr_ratio=0.01),
                dict(policy="FlatCosineAnnealing", start_percent=0.5, min_lr=1e-3)),
    "cosrestart": (dict(policy="CosineRestart", periods=[1, 2], restart_weights=[1, 0.5], min_lr=0.01),
                   dict(policy="CosineRestart", periods=[10, 20], restart_weights=[1, 0.5], min_lr=0.01)),
    "linanneal": (dict(policy="LinearAnnealing", min_lr_ratio=0.01), dict(policy="LinearAnnealing", min_lr=1e-3)),
}
# Iteration-only policies (MMCV asserts by_epoch=False for them).
ITER_ONLY_LR = {
    "cyclic": dict(policy="cyclic", target_ratio=(10, 1e-4), cyclic_times=1, step_ratio_up=0.4),
    "cyclic_linear_gamma": dict(policy="cyclic", target_ratio=5.0, cyclic_times=2, step_ratio_up=0.3,
                                anneal_strategy="linear", gamma=0.5),
    "onecycle": dict(policy="OneCycle", max_lr=0.5),
    "onecycle_total_linear": dict(policy="OneCycle", max_lr=0.5, total_steps=50, pct_start=0.25,
                                  anneal_strategy="linear"),
    "onecycle_three_phase": dict(policy="OneCycle", max_lr=0.4, three_phase=True, div_factor=10.0,
                                 final_div_factor=100.0),
}
WARMUPS = {
    "none": {},
    "constant": dict(warmup="constant", warmup_iters=5, warmup_ratio=0.1),
    "linear": dict(warmup="linear", warmup_iters=5, warmup_ratio=0.1),
    "exp": dict(warmup="exp", warmup_iters=5, warmup_ratio=0.1),
    "linear_cross": dict(warmup="linear", warmup_iters=15, warmup_ratio=0.2),
    "constant_by_epoch": dict(warmup="constant", warmup_iters=1, warmup_ratio=0.1, warmup_by_epoch=True),
    "linear_by_epoch": dict(warmup="linear", warmup_iters=1, warmup_ratio=0.001, warmup_by_epoch=True),
    "exp_by_epoch": dict(warmup="exp", warmup_iters=2, warmup_ratio=0.1, warmup_by_epoch=True),
}
MOMENTUM_POLICIES = {
    "step": (dict(policy="step", step=[1, 2]), dict(policy="step", step=[12, 25], gamma=0.8)),
    "step_min": (dict(policy="step", step=[1, 2], gamma=0.5, min_momentum=0.3),
                 dict(policy="step", step=[5, 10, 20], gamma=0.5, min_momentum=0.3)),
    "cosine": (dict(policy="CosineAnnealing", min_momentum_ratio=0.5),
               dict(policy="CosineAnnealing", min_momentum=0.5)),
    "linanneal": (dict(policy="LinearAnnealing", min_momentum=0.5),
                  dict(policy="LinearAnnealing", min_momentum_ratio=0.5)),
}
MOMENTUM_WARMUPS = {
    "none": {},
    "constant": dict(warmup="constant", warmup_iters=5, warmup_ratio=0.9),
    "linear": dict(warmup="linear", warmup_iters=5, warmup_ratio=0.9),
    "exp": dict(warmup="exp", warmup_iters=5, warmup_ratio=0.8),
    "linear_cross": dict(warmup="linear", warmup_iters=15, warmup_ratio=0.5),
}
SGD = dict(type="SGD", lr=0.1, momentum=0.9)
TWO_GROUPS = [dict(lr=0.1, momentum=0.9), dict(lr=0.01, momentum=0.8)]
OPTIM_DICT = dict(gen=dict(type="SGD", lr=0.1, momentum=0.9),
                  disc=dict(type="Adam", lr=0.01, betas=(0.5, 0.999)))


def epoch_cfg(**keys):
    """A legacy config for an EpochBasedRunner of MAX_EPOCHS epochs."""
    return dict(runner=dict(type="EpochBasedRunner", max_epochs=MAX_EPOCHS), optimizer=copy.deepcopy(SGD), **keys)


def iter_cfg(max_iters=MAX_ITERS, **keys):
    """A legacy config for an IterBasedRunner of ``max_iters`` iterations."""
    return dict(runner=dict(type="IterBasedRunner", max_iters=max_iters), optimizer=copy.deepcopy(SGD), **keys)


def lr_cases():
    """policy x warm-up x by_epoch x warmup_by_epoch on both runners."""
    for (pname, (ep_args, it_args)), (wname, warm) in itertools.product(LR_POLICIES.items(), WARMUPS.items()):
        yield f"lr_{pname}_epoch_runner_by_epoch_warmup_{wname}", epoch_cfg(lr_config=dict(ep_args, **warm))
        yield (f"lr_{pname}_epoch_runner_by_iter_warmup_{wname}",
               epoch_cfg(lr_config=dict(it_args, by_epoch=False, **warm)))
        # IterBasedRunner: by_epoch defaults to False there; by_epoch=True never acts.
        yield f"lr_{pname}_iter_runner_default_warmup_{wname}", iter_cfg(lr_config=dict(it_args, **warm))
        yield f"lr_{pname}_iter_runner_by_epoch_warmup_{wname}", iter_cfg(lr_config=dict(ep_args, by_epoch=True,
                                                                                        **warm))
    for (pname, args), (wname, warm) in itertools.product(ITER_ONLY_LR.items(), WARMUPS.items()):
        yield f"lr_{pname}_epoch_runner_warmup_{wname}", epoch_cfg(lr_config=dict(args, by_epoch=False, **warm))
        yield f"lr_{pname}_iter_runner_warmup_{wname}", iter_cfg(lr_config=dict(args, **warm))
    # Iteration counts that do not divide evenly, and total_epochs-era configs.
    yield "lr_poly_iter_runner_25_iters", iter_cfg(max_iters=25, lr_config=dict(policy="poly", power=1.0))
    yield "lr_cyclic_iter_runner_25_iters_3_cycles", iter_cfg(
        max_iters=25, lr_config=dict(policy="cyclic", target_ratio=(8, 1e-3), cyclic_times=3, gamma=0.7))
    yield "lr_step_warmup_constant12_by_iter", epoch_cfg(
        lr_config=dict(policy="step", step=10, by_epoch=False, warmup="constant", warmup_iters=12))


def momentum_cases():
    """Momentum policy x warm-up x by_epoch on both runners, plus cyclic and OneCycle pairs."""
    for (pname, (ep_args, it_args)), (wname, warm) in itertools.product(MOMENTUM_POLICIES.items(),
                                                                          MOMENTUM_WARMUPS.items()):
        yield f"mom_{pname}_epoch_runner_by_epoch_warmup_{wname}", epoch_cfg(momentum_config=dict(ep_args, **warm))
        yield (f"mom_{pname}_epoch_runner_by_iter_warmup_{wname}",
               epoch_cfg(momentum_config=dict(it_args, by_epoch=False, **warm)))
        # momentum_config gets no by_epoch default from IterBasedRunner: by_epoch=True never acts there.
        yield f"mom_{pname}_iter_runner_default_warmup_{wname}", iter_cfg(momentum_config=dict(it_args, **warm))
        yield f"mom_{pname}_iter_runner_by_iter_warmup_{wname}", iter_cfg(
            momentum_config=dict(it_args, by_epoch=False, **warm))
    for wname, warm in MOMENTUM_WARMUPS.items():
        yield f"mom_cyclic_epoch_runner_warmup_{wname}", epoch_cfg(
            lr_config=dict(policy="cyclic", by_epoch=False, target_ratio=(10, 1e-4)),
            momentum_config=dict(policy="cyclic", by_epoch=False, **warm))
        yield f"mom_cyclic_iter_runner_warmup_{wname}", iter_cfg(
            lr_config=dict(policy="cyclic", target_ratio=(10, 1e-4), cyclic_times=2),
            momentum_config=dict(policy="cyclic", by_epoch=False, target_ratio=(0.8, 1.0), cyclic_times=2,
                                 step_ratio_up=0.3, anneal_strategy="linear", gamma=0.5, **warm))
        yield f"mom_onecycle_iter_runner_warmup_{wname}", iter_cfg(
            lr_config=dict(policy="OneCycle", max_lr=0.5),
            momentum_config=dict(policy="OneCycle", **warm))
        yield f"mom_onecycle_three_phase_epoch_runner_warmup_{wname}", epoch_cfg(
            lr_config=dict(policy="OneCycle", max_lr=0.5, three_phase=True),
            momentum_config=dict(policy="OneCycle", base_momentum=0.8, max_momentum=0.9, three_phase=True,
                                 anneal_strategy="linear", pct_start=0.4, **warm))
    yield "mom_onecycle_total_steps_mismatch", iter_cfg(
        lr_config=dict(policy="OneCycle", max_lr=0.5, total_steps=50),
        momentum_config=dict(policy="OneCycle"))
    yield "mom_cosine_adam_betas", dict(epoch_cfg(momentum_config=dict(policy="CosineAnnealing", min_momentum=0.5)),
                                        optimizer=dict(type="Adam", lr=0.01, betas=(0.9, 0.999)))
    yield "mom_onecycle_adam_betas", dict(iter_cfg(lr_config=dict(policy="OneCycle", max_lr=0.05),
                                                   momentum_config=dict(policy="OneCycle")),
                                          optimizer=dict(type="Adam", lr=0.01, betas=(0.9, 0.999)))


def group_cases():
    """Two parameter groups and dicts of optimizers."""
    two = dict(param_groups=TWO_GROUPS)
    yield "groups_step_warmup_linear", epoch_cfg(
        lr_config=dict(policy="step", step=[1, 2], warmup="linear", warmup_iters=5, warmup_ratio=0.1),
        momentum_config=dict(policy="step", step=[2], warmup="linear", warmup_iters=5)), two
    yield "groups_cosine_by_iter", epoch_cfg(lr_config=dict(policy="CosineAnnealing", by_epoch=False,
                                                            min_lr_ratio=0.01)), two
    yield "groups_cyclic", iter_cfg(lr_config=dict(policy="cyclic"), momentum_config=dict(policy="cyclic")), two
    yield "groups_onecycle_list", iter_cfg(lr_config=dict(policy="OneCycle", max_lr=[0.5, 0.05]),
                                           momentum_config=dict(policy="OneCycle", base_momentum=[0.85, 0.7],
                                                                max_momentum=[0.95, 0.8])), two
    yield "groups_onecycle_dict_by_type", iter_cfg(lr_config=dict(policy="OneCycle", max_lr=dict(SGD=[0.5, 0.05]))), two
    yield "groups_flatcos_warmup_exp", iter_cfg(lr_config=dict(policy="FlatCosineAnnealing", start_percent=0.25,
                                                               min_lr=1e-3, warmup="exp", warmup_iters=8)), two
    for name, lr_config, momentum_config in (
            ("step_warmup", dict(policy="step", step=[1], warmup="linear", warmup_iters=5), None),
            ("cosine_momentum", dict(policy="CosineAnnealing", min_lr=0.0),
             dict(policy="CosineAnnealing", min_momentum_ratio=0.5, warmup="constant", warmup_iters=3)),
            ("poly_by_iter", dict(policy="poly", by_epoch=False, power=0.9), None),
            ("onecycle", dict(policy="OneCycle", by_epoch=False, max_lr=dict(gen=[0.5], disc=[0.05])),
             dict(policy="OneCycle", by_epoch=False)),
            ("cyclic", dict(policy="cyclic", by_epoch=False), dict(policy="cyclic", by_epoch=False))):
        cfg = epoch_cfg(lr_config=lr_config, momentum_config=momentum_config)
        cfg["optimizer"] = copy.deepcopy(OPTIM_DICT)
        yield f"optim_dict_{name}", cfg, {}


def error_cases():
    """Configs MMCV rejects; hookport must reject them too, with a clear error."""
    yield "error_cyclic_list_target_ratio", iter_cfg(lr_config=dict(policy="cyclic", target_ratio=[10, 1e-4]))
    yield "error_cyclic_by_epoch", epoch_cfg(lr_config=dict(policy="cyclic", by_epoch=True))
    yield "error_cyclic_step_ratio_up", iter_cfg(lr_config=dict(policy="cyclic", step_ratio_up=1.0))
    yield "error_cyclic_gamma", iter_cfg(lr_config=dict(policy="cyclic", gamma=1.5))
    yield "error_cyclic_three_ratios", iter_cfg(lr_config=dict(policy="cyclic", target_ratio=(10, 1, 0.1)))
    yield "error_cyclic_anneal", iter_cfg(lr_config=dict(policy="cyclic", anneal_strategy="poly"))
    yield "error_lowercase_cosineannealing", epoch_cfg(lr_config=dict(policy="cosineannealing", min_lr=0))
    yield "error_lowercase_onecycle", iter_cfg(lr_config=dict(policy="onecycle", max_lr=0.5))
    yield "error_unknown_policy", epoch_cfg(lr_config=dict(policy="Banana"))
    yield "error_missing_policy", epoch_cfg(lr_config=dict(step=[1]))
    yield "error_exp_without_gamma", epoch_cfg(lr_config=dict(policy="exp", power=0.5))
    yield "error_unknown_warmup", epoch_cfg(lr_config=dict(policy="fixed", warmup="cosine", warmup_iters=5))
    yield "error_warmup_iters_zero", epoch_cfg(lr_config=dict(policy="fixed", warmup="linear", warmup_iters=0))
    yield "error_warmup_ratio_zero", epoch_cfg(lr_config=dict(policy="fixed", warmup="linear", warmup_iters=5,
                                                              warmup_ratio=0))
    yield "error_warmup_by_epoch_in_iter_runner", iter_cfg(lr_config=dict(policy="fixed", warmup="linear",
                                                                          warmup_iters=1, warmup_by_epoch=True))
    yield "error_step_string", epoch_cfg(lr_config=dict(policy="step", step="1"))
    yield "error_step_zero", epoch_cfg(lr_config=dict(policy="step", step=[0, 2]))
    yield "error_step_float_list", epoch_cfg(lr_config=dict(policy="step", step=[1.5]))
    yield "error_cosine_both_min", epoch_cfg(lr_config=dict(policy="CosineAnnealing", min_lr=0, min_lr_ratio=0.1))
    yield "error_cosine_no_min", epoch_cfg(lr_config=dict(policy="CosineAnnealing"))
    yield "error_flatcos_int_start", epoch_cfg(lr_config=dict(policy="FlatCosineAnnealing", start_percent=1,
                                                              min_lr=0))
    yield "error_cosrestart_past_periods", epoch_cfg(lr_config=dict(policy="CosineRestart", periods=[1, 1],
                                                                    min_lr=0, restart_weights=[1, 1]))
    yield "error_cosrestart_weights_length", epoch_cfg(lr_config=dict(policy="CosineRestart", periods=[1, 2],
                                                                      min_lr=0))
    yield "error_onecycle_total_steps_short", iter_cfg(lr_config=dict(policy="OneCycle", max_lr=0.5, total_steps=20))
    yield "error_onecycle_by_epoch", epoch_cfg(lr_config=dict(policy="OneCycle", max_lr=0.5, by_epoch=True))
    yield "error_onecycle_pct_int", iter_cfg(lr_config=dict(policy="OneCycle", max_lr=0.5, pct_start=1))
    yield "error_onecycle_max_lr_str", iter_cfg(lr_config=dict(policy="OneCycle", max_lr="0.5"))
    yield "error_onecycle_total_steps_float", iter_cfg(lr_config=dict(policy="OneCycle", max_lr=0.5,
                                                                      total_steps=40.0))
    yield "error_onecycle_list_length", iter_cfg(lr_config=dict(policy="OneCycle", max_lr=[0.5, 0.1]))
    yield "error_onecycle_dict_missing_key", iter_cfg(lr_config=dict(policy="OneCycle", max_lr=dict(Adam=[0.5])))
    cfg = epoch_cfg(lr_config=dict(policy="OneCycle", by_epoch=False, max_lr=dict(gen=0.5, disc=0.05)))
    cfg["optimizer"] = copy.deepcopy(OPTIM_DICT)
    yield "error_onecycle_dict_scalar_max_lr", cfg
    yield "error_momentum_warmup_by_epoch", epoch_cfg(momentum_config=dict(policy="step", step=[1], warmup="linear",
                                                                           warmup_iters=1, warmup_by_epoch=True))
    yield "error_momentum_lowercase_cosineannealing", epoch_cfg(momentum_config=dict(policy="cosineannealing",
                                                                                     min_momentum=0.5))
    yield "error_momentum_unknown_warmup", epoch_cfg(momentum_config=dict(policy="step", step=[1], warmup="cos",
                                                                          warmup_iters=3))
    yield "error_momentum_cyclic_list", iter_cfg(momentum_config=dict(policy="cyclic", target_ratio=[0.8, 1.0]))
    yield "error_momentum_onecycle_str", iter_cfg(momentum_config=dict(policy="OneCycle", base_momentum="0.85"))
    yield "error_momentum_onecycle_no_momentum", dict(
        iter_cfg(momentum_config=dict(policy="OneCycle")), optimizer=dict(type="Adagrad", lr=0.1))


class Recorder(Hook):
    """Reads the lr/momentum the coming step will use (registered LOWEST: after every updater)."""

    def __init__(self, log):
        self.log = log

    def before_train_iter(self, runner):
        lr, mom = runner.current_lr(), runner.current_momentum()
        if isinstance(lr, dict):  # dict of optimizers: flatten in the dict's order
            lr = [v for name in lr for v in lr[name]]
            mom = [v for name in mom for v in mom[name]]
        self.log["lr"].append([float(v) for v in lr])
        self.log["momentum"].append([float(v) for v in mom])
        self.log["epoch"].append(runner.epoch)
        self.log["inner_iter"].append(runner.inner_iter)


def build_optimizer(model, cfg, param_groups=None):
    """The config's optimizer (or dict of optimizers) over the toy model."""
    spec = cfg["optimizer"]
    if "type" not in spec:  # a dict of optimizers: the first gets layer a, the second layer b
        layers = iter((model.a, model.b))
        return {name: build_optimizer(next(layers), dict(optimizer=sub)) for name, sub in spec.items()}
    args = dict(spec)
    optim_cls = getattr(torch.optim, args.pop("type"))
    if param_groups:
        groups = [dict(g, params=list(layer.parameters())) for g, layer in zip(param_groups, (model.a, model.b))]
        return optim_cls(groups, **args)
    return optim_cls(model.parameters(), **args)


def run_case(cfg, param_groups=None):
    """Train the toy model under ``cfg``; return the recorded trajectory or the error."""
    cfg = copy.deepcopy(cfg)
    torch.manual_seed(0)
    model = common.ToyModel()
    log = dict(lr=[], momentum=[], epoch=[], inner_iter=[])
    logger = get_logger("mmcv_ref_schedules", log_level=logging.ERROR)
    runner_cfg = dict(cfg["runner"])
    runner_cls = {"EpochBasedRunner": EpochBasedRunner, "IterBasedRunner": IterBasedRunner}[runner_cfg.pop("type")]
    try:
        runner = runner_cls(model, optimizer=build_optimizer(model, cfg, param_groups), work_dir=None,
                            logger=logger, **runner_cfg)
        runner.register_training_hooks(lr_config=cfg.get("lr_config"), momentum_config=cfg.get("momentum_config"))
        runner.register_hook(Recorder(log), priority="LOWEST")
        runner.run([common.toy_loader(ITERS_PER_EPOCH)], [("train", 1)])
    except Exception as err:  # the error is the reference datum
        return dict(error=dict(type=type(err).__name__, message=str(err)))
    return log


def main():
    cases = []
    groups = [(n, c, {}) for n, c in itertools.chain(lr_cases(), momentum_cases(), error_cases())]
    groups += list(group_cases())
    for name, cfg, extra in groups:
        # repr keeps tuples (a list target_ratio means something else to MMCV): read with ast.literal_eval.
        case = dict(name=name, cfg=repr(cfg), iters_per_epoch=ITERS_PER_EPOCH, **extra)
        case.update(run_case(cfg, extra.get("param_groups")))
        cases.append(case)
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    print(common.write_json("schedules.json", dict(mmcv_version="1.7.2", cases=cases)), len(cases), "cases,",
          sum("error" in c for c in cases), "errors")


if __name__ == "__main__":
    main()
