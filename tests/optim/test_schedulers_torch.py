"""hookport's schedulers driving a REAL torch optimizer give exactly the simulated trajectory.

A tiny training loop (nn.Linear, real backward/step) steps the schedulers the way
ParamSchedulerHook does; the lr/momentum each optimizer step used must equal
``simulate_mmengine`` bit for bit, and so MMEngine's reference.
"""
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hookport.optim.scheduler import build_param_schedulers  # noqa: E402
from hookport.optim.simulate import simulate_mmengine  # noqa: E402

REFERENCE = Path(__file__).resolve().parents[1] / "data/reference/mmengine_schedules/trajectories.json"
CASES = json.loads(REFERENCE.read_text())["cases"]
# Validation-driven (ReduceOnPlateau) and auto_scale_lr cases need the Runner, not a bare loop;
# per-group lists sized for MMEngine's OptimWrapper base group need that wrapper.
SKIP = {"groups_onecycle_list_eta_max", "groups_plateau_min_value_list", "auto_scale_lr_multistep"}
LOOP_CASES = sorted(n for n, c in CASES.items()
                    if "error" not in c and "metrics" not in c and n not in SKIP)


def torch_optimizer(case):
    """A torch optimizer over nn.Linear params, one group per recorded initial group."""
    groups = case["initial_param_groups"]
    opt_cfg = dict(case["config"]["optim_wrapper"]["optimizer"])
    opt_cls = getattr(torch.optim, opt_cfg.pop("type"))
    model = torch.nn.Linear(3, 1)
    params = list(model.parameters())
    if len(groups) == 1:
        return model, opt_cls(params, **opt_cfg)
    extra = [torch.nn.Parameter(torch.zeros(1)) for _ in range(len(groups) - len(params))]
    params += extra
    per_group = [dict(params=[p], **{k: (tuple(v) if k == "betas" else v) for k, v in g.items()})
                 for p, g in zip(params, groups)]
    return model, opt_cls(per_group, **opt_cfg)


def train(case):
    """Run the loop; return the lr/momentum each optimizer step used."""
    torch.manual_seed(0)
    model, optimizer = torch_optimizer(case)
    train_cfg, per_epoch = case["config"]["train_cfg"], case["iters_per_epoch"]
    by_epoch_loop = train_cfg.get("by_epoch", train_cfg.get("type") == "EpochBasedTrainLoop")
    max_epochs = train_cfg["max_epochs"] if by_epoch_loop else 1
    max_iters = max_epochs * per_epoch if by_epoch_loop else train_cfg["max_iters"]
    schedulers = build_param_schedulers(case["config"]["param_scheduler"], optimizer, per_epoch,
                                        max_epochs=max_epochs, max_iters=max_iters)
    lr, momentum = [], []
    x = torch.randn(4, 3)
    for it in range(max_iters):
        lr.append([g["lr"] for g in optimizer.param_groups])
        momentum.append([g["betas"][0] if "betas" in g else g.get("momentum") for g in optimizer.param_groups])
        optimizer.zero_grad()
        model(x).pow(2).mean().backward()
        optimizer.step()
        for s in schedulers:
            if not s.by_epoch:
                s.step()
        if by_epoch_loop and (it + 1) % per_epoch == 0:
            for s in schedulers:
                if s.by_epoch:
                    s.step()
    return lr, momentum


@pytest.mark.parametrize("name", LOOP_CASES)
def test_torch_loop_equals_simulation_and_mmengine(name):
    case = CASES[name]
    lr, momentum = train(case)
    groups = case["initial_param_groups"] if len(case["initial_param_groups"]) > 1 else None
    sim = simulate_mmengine(case["config"], case["iters_per_epoch"], param_groups=groups)
    assert lr == sim["lr"]
    assert momentum == sim["momentum"]
    assert lr == case["lr"]
    assert momentum == case["momentum"]
