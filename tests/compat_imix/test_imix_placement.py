"""Mixed use: iMIX hooks in MMEngine (and MMCV) runners keep their iMIX position among the defaults."""
import os

import pytest
from hypothesis import given, strategies as st

from hookport.compat.imix.hook import HookBase
from hookport.compat.imix.levels import PriorityStatus
from hookport.compat.imix.placement import host_priority
from hookport.errors import PriorityError
from hookport.runner.dialect import DIALECTS

from tests.compat_imix.imix_helpers import FIXTURES, load_cfg

MIXED = os.path.join(FIXTURES, "mixed", "mmengine_with_imix_hooks.py")
# iMIX's default hooks: (role, level); a custom hook goes after every one whose level <= its own.
IMIX_DEFAULTS = [("optimizer", 20), ("lr", 20), ("timer", 30), ("logger", 30), ("checkpoint", 30),
                 ("evaluate", 30)]
MMENGINE_ROLES = {"IterTimerHook": "timer", "LoggerHook": "logger", "ParamSchedulerHook": "lr",
                  "CheckpointHook": "checkpoint"}
# MMCV 1.7.2 register_training_hooks (imix.md §7.1): (class, priority, role)
MMCV_DEFAULTS = [("LrUpdaterHook", 10, "lr_set"), ("MomentumUpdaterHook", 30, "momentum_set"),
                 ("OptimizerHook", 40, "optimizer"), ("CheckpointHook", 50, "checkpoint"),
                 ("IterTimerHook", 70, "timer"), ("LoggerHook", 90, "logger")]


class Custom(HookBase):
    def after_train_iter(self):
        pass


def imix_before(level):
    return {role for role, lv in IMIX_DEFAULTS if lv <= level}


@given(st.sampled_from(list(PriorityStatus)), st.sampled_from(list(PriorityStatus)), st.sampled_from(["mmengine", "mmcv"]))
def test_translation_keeps_the_order_of_custom_levels(a, b, host):
    if a.value < b.value:
        assert host_priority(a, host) < host_priority(b, host)


@pytest.mark.parametrize("level", list(PriorityStatus))
def test_mmengine_position_among_real_default_hooks(level):
    table = DIALECTS.get("mmengine").hook_table({})
    hook = Custom()
    hook.level = level
    from hookport.runner.dialect_mmengine import build_hook

    table.register(*build_hook(hook, "mmengine"))
    names = [type(h).__name__ for h in table.hooks]
    before = {MMENGINE_ROLES[n] for n in names[:names.index("Custom")] if n in MMENGINE_ROLES}
    expected = imix_before(level.value) & set(MMENGINE_ROLES.values())
    if level is PriorityStatus.HIGH:
        # documented: MMEngine steps the LR after its timer and logger; HIGH keeps "before timer/logger"
        expected -= {"lr"}
    assert before == expected


@pytest.mark.parametrize("level", list(PriorityStatus))
def test_mmcv_position_among_its_default_priorities(level):
    p = host_priority(level, "mmcv")
    before = {role for _, prio, role in MMCV_DEFAULTS if prio <= p}  # customs register after defaults
    # the updaters set this iteration's values before it; iMIX has stepped its LR by then at every level
    assert before - {"lr_set", "momentum_set"} == imix_before(level.value) & {"optimizer", "checkpoint", "timer",
                                                                              "logger"}
    assert {"lr_set", "momentum_set"} <= before


def test_unknown_host_is_an_error():
    with pytest.raises(PriorityError, match="no iMIX placement for host 'detectron2'"):
        host_priority(30, "detectron2")
    assert host_priority("LOW", "imix") == 40


def test_mixed_config_is_mmengine_with_translated_priorities():
    cfg = load_cfg(os.path.join("..", "mixed", "mmengine_with_imix_hooks.py"))
    dialect = DIALECTS.get("mmengine")
    from hookport.runner.dialect import detect_dialect

    assert detect_dialect(cfg).name == "mmengine"
    doc = dialect.hook_table(cfg).as_json("mmengine")
    order = [(h["hook"], h["priority"]) for h in doc["mount_points"]["after_train_iter"]]
    assert order == [("RuntimeInfoHook", 10), ("LrWatcherHook", 30), ("IterTimerHook", 50), ("LoggerHook", 60),
                     ("ParamSchedulerHook", 70), ("CheckpointHook", 90), ("TrainerRecorderHook", 97),
                     ("EMAIterHook", 97), ("StepTimerHook", 99), ("SnapshotHook", 100)]


def test_imix_hooks_run_in_an_mmengine_runner(imix_fixture_env, tmp_path):
    cfg = load_cfg(os.path.join("..", "mixed", "mmengine_with_imix_hooks.py"), work_dir=str(tmp_path))
    runner = DIALECTS.get("mmengine").build_runner(cfg)
    explicit = Custom()
    runner.register_hook(explicit)  # an instance: placed from its level (NORMAL -> 90)
    assert explicit.priority == 97 and explicit.level is PriorityStatus.NORMAL
    runner.train()
    runner.close()
    rows = [r for r in imix_fixture_env.EVENTS if r["tag"] == "mixed"]
    iters = [(r["event"], r["iter"], r["inner_iter"]) for r in rows if r["event"].endswith("train_iter")]
    assert iters == [(e, i, i % 3) for i in range(6) for e in ("before_train_iter", "after_train_iter")]
    assert {(r["by_epoch"], r["max_iter"], r["max_epoch"]) for r in rows} == {(True, 6, 2)}
    ends = [(r["event"], r["iter"], r["log_buffer_iter"]) for r in rows if r["event"] == "after_train_epoch"]
    assert ends == [("after_train_epoch", 3, 3), ("after_train_epoch", 6, 6)]
    # scalars an iMIX hook puts into trainer.log_buffer reach the MMEngine message hub
    assert len(runner.message_hub.get_scalar("train/step_time").data[0]) == 6
    watcher = next(h for h in runner.hooks if type(h).__name__ == "LrWatcherHook")
    assert [lr for _, lr, _ in watcher.seen] == pytest.approx([0.1, 0.1, 0.1, 0.01, 0.01, 0.01])


def test_mmengine_placement_equals_what_convert_writes():
    """`hookport convert` turns `level` into the same MMEngine priorities (one answer for both paths)."""
    from hookport.converters.config.tables import table
    from hookport.priority import resolve

    convert = table("imix")["levels"]
    for member in PriorityStatus:
        assert host_priority(member, "mmengine") == resolve(convert[member.value]["priority"], "mmengine")


MMCV_MIXED = os.path.join(FIXTURES, "mixed", "mmcv_with_imix_hooks.py")


def test_imix_hooks_in_an_mmcv_config(imix_fixture_env, tmp_path, monkeypatch, capsys):
    """MMCV host: level -> MMCV priority, before_train/after_train at before_run/after_run, same counters."""
    import json

    from tests.compat_imix.imix_helpers import ROOT

    from hookport.cli import main

    monkeypatch.syspath_prepend(os.path.join(ROOT, "fixtures", "mmcv"))
    assert main(["hooks", MMCV_MIXED, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["dialect"] == "mmcv"
    after_iter = [(h["hook"], h["priority"]) for h in doc["mount_points"]["after_train_iter"]]
    assert after_iter == [("OptimizerHook", 40), ("LrWatcherHook", 45), ("CheckpointHook", 50),
                          ("IterTimerHook", 70), ("TextLoggerHook", 90), ("TrainerRecorderHook", 97),
                          ("StepTimerHook", 99)]
    assert "TrainerRecorderHook" in [h["hook"] for h in doc["mount_points"]["before_run"]]
    assert main(["run", MMCV_MIXED, "--work-dir", str(tmp_path)]) == 0
    rows = [r for r in imix_fixture_env.EVENTS if r["tag"] == "mmcv"]
    assert (rows[0]["event"], rows[-1]["event"]) == ("before_train", "after_train")
    iters = [(r["event"], r["iter"], r["epoch"], r["inner_iter"]) for r in rows if r["event"].endswith("train_iter")]
    assert iters == [(e, i, i // 3, i % 3) for i in range(6) for e in ("before_train_iter", "after_train_iter")]
    after = [r for r in rows if r["event"] == "after_train_iter"]
    # MMCV's OptimizerHook (40) has run backward, the loss tensor is still the step's own
    assert all(r["loss_requires_grad"] for r in after)
    assert [r["lr"] for r in after] == pytest.approx([0.1, 0.1, 0.1, 0.01, 0.01, 0.01])


def test_iteration_based_mmengine_host_is_not_by_epoch(imix_fixture_env, tmp_path):
    cfg = load_cfg(os.path.join("..", "mixed", "mmengine_with_imix_hooks.py"), work_dir=str(tmp_path),
                   train_cfg=dict(by_epoch=False, max_iters=4), param_scheduler=None)
    cfg["custom_hooks"] = [dict(type="TrainerRecorderHook", level=30, tag="iter")]
    runner = DIALECTS.get("mmengine").build_runner(cfg)
    runner.train()
    runner.close()
    rows = [r for r in imix_fixture_env.EVENTS if r["tag"] == "iter"]
    assert {(r["by_epoch"], r["max_iter"]) for r in rows} == {(False, 4)}
    assert [r["iter"] for r in rows if r["event"] == "after_train_iter"] == [0, 1, 2, 3]
