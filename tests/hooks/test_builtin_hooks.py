"""Every built-in hook: registered, MMEngine 0.10.7's priority and mount points
(reference/mmengine_hooks/hook_table.json), constructible from config without torch or a runner."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hookport import priority as prio
from hookport.registry import HOOKS
from hookport.runner.dispatch import HookTable

REFERENCE = json.loads((Path(__file__).parents[1] / "data" / "reference" / "mmengine_hooks"
                        / "hook_table.json").read_text())
# Hooks from MMDetection 3.x / iMIX's documentation that MMEngine does not ship: (priority, mount points).
EXTRA = {
    "MemoryProfilerHook": ("NORMAL", ["after_test_iter", "after_train_iter", "after_val_iter"]),
    "CheckInvalidLossHook": ("NORMAL", ["after_train_iter"]),
    "AutogradAnomalyDetectHook": ("HIGHEST", ["after_train", "before_train"]),
}


def mount_points(hook):
    table = HookTable("mmengine")
    table.register(hook)
    return sorted(stage for stage in table.stages if table.members(stage))


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_priority_and_mount_points_match_mmengine(name):
    hook = HOOKS.build(dict(type=name))
    assert hook.priority == REFERENCE[name]["priority"]
    assert mount_points(hook) == REFERENCE[name]["stages"]


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_extra_hooks(name):
    hook = HOOKS.build(dict(type=name))
    assert (hook.priority, mount_points(hook)) == EXTRA[name]


def test_config_priority_overrides_the_class_priority():
    table = HookTable("mmengine")
    assert table.register(HOOKS.build(dict(type="EMAHook")), priority=49) == 49
    assert table.register(HOOKS.build(dict(type="CheckpointHook")), priority="HIGH") == prio.resolve("HIGH",
                                                                                                   "mmengine")


def test_building_every_hook_imports_no_torch():
    names = sorted(REFERENCE) + sorted(EXTRA)
    code = ("import sys\nfrom hookport.registry import HOOKS\n"
            f"for name in {names!r}:\n    HOOKS.build(dict(type=name))\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
