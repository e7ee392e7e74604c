"""Hook periods of the wrong type are bad input at build time, not a traceback after an epoch."""
import pytest

from tests.cli.conftest import IMIX_BY_ITER, MMCV_TOY, MMENGINE_TOY


@pytest.mark.parametrize("base, assignment, message", [
    (MMENGINE_TOY, "default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=None))",
     "default_hooks.checkpoint: CheckpointHook: interval must be an int, got None"),
    (MMENGINE_TOY, "default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts='2'))",
     "default_hooks.checkpoint: CheckpointHook: max_keep_ckpts must be an int, got '2'"),
    (MMCV_TOY, "checkpoint_config = dict(interval=None)",
     "checkpoint_config: CheckpointHook: interval must be an int, got None"),
    (MMCV_TOY, "log_config = dict(interval='5', hooks=[dict(type='TextLoggerHook')])",
     "log_config.hooks: TextLoggerHook: interval must be an int, got '5'"),
    (IMIX_BY_ITER, "log_config = dict(period='2')", "log_config: period must be an int, got '2'"),
])
def test_bad_period_fails_before_training(cli, write, tmp_path, mmcv_hooks_path, imix_hooks_path,
                                          base, assignment, message):
    cfg = write("cfg.py", f"_base_ = [{base!r}]\n{assignment}\n")
    work = tmp_path / "w"
    assert cli("run", cfg, "--work-dir", work) == 2
    assert cli.error_line() == f"{cfg}:2: {message}"
    assert not list(work.rglob("*.pth"))
    assert cli("hooks", cfg) == 2  # the same check without building model or data
    assert cli.error_line() == f"{cfg}:2: {message}"


@pytest.mark.parametrize("base, override", [
    (MMENGINE_TOY, "model = dict(type='ToyClassifier', bogus=1)"),
    (MMCV_TOY, "model = dict(type='toy_legacy.LegacyToyModel', bogus=1)"),
    (IMIX_BY_ITER, "model = dict(type='NoSuchModel')"),
])
def test_a_runner_that_cannot_be_built_leaves_the_work_dir_as_it_was(cli, write, tmp_path, mmcv_hooks_path,
                                                                      imix_hooks_path, base, override):
    cfg = write("cfg.py", f"_base_ = [{base!r}]\n{override}\n")
    fresh = tmp_path / "fresh"
    assert cli("run", cfg, "--work-dir", fresh) == 2
    assert cli.error_line().startswith(f"{cfg}:2: ")
    assert not fresh.exists()
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "epoch_1.pth").write_bytes(b"earlier run")
    assert cli("run", cfg, "--work-dir", kept) == 2
    assert [p.name for p in kept.iterdir()] == ["epoch_1.pth"]
    assert cli("run", MMENGINE_TOY, "--work-dir", tmp_path / "ok", "--cfg-options", "train_cfg.max_epochs=1") == 0
    assert "Logging error" not in cli.err  # the failed runners' log handlers were closed
