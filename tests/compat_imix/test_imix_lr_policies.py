"""iMIX's LR policies, torch-free: hand-computed values and differential checks against torch schedulers."""
import math

import pytest
import torch

from hookport.compat.imix.lr_policies import POLICIES, build_policy
from hookport.errors import ConfigError


class Sim:
    def __init__(self, lr=1.0, groups=1):
        self.param_groups = [{"lr": lr * (i + 1)} for i in range(groups)]
        self.defaults = {"lr": lr}


def trajectory(cfg, steps, lr=1.0):
    opt = Sim(lr)
    policy = build_policy(cfg, opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        policy.step()
    return out


@pytest.mark.parametrize("cfg, expected", [
    (dict(policy="WarmupMultiStepLR", milestones=[3, 5], gamma=0.1, warmup_factor=0.5, warmup_iters=2),
     [0.5, 0.75, 1.0, 0.1, 0.1, 0.01]),
    (dict(policy="WarmupMultiStepLR", milestones=[2], warmup_method="constant", warmup_factor=0.1, warmup_iters=2),
     [0.1, 0.1, 0.1, 0.1]),
    (dict(policy="WarmupCosineLR", max_iters=4, warmup_iters=0), [1.0, 0.5 * (1 + math.cos(math.pi / 4)), 0.5,
                                                                 0.5 * (1 + math.cos(3 * math.pi / 4))]),
    (dict(policy="MultiStepScheduler", use_warmup=True, lr_steps=[4], lr_ratio=0.2, warmup_factor=0.25,
          warmup_iterations=2), [0.25, 0.625, 1.0, 1.0, 0.2, 0.2]),  # warm-up includes step == warmup_iterations
    (dict(policy="PythiaScheduler", use_warmup=False, lr_steps=[1, 3], lr_ratio=0.5), [1.0, 0.5, 0.5, 0.25]),
    (dict(policy="WarmupLinearScheduleNonZero", t_total=4, warmup_iterations=2, min_lr=0.3),
     [0.3, 0.5, 1.0, 0.5, 0.3]),
    (dict(policy="BertWarmupLinearLR", max_iters=10, warmup=0.2), [0.0, 0.5, 1.0, 0.875, 0.75]),
    (dict(policy="BertWarmupLinearLR", max_iters=4, warmup=0.5, warmup_method="warmup_cosine"),
     [0.0, 0.5, 0.5 * (1 + math.cos(math.pi / 2)), 0.5 * (1 + math.cos(3 * math.pi / 4))]),
    (dict(policy="ConstantSchedule"), [1.0, 1.0]),
    (dict(policy="WarmupConstantSchedule", num_warmup_steps=2), [0.0, 0.5, 1.0, 1.0]),
    (dict(policy="WarmupLinearSchedule", num_warmup_steps=2, num_training_steps=6), [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]),
    (dict(policy="WarmupCosineSchedule", num_warmup_steps=1, num_training_steps=3), [0.0, 1.0, 0.5, 0.0]),
    (dict(policy="WarmupCosineWithHardRestartsSchedule", num_warmup_steps=0, num_training_steps=4, num_cycles=2),
     [1.0, 0.5, 1.0, 0.5, 0.0]),
    (dict(policy="WarmupPolynomialSchedule", num_warmup_steps=0, num_training_steps=2, lr_end=0.5, power=1.0),
     [1.0, 0.75, 0.5, 0.5]),
])
def test_policy_values(cfg, expected):
    assert trajectory(cfg, len(expected)) == pytest.approx(expected)


def torch_trajectory(make, steps):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = make(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def test_multistep_without_warmup_matches_torch():
    ours = trajectory(dict(policy="WarmupMultiStepLR", milestones=[2, 5], gamma=0.3, warmup_iters=0), 8)
    theirs = torch_trajectory(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [2, 5], gamma=0.3), 8)
    assert ours == pytest.approx(theirs)


def test_cosine_without_warmup_matches_torch():
    ours = trajectory(dict(policy="WarmupCosineLR", max_iters=7, warmup_iters=0), 8)
    theirs = torch_trajectory(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7), 8)
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_policy_on_a_torch_optimizer_keeps_group_ratios_and_round_trips():
    params = [torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(1))]
    opt = torch.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}], lr=1.0)
    policy = build_policy(dict(policy="WarmupMultiStepLR", milestones=[1], gamma=0.1, warmup_iters=0), opt)
    policy.step()
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([0.1, 0.05])
    state = policy.state_dict()
    other = build_policy(dict(policy="WarmupMultiStepLR", milestones=[1], gamma=0.1, warmup_iters=0),
                         torch.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}], lr=1.0))
    other.load_state_dict(state)
    assert other.get_last_lr() == pytest.approx([0.1, 0.05])


@pytest.mark.parametrize("cfg, message", [
    (dict(milestones=[1]), "needs a 'policy'"),
    (dict(policy="Nope"), "unknown iMIX lr_config.policy 'Nope'"),
    (dict(policy="ReduceOnPlateauSchedule"), "not supported"),
    (dict(policy="WarmupMultiStepLR", milestones=[3, 1]), "increasing"),
    (dict(policy="WarmupMultiStepLR", milestones=[3], typo=1), "unexpected keyword argument 'typo'"),
    (dict(policy="MultiStepScheduler", use_warmup=True, lr_steps=[2], lr_ratio=0.1, warmup_factor=0.1,
          warmup_iterations=2), "below the first lr_steps"),
])
def test_bad_lr_config(cfg, message):
    with pytest.raises(ConfigError, match=message):
        build_policy(cfg, Sim())


def test_shared_warmup_keys_are_accepted_by_every_policy():
    # IterationTimerHook reads use_warmup/warmup_iterations, so configs carry them for any policy
    traj = trajectory(dict(policy="WarmupLinearSchedule", num_warmup_steps=0, num_training_steps=2,
                           use_warmup=True, warmup_iterations=0), 2)
    assert traj == pytest.approx([1.0, 0.5])



def test_every_imix_policy_but_reduce_on_plateau_is_implemented():
    imix_policies = {"WarmupMultiStepLR", "ReduceOnPlateauSchedule", "WarmupCosineLR", "PythiaScheduler",
                     "MultiStepScheduler", "WarmupLinearScheduleNonZero", "BertWarmupLinearLR", "ConstantSchedule",
                     "WarmupConstantSchedule", "WarmupLinearSchedule", "WarmupCosineSchedule",
                     "WarmupCosineWithHardRestartsSchedule", "WarmupPolynomialSchedule"}  # imix.md §7.4
    assert set(POLICIES) == imix_policies - {"ReduceOnPlateauSchedule"}
