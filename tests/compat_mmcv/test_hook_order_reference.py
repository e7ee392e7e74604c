"""Differential test: ``hookport hooks`` on legacy configs vs MMCV 1.7.2's ``get_hook_info()``.

Reference: tests/data/reference/mmcv/hook_order.json and hook_stages.json, written by
tools/refdata/mmcv_hook_order.py on the real MMCV 1.7.2 (MMDetection 2.28 registration order).
The configs import fixtures/mmcv/legacy_hooks.py, an unchanged MMCV custom-hook file, which
runs here on hookport's ``mmcv.runner`` stand-in.
"""
import ast
import json
import sys
from pathlib import Path

import pytest

from hookport.compat.mmcv.dialect import MMCVDialect
from hookport.compat.mmcv.hook import MMCV_STAGES
from hookport.registry import MMCV_HOOKS

ROOT = Path(__file__).parents[2]
REF = json.loads((ROOT / "tests/data/reference/mmcv/hook_order.json").read_text())
STAGES_REF = json.loads((ROOT / "tests/data/reference/mmcv/hook_stages.json").read_text())
CASES = {case["name"]: case for case in REF["cases"]}
# Classes MMCV has that hookport leaves out (services without a maintained client).
NOT_PORTED = {"PaviLoggerHook"}  # an OpenMMLab-internal service


@pytest.fixture(autouse=True)
def legacy_hooks_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "fixtures/mmcv"))


def _table(case):
    cfg = ast.literal_eval(case["cfg"])
    cfg["custom_imports"] = dict(imports=["legacy_hooks"])
    return MMCVDialect().hook_table(cfg, distributed=case["distributed"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_hook_info_text_equals_mmcv(name):
    case = CASES[name]
    table = _table(case)
    assert [[type(h).__name__, h.priority] for h in table.hooks] == case["hooks"]
    assert table.info(MMCV_STAGES) == case["info"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_mount_points_equal_mmcv(name):
    doc = _table(CASES[name]).as_json("mmcv", MMCV_STAGES)
    got = {stage: [entry["hook"] for entry in entries] for stage, entries in doc["mount_points"].items() if entries}
    assert got == CASES[name]["stages"]
    assert doc["dialect"] == "mmcv"


@pytest.mark.parametrize("name,stages", STAGES_REF["triggered_stages"])
def test_builtin_hook_mount_points_equal_mmcv(name, stages):
    if name in NOT_PORTED:
        pytest.skip(f"{name} is not ported")
    if name not in MMCV_HOOKS:
        sys.path.insert(0, str(ROOT / "fixtures/mmcv"))
        __import__("legacy_hooks")
    cls = MMCV_HOOKS.get(name)
    assert cls.get_triggered_stages(object.__new__(cls)) == stages
