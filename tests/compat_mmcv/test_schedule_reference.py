"""Differential test: hookport's MMCV updaters vs the real MMCV 1.7.2 runners.

Reference: tests/data/reference/mmcv/schedules.json, written by tools/refdata/mmcv_schedules.py
(every lr policy x warm-up x by_epoch x warmup_by_epoch on EpochBasedRunner and IterBasedRunner,
momentum policies, two param groups, dicts of optimizers, and the configs MMCV rejects).
"""
import ast
import json
import math
from pathlib import Path

import pytest

from hookport.compat.mmcv.simulate import simulate_mmcv
from hookport.errors import HookportError

REF = json.loads((Path(__file__).parents[1] / "data/reference/mmcv/schedules.json").read_text())
CASES = {case["name"]: case for case in REF["cases"]}
TRAJECTORIES = sorted(name for name, case in CASES.items() if "error" not in case)
ERRORS = sorted(name for name, case in CASES.items() if "error" in case)
REL = 1e-12


def _close(got, want):
    return len(got) == len(want) and all(
        len(g) == len(w) and all(math.isclose(a, b, rel_tol=REL, abs_tol=1e-300) for a, b in zip(g, w))
        for g, w in zip(got, want))


def _run(case):
    return simulate_mmcv(ast.literal_eval(case["cfg"]), case["iters_per_epoch"], case.get("param_groups"))


def test_reference_covers_the_matrix():
    assert REF["mmcv_version"] == "1.7.2"
    assert len(TRAJECTORIES) > 400 and len(ERRORS) > 100


@pytest.mark.parametrize("name", TRAJECTORIES)
def test_trajectory_matches_mmcv(name):
    case = CASES[name]
    got = _run(case)
    assert got["iters_per_epoch"] == case["iters_per_epoch"]
    assert _close(got["lr"], case["lr"]), (got["lr"], case["lr"])
    assert _close(got["momentum"], case["momentum"]), (got["momentum"], case["momentum"])


@pytest.mark.parametrize("name", ERRORS)
def test_rejected_like_mmcv(name):
    with pytest.raises(HookportError) as info:
        _run(CASES[name])
    assert str(info.value).strip(), "the error must say what is wrong"
