"""Hook order equals real MMEngine 0.10.7's (tests/data/reference/mmengine/hook_order_*.json).

The reference script (tools/refdata/mmengine_hook_order.py) built real MMEngine Runners
for several default_hooks/custom_hooks combinations, with user hook classes described
in the JSON (name, overridden mount points, class priority); the same classes are
rebuilt here on hookport's Hook base.
"""
import copy
import glob
import json
import os

import pytest

from hookport.hooks.hook import Hook
from hookport.registry import HOOKS
from hookport.runner.dialect import DIALECTS

REF_DIR = os.path.join(os.path.dirname(__file__), "..", "data", "reference", "mmengine")
CASES = sorted(glob.glob(os.path.join(REF_DIR, "hook_order_*.json")))


def _load(path):
    with open(path) as fh:
        return json.load(fh)


def _register_user_hooks(specs):
    def method(self, *args, **kwargs):
        return None

    for name, spec in specs.items():
        attrs = {stage: method for stage in spec["stages"]}
        if spec["priority"] is not None:
            attrs["priority"] = spec["priority"]
        HOOKS.register_module(module=type(name, (Hook,), attrs), force=True)


def test_reference_cases_exist():
    assert len(CASES) >= 5


@pytest.mark.parametrize("path", CASES, ids=lambda p: os.path.basename(p)[len("hook_order_"):-5])
def test_hook_table_matches_mmengine(path):
    ref = _load(path)
    _register_user_hooks(ref["user_hooks"])
    cfg = {k: copy.deepcopy(v) for k, v in ref["case"].items() if v is not None}
    dialect = DIALECTS.get("mmengine")
    table = dialect.hook_table(cfg)
    doc = table.as_json("mmengine")
    assert doc["hooks"] == ref["hooks"]
    assert {s: v for s, v in doc["mount_points"].items() if v} == ref["mount_points"]
    assert table.info() == ref["info"]


def test_runner_get_hooks_info_matches_mmengine(tmp_path):
    import torch

    from hookport.runner.runner import Runner

    ref = _load(os.path.join(REF_DIR, "hook_order_custom_hooks_priorities.json"))
    _register_user_hooks(ref["user_hooks"])
    runner = Runner(model=torch.nn.Linear(2, 1), work_dir=str(tmp_path), log_level="WARNING",
                    **copy.deepcopy({k: v for k, v in ref["case"].items() if v is not None}))
    try:
        assert runner.get_hooks_info() == ref["info"]
        assert [type(h).__name__ for h in runner.hooks] == [e["hook"] for e in ref["hooks"]]
    finally:
        runner.close()
