"""Dialect table, detection and the MMEngine default-hooks assembly rules."""
import pytest

from hookport.errors import ConfigError, RegistryError
from hookport.runner.dialect import DIALECTS, detect_dialect
from hookport.runner.dialect_mmengine import DEFAULT_HOOKS, assemble_hooks, build_hook


def test_dialect_table_and_detection():
    assert {"mmengine", "mmcv", "imix"} <= set(DIALECTS.names())
    assert detect_dialect({"model": {}, "work_dir": "x"}).name == "mmengine"
    assert detect_dialect({"param_scheduler": []}).name == "mmengine"
    assert detect_dialect({"lr_config": {}}, override="mmengine").name == "mmengine"
    with pytest.raises(ConfigError, match="unknown dialect 'nope'"):
        DIALECTS.get("nope")


def test_mixed_mmcv_and_mmengine_keys_are_an_error_naming_them():
    with pytest.raises(ConfigError, match=r"mixes keys.*lr_config.*param_scheduler|param_scheduler.*lr_config"):
        detect_dialect({"lr_config": dict(policy="step", step=[1]), "param_scheduler": []}, file="cfg.py")


def test_assembly_replaces_removes_and_appends():
    specs = assemble_hooks(dict(logger=None, checkpoint=dict(type="CheckpointHook", interval=5),
                                extra=dict(type="EmptyCacheHook")), [dict(type="EMAHook")])
    assert [s["type"] for s in specs] == ["RuntimeInfoHook", "IterTimerHook", "DistSamplerSeedHook",
                                          "ParamSchedulerHook", "CheckpointHook", "EmptyCacheHook", "EMAHook"]
    assert specs[4]["interval"] == 5
    assert [s["type"] for s in assemble_hooks()] == [cfg["type"] for _, cfg in DEFAULT_HOOKS]


def test_assembly_errors():
    with pytest.raises(ConfigError, match="default_hooks.nope is None"):
        assemble_hooks(dict(nope=None))
    with pytest.raises(ConfigError, match="custom_hooks must be a list"):
        assemble_hooks(None, dict(type="EMAHook"))
    with pytest.raises(ConfigError, match="a hook must be"):
        build_hook("EMAHook")
    with pytest.raises(RegistryError, match="NoSuchHook"):
        build_hook(dict(type="NoSuchHook"))


def test_priority_key_is_not_a_constructor_argument_and_config_is_not_mutated():
    spec = dict(type="EMAHook", priority="LOW")
    hook, priority = build_hook(spec)
    assert priority == "LOW" and spec == dict(type="EMAHook", priority="LOW")
    table = DIALECTS.get("mmengine").hook_table({"custom_hooks": [spec]})
    assert [(type(h).__name__, h.priority) for h in table.hooks][-3:] == [
        ("ParamSchedulerHook", 70), ("EMAHook", 70), ("CheckpointHook", 90)]


def test_dotted_path_custom_hook_with_priority():
    table = DIALECTS.get("mmengine").hook_table(
        {"default_hooks": {k: None for k, _ in DEFAULT_HOOKS},
         "custom_hooks": [dict(type="tests.runner.helpers.RecordingHook", log=[], priority=5),
                          dict(type="tests.runner.helpers.KillHook", at_epoch=3)]})
    assert [(type(h).__name__, h.priority) for h in table.hooks] == [("RecordingHook", 5), ("KillHook", 100)]
