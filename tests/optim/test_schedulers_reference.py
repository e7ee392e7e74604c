"""Differential tests: hookport's schedule simulation against REAL MMEngine 0.10.7 trajectories.

The reference JSON is written by ``tools/refdata/mmengine_schedules.py`` (run in the
reference environment); each case is an MMEngine config trained by MMEngine's Runner
with 10 iterations per epoch, with the lr/momentum of every param group recorded
before each iteration's optimizer step.
"""
import json
import math
from pathlib import Path

import pytest

from hookport.errors import HookportError
from hookport.optim.simulate import simulate_mmengine

REFERENCE = Path(__file__).resolve().parents[1] / "data/reference/mmengine_schedules/trajectories.json"
CASES = json.loads(REFERENCE.read_text())["cases"]
TRAJECTORIES = sorted(name for name, case in CASES.items() if "error" not in case)
ERRORS = sorted(name for name, case in CASES.items() if "error" in case)
REL = 1e-12


def simulate(case):
    """hookport's trajectory for a reference case (explicit groups when paramwise_cfg made several)."""
    groups = case["initial_param_groups"] if len(case["initial_param_groups"] or []) > 1 else None
    return simulate_mmengine(case["config"], case["iters_per_epoch"], param_groups=groups,
                             metrics=case.get("metrics"))


def assert_trajectory(actual, expected, what):
    assert len(actual) == len(expected), f"{what}: {len(actual)} iterations, MMEngine has {len(expected)}"
    for it, (got, want) in enumerate(zip(actual, expected)):
        assert len(got) == len(want), f"{what} iter {it}: {len(got)} groups, MMEngine has {len(want)}"
        for group, (g, w) in enumerate(zip(got, want)):
            if w is None or g is None:
                assert g is w, f"{what} iter {it} group {group}: {g} != {w}"
            else:
                assert math.isclose(g, w, rel_tol=REL, abs_tol=0.0), \
                    f"{what} iter {it} group {group}: hookport {g!r}, MMEngine {w!r}"


def test_reference_covers_every_scheduler():
    used = set()
    for case in CASES.values():
        scheds = case["config"]["param_scheduler"]
        used.update(s["type"] for s in (scheds if isinstance(scheds, list) else [scheds]))
    from hookport.registry import PARAM_SCHEDULERS
    lr_and_momentum = {n for n in PARAM_SCHEDULERS.names() if n.endswith(("LR", "Momentum"))}
    assert lr_and_momentum <= used, f"no reference case for {sorted(lr_and_momentum - used)}"


@pytest.mark.parametrize("name", TRAJECTORIES)
def test_trajectory_matches_mmengine(name):
    case = CASES[name]
    out = simulate(case)
    assert out["iters_per_epoch"] == case["iters_per_epoch"]
    assert_trajectory(out["lr"], case["lr"], f"{name} lr")
    assert_trajectory(out["momentum"], case["momentum"], f"{name} momentum")


@pytest.mark.parametrize("name", ERRORS)
def test_rejected_like_mmengine(name):
    with pytest.raises(HookportError) as info:
        simulate(CASES[name])
    assert str(info.value).strip(), "the error must say what is wrong"
