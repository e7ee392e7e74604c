"""Verification: trajectory comparison, hook-order explanations, iMIX level translation kept positions."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hookport.converters import Converter, Options
from hookport.converters.verify import compare, explain_order, verify
from tests.convert.helpers import GOLDEN, TREES


def _entry(hook, name, priority=50):
    return {"hook": hook, "priority": priority, "priority_name": name}


@given(st.lists(st.floats(min_value=1e-6, max_value=10.0), min_size=1, max_size=40))
def test_identical_trajectories_are_exact(values):
    trajectory = [[v] for v in values]
    result = compare(trajectory, [list(g) for g in trajectory], "lr", 10)
    assert result["status"] == "exact" and result["max_abs"] == 0


def test_deviation_reports_worst_point():
    original = [[0.1], [0.08], [0.06]]
    converted = [[0.1], [0.1], [0.06]]
    result = compare(original, converted, "lr", 2)
    assert result["status"] == "deviates"
    assert (result["iter"], result["epoch"]) == (1, 0)
    assert result["max_abs"] == pytest.approx(0.02) and result["max_rel"] == pytest.approx(0.25)
    assert compare([[0.1]], [[0.1], [0.1]], "lr", 1)["status"] == "deviates"  # lengths differ


def test_order_change_is_explained_in_words():
    old = {"after_train_epoch": [_entry("CheckpointHook", "NORMAL"), _entry("MyHook", "NORMAL"),
                                 _entry("StepLrUpdaterHook", "VERY_HIGH", 10), _entry("OptimizerHook", "ABOVE_NORMAL")]}
    new = {"after_train_epoch": [_entry("MyHook", "NORMAL"), _entry("ParamSchedulerHook", "LOW", 70),
                                 _entry("CheckpointHook", "VERY_LOW", 90)]}
    changes = explain_order(old, new)
    assert changes[0] == ("CheckpointHook (NORMAL -> VERY_LOW) ran before MyHook (NORMAL -> NORMAL) and now runs "
                          "after it at after_train_epoch; MyHook now runs before the checkpoint is written, so its "
                          "changes are in the checkpoint")
    assert any(c.startswith("OptimizerHook is gone: backward/step now run inside train_step") for c in changes)


def test_every_faithful_golden_schedule_verifies_exact():
    for name in ("lr_step_list", "lr_poly_iter", "lr_poly_warmup_exp", "lr_onecycle", "lr_momentum_cosine",
                 "exact_inv", "exact_cyclic"):
        source = GOLDEN / f"{name}.in.py"
        options = Options(verify=True, iters_per_epoch=10, exact=name.startswith("exact_"))
        outcome = Converter(options).convert(str(source))
        assert outcome.verification["schedule"]["status"] == "exact", (name, outcome.verification)


def test_approximation_is_reported_with_measured_deviation():
    outcome = Converter(Options(verify=True, iters_per_epoch=10)).convert(str(GOLDEN / "lr_step_min_lr.in.py"))
    messages = [f.message for f in outcome.findings if f.code == "HPC010"]
    assert messages == ["verified trajectory differs from the original: lr max abs 0.004 (rel 0.8) at iteration 20 "
                        "(epoch 2): original 0.005, converted 0.001"]


def test_imix_custom_hooks_keep_their_place_after_the_default_hooks():
    path = TREES / "imix" / "configs" / "devlbert" / "devlbert_vqa.py"
    outcome = Converter(Options(verify=True, execute=True)).convert(str(path))
    hooks = outcome.verification["hooks"]
    assert hooks["status"] in ("same", "changed")
    assert not [c for c in hooks["changes"] if c.startswith(("EMAIterHook", "EMAEpochHook"))
                or "ran before EMAIterHook" in c or "ran before EMAEpochHook" in c]


def test_verify_without_schedule_says_why():
    result = verify({"log_level": "INFO"}, {"log_level": "INFO"}, "mmcv", None)
    assert result["schedule"] == {"status": "unavailable", "reason": "no schedule in this config"}
    assert result["iters_per_epoch"] == 10 and "default" in result["iters_per_epoch_source"]


def test_back_port_of_faithful_conversions_is_exact():
    """--to mmcv reads the forward recipes backwards: MMEngine -> MMCV keeps the trajectory exactly."""
    for name in ("backport_step_list", "backport_poly_warmup_exp", "backport_exact_inv"):
        outcome = Converter(Options(verify=True, iters_per_epoch=10, to="mmcv")).convert(str(GOLDEN / f"{name}.in.py"))
        assert outcome.status == "changed"
        assert outcome.verification["schedule"]["status"] == "exact", (name, outcome.verification)


def test_hooks_on_one_side_only_are_reported():
    old = {"after_train_iter": [_entry("MyHook", "NORMAL"), _entry("GoneHook", "LOW", 70)]}
    new = {"after_train_iter": [_entry("RuntimeInfoHook", "VERY_HIGH", 10), _entry("MyHook", "NORMAL"),
                                _entry("CheckpointHook", "VERY_LOW", 90)]}
    changes = explain_order(old, new)
    assert changes == [
        "CheckpointHook is new: MMEngine's default_hooks save a checkpoint every epoch; the original config had no "
        "checkpoint_config (default_hooks.checkpoint=None turns it off)",
        "GoneHook no longer runs: the converted config does not register it"]
    # A base fragment says nothing about the default hooks of the configs that use it.
    assert explain_order(old, new, new_defaults=False) == changes[1:]


def test_renamed_custom_hook_is_the_same_hook():
    old = {"after_train_iter": [_entry("ExpMomentumEMAHook", "ABOVE_NORMAL", 40)]}
    new = {"after_train_iter": [_entry("EMAHook", "ABOVE_NORMAL", 40)]}
    assert explain_order(old, new) == []


def test_training_config_without_checkpoint_or_log_config_keeps_them_off():
    source = GOLDEN / "training_without_runtime_hooks.in.py"
    outcome = Converter(Options(verify=True, iters_per_epoch=10)).convert(str(source))
    assert outcome.status == "changed"
    assert not [c for c in outcome.verification["hooks"]["changes"] if " is new" in c]
    # Without the two None entries MMEngine would register both hooks, and the verification says so.
    data = {"samples_per_gpu": 2, "train": {"type": "ToyDataset"}}
    legacy = {"model": {"type": "Toy"}, "data": data, "optimizer": {"type": "SGD", "lr": 0.1},
              "runner": {"type": "EpochBasedRunner", "max_epochs": 2}}
    converted = {"model": {"type": "Toy"}, "train_dataloader": {"batch_size": 2, "dataset": data["train"]},
                 "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.1}},
                 "train_cfg": {"by_epoch": True, "max_epochs": 2}}
    changes = verify(legacy, converted, "mmcv", 10)["hooks"]["changes"]
    assert [c.split(":")[0] for c in changes if " is new" in c] == ["CheckpointHook is new", "LoggerHook is new"]


def _legacy_toy(tmp_path, monkeypatch, samples):
    """The shipped legacy toy config with ``samples`` training samples (batch 2), importable modules on the path."""
    from pathlib import Path

    fixtures = Path(__file__).parents[2] / "fixtures" / "mmcv"
    monkeypatch.syspath_prepend(str(fixtures))
    path = tmp_path / "legacy_toy_cfg.py"
    path.write_text((fixtures / "legacy_toy_cfg.py").read_text().replace("n=20)", f"n={samples})"))
    return path


def test_exec_counts_iterations_per_epoch_from_the_training_dataset(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    path = _legacy_toy(tmp_path, monkeypatch, samples=31)
    trusted = Converter(Options(verify=True, execute=True)).convert(str(path)).verification
    assert (trusted["iters_per_epoch"], trusted["iters_per_epoch_source"]) == (16, "training dataset (--exec)")
    assert trusted["schedule"]["iterations"] == 3 * 16
    # Without --exec nothing of the user's is imported: the documented default.
    plain = Converter(Options(verify=True)).convert(str(path)).verification
    assert (plain["iters_per_epoch"], plain["iters_per_epoch_source"]) == (10, "default (10)")
    # --iters-per-epoch wins over the dataset.
    given = Converter(Options(verify=True, execute=True, iters_per_epoch=4)).convert(str(path)).verification
    assert (given["iters_per_epoch"], given["iters_per_epoch_source"]) == (4, "--iters-per-epoch")


def test_exec_says_why_the_dataset_could_not_be_counted(tmp_path):
    path = tmp_path / "cfg.py"
    path.write_text("model = dict(type='Toy')\noptimizer = dict(type='SGD', lr=0.1)\n"
                    "lr_config = dict(policy='step', step=[1])\nrunner = dict(type='EpochBasedRunner', max_epochs=2)\n"
                    "data = dict(samples_per_gpu=2, train=dict(type='NoSuchDataset'))\n")
    result = Converter(Options(verify=True, execute=True)).convert(str(path)).verification
    assert result["iters_per_epoch"] == 10
    assert result["iters_per_epoch_source"].startswith("default (10): cannot count iterations per epoch")
    assert "NoSuchDataset" in result["iters_per_epoch_source"]


def test_custom_hooks_with_arguments_get_stand_ins_when_not_importable():
    legacy = {"custom_hooks": [{"type": "NotImportableHook", "every": 4, "priority": "NORMAL"}]}
    hooks = verify(legacy, dict(legacy), "mmcv", 10)["hooks"]
    assert hooks["status"] in ("same", "changed"), hooks
    assert "NotImportableHook not importable here" in hooks["assumed"]
