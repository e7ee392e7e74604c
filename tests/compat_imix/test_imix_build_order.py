"""iMIX's default hooks, custom-hook insertion and the ``hookport hooks`` listing of iMIX configs."""
import json
import os

import pytest

from hookport.compat.imix.build import all_hooks, settings
from hookport.errors import ConfigError, PriorityError
from hookport.runner.dialect import DIALECTS, detect_dialect

from tests.compat_imix.imix_helpers import CONFIGS, load_cfg

BASE = dict(model=dict(type="MCAN"), dataset_type="VQADATASET", total_epochs=2,
            optimizer=dict(type="SGD", lr=0.1), optimizer_config=dict(grad_clip=None),
            lr_config=dict(policy="WarmupMultiStepLR", milestones=[10]), log_config=dict(period=1),
            test_data=dict(samples_per_gpu=2, data=dict(type="VQADATASET")))
DEFAULTS = ["OptimizerHook", "LRSchedulerHook", "IterationTimerHook", "PeriodicLogger", "CheckPointHook",
            "EvaluateHook"]


def order(cfg, **kwargs):
    hooks = all_hooks(cfg, settings(cfg), **kwargs)
    return [(type(h).__name__, h.level.value) for h in hooks]


def names(cfg, **kwargs):
    return [n for n, _ in order(cfg, **kwargs)]


def test_defaults_in_imix_build_order_and_levels():
    assert order(BASE) == [("OptimizerHook", 20), ("LRSchedulerHook", 20), ("IterationTimerHook", 30),
                           ("PeriodicLogger", 30), ("CheckPointHook", 30), ("EvaluateHook", 30)]


def test_devlbert_ema_hooks_follow_every_default_hook():
    cfg = dict(BASE, custom_hooks=[dict(type="EMAIterHook", level=30), dict(type="EMAEpochHook", level=40)])
    assert order(cfg)[-2:] == [("EMAIterHook", 30), ("EMAEpochHook", 40)]
    assert names(cfg)[:6] == DEFAULTS


def test_level_20_goes_between_lr_scheduler_and_timer_and_ties_keep_config_order():
    cfg = dict(BASE, custom_hooks=[dict(type="TextLoggerHook", level=20, text="a"),
                                   dict(type="TextLoggerHook", level=20, text="b")])
    hooks = all_hooks(cfg, settings(cfg))
    assert [type(h).__name__ for h in hooks][:5] == ["OptimizerHook", "LRSchedulerHook", "TextLoggerHook",
                                                     "TextLoggerHook", "IterationTimerHook"]
    assert [hooks[2].text, hooks[3].text] == ["a", "b"]


def test_later_lower_level_goes_before_earlier_higher_one():
    cfg = dict(BASE, custom_hooks=[dict(type="TextLoggerHook", level=50, text="X"),
                                   dict(type="TextLoggerHook", level=40, text="Y")])
    assert [h.text for h in all_hooks(cfg, settings(cfg))[-2:]] == ["Y", "X"]


@pytest.mark.parametrize("level", [0, 10, "HIGHEST", "higher"])
def test_levels_below_high_go_first_instead_of_crashing(level):
    cfg = dict(BASE, custom_hooks=[dict(type="TextLoggerHook", level=level)])
    assert names(cfg)[0] == "TextLoggerHook"


def test_non_main_process_has_no_logger_or_checkpoint():
    assert names(BASE, main_process=False) == ["OptimizerHook", "LRSchedulerHook", "IterationTimerHook",
                                               "EvaluateHook"]
    table = DIALECTS.get("imix").hook_table(BASE, distributed=True)
    assert [h["hook"] for h in table.as_json("imix")["hooks"]] == names(BASE, main_process=False)


def test_fp16_and_evaluation_switches():
    assert names(dict(BASE, fp16=dict(init_scale=2.0 ** 16)))[0] == "Fp16OptimizerHook"
    no_test = {k: v for k, v in BASE.items() if k != "test_data"}
    assert "EvaluateHook" not in names(no_test)
    off = dict(BASE, test_data=dict(BASE["test_data"], is_run_eval=False))
    assert "EvaluateHook" not in names(off)


@pytest.mark.parametrize("extra, expected", [
    (dict(eval_iter_period=5, checkpoint_config=dict(iter_period=10)), 5),
    (dict(eval_iter_period=5), None),  # iMIX passes it only together with checkpoint_config.iter_period
    (dict(eval_iter_period=4, checkpoint_config=dict(iter_period=10)), 10),  # not a divisor: iter_period
])
def test_eval_iter_period_rules(extra, expected):
    hooks = all_hooks(dict(BASE, **extra), settings(BASE))
    assert next(h for h in hooks if type(h).__name__ == "EvaluateHook")._period == expected


def test_custom_hooks_config_is_not_mutated():
    custom = [dict(type="EMAIterHook", level=30)]
    all_hooks(dict(BASE, custom_hooks=custom), settings(BASE))
    assert custom == [dict(type="EMAIterHook", level=30)]


def test_priority_key_in_an_imix_config_names_level():
    cfg = dict(BASE, custom_hooks=[dict(type="EMAIterHook", priority="NORMAL")])
    with pytest.raises(ConfigError, match=r"custom_hooks\[0\] \(EMAIterHook\): iMIX hooks take 'level'"):
        all_hooks(cfg, settings(cfg))


def test_bad_level_is_located_in_the_config_file(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("model = dict(type='M')\ntotal_epochs = 1\nlog_config = dict(period=1)\n"
                    "optimizer = dict(type='SGD', lr=0.1)\ncustom_hooks = [dict(type='EMAIterHook', level=25)]\n")
    from hookport.config import Config

    cfg = Config.fromfile(str(path), base_rule="imix")
    with pytest.raises(PriorityError) as info:
        DIALECTS.get("imix").hook_table(cfg)
    assert str(info.value).startswith(f"{path}: custom_hooks[0] (EMAIterHook).level: invalid priority 25")


def test_non_hookbase_custom_hook_is_rejected():
    from hookport.hooks import Hook
    from hookport.registry import IMIX_HOOKS

    @IMIX_HOOKS.register_module(force=True)
    class NotImixHook(Hook):
        pass

    with pytest.raises(ConfigError, match="NotImixHook is not an iMIX HookBase hook"):
        all_hooks(dict(BASE, custom_hooks=[dict(type="NotImixHook")]), settings(BASE))


@pytest.mark.parametrize("extra, by_epoch, max_iter", [
    (dict(), True, 2 * 10),
    (dict(by_iter=False, max_iter=50), False, 50),  # presence of by_iter is what counts
    (dict(gradient_accumulation_steps=3), True, 20 // 3),
    (dict(gradient_accumulation_steps=3, is_lr_accumulation=False), True, 20),
])
def test_settings(extra, by_epoch, max_iter):
    st = settings(dict(BASE, **extra), iters_per_epoch=10)
    assert (st.by_epoch, st.max_iter) == (by_epoch, max_iter)
    assert st.max_epoch == (2 if by_epoch else 0)


@pytest.mark.parametrize("name", ["toy_by_epoch.py", "toy_by_iter.py", "toy_accumulation.py"])
def test_fixture_configs_are_detected_as_imix(name):
    cfg = load_cfg(name)
    assert detect_dialect(cfg).name == "imix"
    assert cfg.seed == 0  # the first base that defines seed wins (iMIX), not default_runtime's 13


def test_hooks_command_prints_imix_level_names(capsys, monkeypatch):
    from hookport.cli import main

    assert main(["hooks", os.path.join(CONFIGS, "toy_by_epoch.py"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["dialect"] == "imix"
    assert [(h["hook"], h["priority_name"]) for h in doc["hooks"]] == [
        ("OptimizerHook", "HIGH"), ("LRSchedulerHook", "HIGH"), ("LrWatcherHook", "HIGH"),
        ("IterationTimerHook", "NORMAL"), ("PeriodicLogger", "NORMAL"), ("CheckPointHook", "NORMAL"),
        ("EvaluateHook", "NORMAL"), ("TrainerRecorderHook", "NORMAL"), ("WeightAverageIterHook", "NORMAL"),
        ("EveryNLoggerHook", "NORMAL"), ("EvalWatcherHook", "NORMAL"), ("WeightAverageEpochHook", "LOW"),
        ("SnapshotHook", "LOW"), ("StepTimerHook", "LOWER")]
    assert [h["hook"] for h in doc["mount_points"]["before_train_epoch"]] == [
        "IterationTimerHook", "TrainerRecorderHook", "StepTimerHook"]
    assert main(["hooks", os.path.join(CONFIGS, "toy_by_epoch.py")]) == 0
    text = capsys.readouterr().out
    assert "(LOWER       ) StepTimerHook" in text


def test_imix_wins_over_the_mmcv_keys_it_shares(monkeypatch):
    from hookport.runner.dialect import Dialect

    class FakeMMCV(Dialect):  # whatever MMCV's markers are, iMIX configs carry MMCV 1.x keys
        name = "mmcv"
        marker_keys = ("lr_config", "optimizer_config", "total_epochs", "log_config")

    monkeypatch.setattr(DIALECTS, "_classes", dict(DIALECTS._classes, mmcv=FakeMMCV))
    assert detect_dialect(dict(BASE)).name == "imix"
    mmcv_only = {k: v for k, v in BASE.items() if k != "test_data"}
    mmcv_only["lr_config"] = dict(policy="step", step=[1])
    assert detect_dialect(mmcv_only).name == "mmcv"
