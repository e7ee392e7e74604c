"""Unit tests: scheduler arguments, MMEngine bookkeeping (initial_lr, betas), builder and simulation inputs."""
import logging

import pytest

from hookport.errors import ConfigError, HookportError
from hookport.optim.scheduler import (INF, CosineAnnealingLR, LinearLR, LinearMomentum, MultiStepLR, OneCycleLR,
                                      ReduceOnPlateauLR, SchedulerError, StepLR, build_param_scheduler,
                                      build_param_schedulers)
from hookport.optim.simulate import SimOptimizer, simulate_mmengine


def sgd(lr=0.1, momentum=0.9, groups=1):
    return SimOptimizer([dict(lr=lr, momentum=momentum) for _ in range(groups)])


def adam(lr=0.01, betas=(0.9, 0.999)):
    return SimOptimizer([dict(lr=lr, betas=betas)], dict(lr=lr, betas=betas))


@pytest.mark.parametrize("cfg, phrase", [
    (dict(type="ConstantLR", factor=1.5), "between 0 and 1"),
    (dict(type="LinearLR", end_factor=-1), "ending multiplicative factor"),
    (dict(type="StepLR", step_size=1, begin=4, end=4), "end should be larger than begin"),
    (dict(type="StepLR", step_size=1, last_step=-2), "last_step"),
    (dict(type="CosineAnnealingLR", eta_min=0, eta_min_ratio=0.1), "either `eta_min` or `eta_min_ratio`"),
    (dict(type="CosineRestartLR", periods=[1, 2], restart_weights=[1]), "either `eta_min`"),
    (dict(type="CosineRestartLR", periods=[1, 2], restart_weights=[1], eta_min=0), "same length"),
    (dict(type="OneCycleLR", eta_max=1, total_steps=0), "positive integer total_steps"),
    (dict(type="OneCycleLR", eta_max=1, pct_start=1), "pct_start"),
    (dict(type="OneCycleLR", eta_max=1, anneal_strategy="exp"), "anneal_strategy"),
    (dict(type="OneCycleLR", eta_max=[1, 2]), "expected 1 values"),
    (dict(type="OneCycleParamScheduler", param_name="momentum"), "only works for learning rate"),
    (dict(type="ReduceOnPlateauLR", factor=1.0), "factor should be < 1.0"),
    (dict(type="ReduceOnPlateauLR", by_epoch=False), "only supports by_epoch=True"),
    (dict(type="ReduceOnPlateauLR", rule="most"), "rule 'most' is unknown"),
    (dict(type="ReduceOnPlateauLR", threshold_rule="x"), "threshold_rule 'x' is unknown"),
    (dict(type="ReduceOnPlateauLR", threshold=-1), "should be >= 0"),
    (dict(type="ReduceOnPlateauLR", min_value=[0, 0]), "expected 1 min_values"),
    (dict(type="StepLR", step_size=1, by_epoch=False, convert_to_iter_based=True), "only epoch-based"),
    (dict(type="ReduceOnPlateauLR", convert_to_iter_based=True), "cannot be converted"),
    (dict(type="MultiStepLR", milestone=[1]), "unexpected keyword argument 'milestone'"),
    (dict(type="CosineLR"), "unknown parameter scheduler type 'CosineLR'"),
])
def test_bad_arguments_raise_hookport_errors_that_say_why(cfg, phrase):
    with pytest.raises(HookportError) as info:
        build_param_scheduler(cfg, sgd(), epoch_length=10)
    assert phrase in str(info.value)


def test_scheduler_errors_are_value_errors_too():
    with pytest.raises(ValueError):
        LinearLR(sgd(), start_factor=2)


def test_optimizer_without_param_groups_is_rejected():
    with pytest.raises(SchedulerError, match="param_groups"):
        StepLR(object(), step_size=1)


def test_first_scheduler_records_initial_lr_and_later_ones_reuse_it():
    opt = sgd()
    LinearLR(opt, start_factor=0.5, by_epoch=False)
    assert opt.groups[0]["initial_lr"] == 0.1 and opt.groups[0]["lr"] == 0.05
    second = CosineAnnealingLR(opt, T_max=10)
    assert second.base_values == [0.1]  # not the warmed-down 0.05


def test_one_cycle_overwrites_initial_lr():
    opt = sgd(lr=0.3)
    OneCycleLR(opt, eta_max=0.5, total_steps=10)
    group = opt.groups[0]
    assert group["initial_lr"] == 0.5 / 25 and group["max_lr"] == 0.5
    assert group["min_lr"] == group["initial_lr"] / 1e4
    assert group["lr"] == pytest.approx(group["initial_lr"], rel=1e-12)  # cos annealing at pct 0


def test_one_cycle_refuses_to_step_past_total_steps():
    sched = OneCycleLR(sgd(), eta_max=0.5, total_steps=3, by_epoch=False)
    for _ in range(3):
        sched.step()
    with pytest.raises(SchedulerError, match="tried to step 5 times"):
        sched.step()


def test_resuming_with_last_step_needs_initial_value():
    with pytest.raises(SchedulerError, match="initial_lr"):
        StepLR(sgd(), step_size=2, last_step=3)
    opt = SimOptimizer([dict(lr=0.01, initial_lr=0.1, momentum=0.9)])
    sched = StepLR(opt, step_size=2, gamma=0.5, last_step=3)  # its construction step is step 4: a decay
    assert sched.last_step == 4 and opt.groups[0]["lr"] == 0.005


def test_momentum_of_adam_is_betas0_and_beta1_is_kept():
    opt = adam()
    sched = LinearMomentum(opt, start_factor=0.5, end=3, by_epoch=False)
    assert opt.groups[0]["betas"] == (0.45, 0.999) and opt.momentum() == [0.45]
    sched.step()
    sched.step()
    assert opt.groups[0]["betas"][1] == 0.999
    assert opt.groups[0]["betas"][0] == pytest.approx(0.9) == opt.groups[0]["momentum"]
    assert sched.use_betas


def test_momentum_scheduler_needs_momentum_or_betas():
    opt = SimOptimizer([dict(lr=0.1)], dict(lr=0.1))
    with pytest.raises(SchedulerError, match="must support momentum"):
        LinearMomentum(opt)


def test_momentum_mixin_reads_defaults_through_a_wrapper():
    class Wrapper:
        def __init__(self, optimizer):
            self.optimizer = optimizer
            self.param_groups = optimizer.param_groups

    inner = adam()
    del inner.defaults
    inner.defaults = dict(lr=0.01, betas=(0.9, 0.999))
    LinearMomentum(Wrapper(inner), start_factor=0.5)
    assert inner.groups[0]["betas"][0] == 0.45


def test_step_outside_begin_end_leaves_values_alone_and_get_last_value():
    opt = sgd()
    sched = MultiStepLR(opt, milestones=[1], begin=2, end=5, by_epoch=False)
    values = []
    for _ in range(7):
        values.append(opt.lr()[0])
        sched.step()
        assert sched.get_last_value() == opt.lr()
    # milestone 1 counts from begin=2: it fires at global step 3
    assert values == [0.1, 0.1, 0.1, pytest.approx(0.01), pytest.approx(0.01), pytest.approx(0.01),
                      pytest.approx(0.01)]


def test_verbose_logs_each_change(caplog):
    with caplog.at_level(logging.INFO, logger="hookport"):
        LinearLR(sgd(groups=2), start_factor=0.5, verbose=True)
    assert "Adjusting parameter value of group 1 to 5.0000e-02." in caplog.text


def test_state_dict_is_everything_but_the_optimizer_and_plain():
    sched = MultiStepLR(sgd(), milestones=[2, 2, 5])
    state = sched.state_dict()
    assert "optimizer" not in state and state["milestones"] == {2: 2, 5: 1}
    assert type(state["milestones"]) is dict
    assert {"begin", "end", "by_epoch", "last_step", "_global_step", "base_values", "_last_value"} <= set(state)


def test_load_state_dict_ignores_callables_from_mmengine_checkpoints():
    sched = OneCycleLR(sgd(), eta_max=0.5, total_steps=10)
    state = dict(sched.state_dict(), anneal_func=print, last_step=4)
    sched.load_state_dict(state)
    assert sched.last_step == 4 and not hasattr(sched, "anneal_func")


# -- plateau ------------------------------------------------------------------------------------
def test_plateau_counts_epochs_and_judges_metrics():
    opt = sgd()
    sched = ReduceOnPlateauLR(opt, monitor="acc", rule="greater", patience=0, factor=0.5, cooldown=1)
    assert opt.lr() == [0.1]  # no construction step
    for metric, lr in [(0.5, 0.1), (0.4, 0.05), (0.3, 0.05), (0.2, 0.025)]:
        sched.step()
        sched.step(dict(acc=metric))
        assert opt.lr() == [pytest.approx(lr)]
    with pytest.raises(SchedulerError, match="'acc' is not in the validation metrics"):
        sched.step(dict(loss=1.0))
    with pytest.raises(SchedulerError, match="metrics should be a dict"):
        sched.step([1.0])


def test_plateau_respects_min_value_and_eps():
    opt = sgd(lr=0.1)
    sched = ReduceOnPlateauLR(opt, patience=0, factor=0.1, min_value=0.05)
    for _ in range(3):
        sched.step(dict(loss=5.0))
    assert opt.lr() == [0.05]
    opt2 = sgd(lr=1e-9)
    sched2 = ReduceOnPlateauLR(opt2, patience=0, factor=0.5)
    sched2.step(dict(loss=1.0))
    sched2.step(dict(loss=1.0))
    assert opt2.lr() == [1e-9]  # the change is below eps


# -- builder ------------------------------------------------------------------------------------
def test_builder_defaults_end_to_the_train_loop():
    opt = sgd()
    epoch, it = build_param_schedulers([dict(type="LinearLR"), dict(type="LinearLR", by_epoch=False)], opt,
                                       max_epochs=3, max_iters=30)
    assert (epoch.end, it.end) == (3, 30)
    (free,) = build_param_schedulers(dict(type="StepLR", step_size=2), sgd())
    assert free.end == INF


def test_builder_convert_scales_epoch_arguments():
    opt = sgd()
    step, multi, cos = build_param_schedulers([
        dict(type="StepLR", step_size=2, begin=0.5, convert_to_iter_based=True),
        dict(type="MultiStepLR", milestones=[1, 3], convert_to_iter_based=True),
        dict(type="CosineAnnealingLR", T_max=4, end=4, convert_to_iter_based=True)], opt, epoch_length=10)
    assert (step.step_size, step.begin, step.end, step.by_epoch) == (20, 5, INF, False)
    assert multi.milestones == {10: 1, 30: 1}
    assert (cos.T_max, cos.end) == (40, 40)
    with pytest.raises(SchedulerError, match="epoch length"):
        build_param_scheduler(dict(type="StepLR", step_size=2, convert_to_iter_based=True), sgd())


def test_builder_dict_of_optimizers():
    gen, dis = sgd(), sgd(lr=0.2)
    shared = build_param_schedulers(dict(type="StepLR", step_size=1), dict(gen=gen, dis=dis))
    assert set(shared) == {"gen", "dis"} and shared["gen"][0].optimizer is gen
    per_name = build_param_schedulers(dict(gen=[dict(type="StepLR", step_size=1)],
                                           dis=dict(type="LinearLR", _scope_="mmengine")), dict(gen=gen, dis=dis))
    assert isinstance(per_name["dis"][0], LinearLR)
    with pytest.raises(SchedulerError, match=r"no entry for optimizer\(s\) \['dis'\]"):
        build_param_schedulers(dict(gen=[]), dict(gen=gen, dis=dis))


def test_builder_passes_built_schedulers_through_and_rejects_junk():
    opt = sgd()
    built = StepLR(opt, step_size=1)
    assert build_param_schedulers([built], opt) == [built]
    with pytest.raises(SchedulerError, match="dict\\(type=...\\)"):
        build_param_schedulers(["StepLR"], opt)


# -- simulation inputs ----------------------------------------------------------------------------
BASE = dict(train_cfg=dict(by_epoch=True, max_epochs=2), optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1)))


@pytest.mark.parametrize("patch, phrase", [
    (dict(train_cfg=None), "no train_cfg"),
    (dict(train_cfg=dict(max_epochs=2)), "either 'type' or 'by_epoch'"),
    (dict(train_cfg=dict(type="MyLoop")), "only EpochBasedTrainLoop and IterBasedTrainLoop"),
    (dict(train_cfg=dict(by_epoch=False, max_epochs=2)), "max_iters must be an int"),
    (dict(optim_wrapper=dict(gen=dict(optimizer=dict(type="SGD", lr=0.1)))), "several optimizers"),
    (dict(optim_wrapper=dict(optimizer=dict(type="MyOpt"))), "give lr=..."),
    (dict(auto_scale_lr=dict(enable=True, base_batch_size=4)), "train_dataloader.batch_size"),
])
def test_simulation_rejects_configs_it_cannot_read(patch, phrase):
    with pytest.raises(ConfigError, match=phrase.replace("(", r"\(").replace(")", r"\)")):
        simulate_mmengine(dict(BASE, **patch), 5)


def test_simulation_knows_torch_defaults_and_group_counts():
    cfg = dict(BASE, optim_wrapper=dict(optimizer=dict(type="AdamW")))
    out = simulate_mmengine(cfg, 2, num_groups=3)
    assert out["lr"] == [[0.001] * 3] * 4 and out["momentum"] == [[0.9] * 3] * 4
    assert simulate_mmengine(dict(BASE, optim_wrapper=dict(optimizer=dict(type="Adagrad", lr=1.0))),
                             1)["momentum"] == [[None]] * 2
    with pytest.raises(ConfigError, match="positive int"):
        simulate_mmengine(BASE, 0)


def test_simulation_plateau_needs_metrics_and_uses_the_val_schedule():
    cfg = dict(train_cfg=dict(type="IterBasedTrainLoop", max_iters=12, val_interval=4),
               optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1)),
               param_scheduler=dict(type="ReduceOnPlateauLR", patience=0, factor=0.5),
               val_dataloader=dict(), val_cfg=dict(), val_evaluator=dict())
    with pytest.warns(UserWarning, match="depends on validation metrics"):
        assert simulate_mmengine(cfg, 4)["lr"] == [[0.1]] * 12
    lr = simulate_mmengine(cfg, 4, metrics=[dict(loss=1.0), dict(loss=2.0), dict(loss=3.0)])["lr"]
    assert lr == [[0.1]] * 8 + [[0.05]] * 4  # validation after iterations 4, 8 (12 is the end)
    with pytest.raises(ConfigError, match="not enough validation metrics"):
        simulate_mmengine(cfg, 4, metrics=[dict(loss=1.0)])
