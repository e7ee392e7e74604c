"""The ``mmcv`` dialect: detection, key conflicts, override, hook listing without torch, schedules."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hookport.compat.mmcv.dialect import MMCVDialect
from hookport.compat.mmcv.simulate import simulate_mmcv
from hookport.errors import ConfigError, HookportError
from hookport.runner.dialect import DIALECTS, detect_dialect

ROOT = Path(__file__).parents[2]
SCHEDULES = {c["name"]: c for c in json.loads((ROOT / "tests/data/reference/mmcv/schedules.json").read_text())["cases"]}
LEGACY = dict(runner=dict(type="EpochBasedRunner", max_epochs=2), optimizer=dict(type="SGD", lr=0.1, momentum=0.9),
              lr_config=dict(policy="step", step=[1]), checkpoint_config=dict(interval=1),
              log_config=dict(interval=5, hooks=[dict(type="TextLoggerHook")]))


@pytest.mark.parametrize("key,value", [
    ("runner", dict(type="IterBasedRunner", max_iters=10)), ("total_epochs", 12), ("workflow", [("train", 1)]),
    ("checkpoint_config", dict(interval=1)), ("log_config", dict(interval=5, hooks=[])),
    ("lr_config", dict(policy="step", step=[8])), ("momentum_config", None), ("optimizer_config", dict()),
    ("evaluation", dict(interval=1)), ("data", dict(samples_per_gpu=2, train=dict()))])
def test_each_legacy_key_marks_mmcv(key, value):
    assert detect_dialect({key: value}).name == "mmcv"


def test_data_without_samples_per_gpu_is_not_a_marker():
    assert MMCVDialect().markers(dict(data=dict(train=dict()))) == []


def test_mixing_mmcv_and_mmengine_keys_names_both():
    cfg = dict(LEGACY, param_scheduler=[dict(type="MultiStepLR", milestones=[1])], default_hooks=dict())
    with pytest.raises(ConfigError) as info:
        detect_dialect(cfg, file="mixed.py")
    text = str(info.value)
    assert text.startswith("mixed.py: ")
    for key in ("lr_config", "checkpoint_config", "param_scheduler", "default_hooks"):
        assert key in text


def test_keys_a_conversion_leaves_with_a_todo_do_not_make_a_mix():
    converted = dict(train_cfg=dict(type="EpochBasedTrainLoop", max_epochs=2), default_hooks=dict(),
                     workflow=[("train", 1), ("val", 1)], evaluation=dict(interval=1, metric="custom"))
    with pytest.warns(UserWarning, match="converted.py: workflow, evaluation ignored"):
        assert detect_dialect(converted, file="converted.py").name == "mmengine"
    # Alone they still mark a legacy config, and next to a real legacy key the mix is an error.
    assert detect_dialect(dict(workflow=[("train", 1)], evaluation=dict(interval=1))).name == "mmcv"
    with pytest.raises(ConfigError, match="lr_config"):
        detect_dialect(dict(converted, lr_config=dict(policy="step", step=[1])))


def test_override_wins_over_detection():
    assert detect_dialect(dict(default_hooks=dict()), override="mmcv").name == "mmcv"
    assert detect_dialect(LEGACY, override="mmengine").name == "mmengine"


def test_imix_only_keys_take_precedence_over_shared_legacy_names():
    cfg = dict(lr_config=dict(policy="WarmupMultiStepLR", use_warmup=True), by_iter=True)
    assert MMCVDialect().markers(cfg) == []
    assert detect_dialect(cfg).name == "imix"


def test_registered_in_dialect_table():
    dialect = DIALECTS.get("mmcv")
    assert (dialect.name, dialect.scheme, dialect.stages[0], dialect.stages[-1]) == ("mmcv", "mmcv", "before_run",
                                                                                        "after_run")


def test_hook_table_needs_no_torch_model_or_data():
    """Listing hooks builds every hook (EvalHook from the evaluation key alone) without importing torch."""
    code = ("import sys, json; from hookport.compat.mmcv.dialect import MMCVDialect;"
            f"cfg = {LEGACY!r}; cfg['evaluation'] = dict(interval=1, metric='acc');"
            "cfg['log_config']['hooks'].append(dict(type='WandbLoggerHook'));"
            "t = MMCVDialect().hook_table(cfg, distributed=True);"
            "print(json.dumps([type(h).__name__ for h in t.hooks])); assert 'torch' not in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == ["StepLrUpdaterHook", "CheckpointHook", "DistSamplerSeedHook", "IterTimerHook",
                               "DistEvalHook", "TextLoggerHook", "WandbLoggerHook"]


def test_fp16_key_turns_cumulative_into_cumulative_fp16():
    cfg = dict(LEGACY, fp16=dict(loss_scale="dynamic"),
               optimizer_config=dict(type="GradientCumulativeOptimizerHook", cumulative_iters=2))
    names = [type(h).__name__ for h in MMCVDialect().hook_table(cfg).hooks]
    assert "GradientCumulativeFp16OptimizerHook" in names


@pytest.mark.parametrize("cfg,fragment", [
    (dict(LEGACY, lr_config=dict(policy="cosineannealing", min_lr=0)), "write policy='CosineAnnealing'"),
    (dict(LEGACY, lr_config=dict(policy="Banana")), "unknown policy 'Banana'"),
    (dict(LEGACY, lr_config=dict(step=[1])), "needs a 'policy' key"),
    (dict(LEGACY, lr_config=dict(policy="cyclic", target_ratio=[10, 1e-4])), "write a tuple"),
    (dict(LEGACY, custom_hooks=[dict(type="NoSuchHook")]), "NoSuchHook"),
    (dict(LEGACY, custom_hooks=[dict(type="EMAHook", priority="SOMETIMES")]), "SOMETIMES"),
    (dict(LEGACY, fp16=dict(loss_scale="static")), "loss_scale"),
])
def test_bad_configs_raise_one_clear_error(cfg, fragment):
    with pytest.raises(HookportError) as info:
        MMCVDialect().hook_table(cfg)
    assert fragment in str(info.value)


def test_schedule_goes_through_simulation():
    case = SCHEDULES["lr_step_list_epoch_runner_by_epoch_warmup_linear"]
    cfg = ast.literal_eval(case["cfg"])
    assert MMCVDialect().schedule(cfg, 10)["lr"] == simulate_mmcv(cfg, 10)["lr"]


@pytest.mark.parametrize("name", ["lr_cyclic_iter_runner_warmup_none", "lr_step_list_epoch_runner_by_epoch_warmup_none",
                                  "mom_step_iter_runner_default_warmup_linear"])
def test_simulated_counters_match_mmcv(name):
    """epoch / inner_iter as hooks see them (IterBasedRunner: epoch lags one iteration; inner_iter 0)."""
    case = SCHEDULES[name]
    seen = []
    simulate_mmcv(ast.literal_eval(case["cfg"]), case["iters_per_epoch"],
                  observe=lambda r: seen.append((r.epoch, r.inner_iter)))
    assert seen == list(zip(case["epoch"], case["inner_iter"]))
