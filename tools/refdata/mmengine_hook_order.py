"""Hook order of real MMEngine 0.10.7 Runners for several default_hooks/custom_hooks combinations.

Run with ``$REFENV/bin/python tools/refdata/mmengine_hook_order.py``. Writes
``tests/data/reference/mmengine/hook_order_<case>.json`` with, per case: the config's
``default_hooks``/``custom_hooks`` (user hooks as specs: class name, overridden mount
points, class priority), MMEngine's ``get_hooks_info()`` text, the sorted hook list with
priorities, and the hooks per mount point. ``tests/runner/test_hook_order.py`` rebuilds
the same user hooks for hookport and compares.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")

from torch import nn  # noqa: E402

from mmengine.hooks import Hook  # noqa: E402
from mmengine.registry import HOOKS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from mmengine.runner.priority import Priority  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference", "mmengine")

# User hook classes: name -> (mount points overridden, class priority or None).
USER_HOOKS = {
    "UserIterHook": (["before_train_iter", "after_train_iter"], None),
    "UserEpochHook": (["before_train_epoch", "after_train_epoch", "after_val_epoch"], "LOW"),
    "UserRunHook": (["before_run", "after_run", "before_save_checkpoint", "after_load_checkpoint"], "HIGHEST"),
    "UserGenericHook": (["_after_iter", "_before_epoch"], None),
    "UserValHook": (["before_val", "after_val", "before_test", "after_test"], 45),
}


def _make_user_hook(name, stages, priority):
    def method(self, *args, **kwargs):
        return None

    attrs = {stage: method for stage in stages}
    if priority is not None:
        attrs["priority"] = priority
    cls = type(name, (Hook,), attrs)
    HOOKS.register_module(module=cls, force=True)
    return cls


for _name, (_stages, _prio) in USER_HOOKS.items():
    _make_user_hook(_name, _stages, _prio)

CASES = {
    "defaults": dict(default_hooks=None, custom_hooks=None),
    "override_priority_and_remove": dict(
        default_hooks=dict(checkpoint=dict(type="CheckpointHook", interval=2, priority="HIGHEST"),
                           logger=None, timer=dict(type="IterTimerHook", priority=75)),
        custom_hooks=None),
    "unknown_default_key_appended": dict(
        default_hooks=dict(empty=dict(type="EmptyCacheHook", after_iter=True), sampler_seed=None,
                           user=dict(type="UserIterHook", priority="VERY_HIGH")),
        custom_hooks=None),
    "custom_hooks_priorities": dict(
        default_hooks=None,
        custom_hooks=[dict(type="EMAHook", priority="ABOVE_NORMAL"),
                      dict(type="UserIterHook"),
                      dict(type="UserEpochHook"),
                      dict(type="SyncBuffersHook", priority=50),
                      dict(type="EmptyCacheHook", priority="LOWEST", after_epoch=True),
                      dict(type="UserRunHook"),
                      dict(type="UserValHook")]),
    "ties_keep_registration_order": dict(
        default_hooks=dict(param_scheduler=dict(type="ParamSchedulerHook", priority="NORMAL")),
        custom_hooks=[dict(type="UserGenericHook", priority="NORMAL"),
                      dict(type="UserIterHook", priority="VERY_HIGH"),
                      dict(type="UserValHook", priority=10),
                      dict(type="UserEpochHook", priority="BELOW_NORMAL")]),
    "everything_removed_but_custom": dict(
        default_hooks=dict(runtime_info=None, timer=None, sampler_seed=None, logger=None, param_scheduler=None,
                           checkpoint=None),
        custom_hooks=[dict(type="UserGenericHook"), dict(type="UserRunHook", priority=100)]),
}


def _prio_name(value):
    try:
        return Priority(value).name
    except ValueError:
        return str(value)


def capture(case):
    with tempfile.TemporaryDirectory() as work_dir:
        kwargs = {k: v for k, v in case.items() if v is not None}
        import copy

        runner = Runner(model=nn.Linear(2, 1), work_dir=work_dir, **copy.deepcopy(kwargs))
        hooks = [dict(hook=type(h).__name__, priority=int(getattr(h.priority, "value", h.priority))
                      if not isinstance(h.priority, str) else int(Priority[h.priority.upper()].value))
                 for h in runner.hooks]
        for entry in hooks:
            entry["priority_name"] = _prio_name(entry["priority"])
        stages = {stage: [] for stage in Hook.stages}
        for hook, entry in zip(runner.hooks, hooks):
            for stage in hook.get_triggered_stages():
                stages[stage].append(entry)
        info = runner.get_hooks_info()
        logging.getLogger("mmengine").handlers.clear()
    return dict(hooks=hooks, mount_points={s: v for s, v in stages.items() if v}, info=info)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, case in CASES.items():
        result = dict(case=case, user_hooks={k: dict(stages=v[0], priority=v[1]) for k, v in USER_HOOKS.items()},
                      mmengine_version="0.10.7", **capture(case))
        path = os.path.join(OUT, f"hook_order_{name}.json")
        with open(path, "w") as fh:
            json.dump(result, fh, indent=1, sort_keys=True)
            fh.write("\n")
        print("wrote", os.path.relpath(path))


if __name__ == "__main__":
    sys.exit(main())
