"""`hookport run`, `hookport hooks` and `hookport demo` (in-process through hookport.cli.main)."""
import json
import os

import pytest

from hookport.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "fixtures", "mmengine", "toy_classifier.py")


def test_hooks_json_lists_every_hook_and_mount_point(capsys):
    assert main(["hooks", FIXTURE, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["dialect"] == "mmengine"
    assert [h["hook"] for h in doc["hooks"]] == [
        "RuntimeInfoHook", "EMAHook", "IterTimerHook", "DistSamplerSeedHook", "LoggerHook", "ParamSchedulerHook",
        "CheckpointHook"]
    assert doc["hooks"][1] == {"hook": "EMAHook", "priority": 40, "priority_name": "ABOVE_NORMAL"}
    assert [h["hook"] for h in doc["mount_points"]["before_train_epoch"]] == [
        "RuntimeInfoHook", "IterTimerHook", "DistSamplerSeedHook"]
    assert all(h in doc["hooks"] for hooks in doc["mount_points"].values() for h in hooks)


def test_hooks_text_and_cfg_options(capsys):
    assert main(["hooks", FIXTURE, "--cfg-options", "custom_hooks=[]", "default_hooks.logger=None"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("before_run:\n(VERY_HIGH   ) RuntimeInfoHook")
    assert "EMAHook" not in out and "LoggerHook" not in out


def test_run_trains_with_literal_cfg_options_and_resumes(tmp_path, capsys):
    work = str(tmp_path / "w")
    assert main(["run", FIXTURE, "--work-dir", work, "--cfg-options", "train_cfg.max_epochs=1"]) == 0
    out = capsys.readouterr().out
    assert "Epoch(train) [1][6/6]" in out and "eta:" in out and "Epoch(val) [1][3/3]" in out
    assert os.path.exists(os.path.join(work, "epoch_1.pth"))
    assert main(["run", FIXTURE, "--work-dir", work, "--resume", "--cfg-options", "train_cfg.max_epochs=2"]) == 0
    out = capsys.readouterr().out
    assert "resumed from" in out and "Epoch(train) [2][6/6]" in out and "Epoch(train) [1]" not in out


def test_run_bad_input_exits_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.py"
    bad.write_text("model = dict(type='NoSuchModel')\nwork_dir = 'x'\n"
                   "default_hooks = dict(logger=None)\n")
    assert main(["run", str(bad), "--work-dir", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "NoSuchModel" in err[0]
    assert main(["hooks", str(tmp_path / "missing.py")]) == 2


def test_run_resume_from_missing_checkpoint_is_a_clear_error(tmp_path, capsys):
    assert main(["run", FIXTURE, "--work-dir", str(tmp_path), "--resume", str(tmp_path / "nope.pth")]) == 2
    assert "checkpoint not found" in capsys.readouterr().err


@pytest.mark.slow
def test_launcher_pytorch_outside_torchrun_is_a_clear_error(tmp_path, capsys, monkeypatch):
    for key in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(key, raising=False)
    assert main(["run", FIXTURE, "--work-dir", str(tmp_path), "--launcher", "pytorch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "torchrun" in err[0] and "RANK" in err[0]


def test_hooks_command_never_imports_torch():
    import subprocess
    import sys

    code = ("import sys; from hookport.cli import main; "
            f"main(['hooks', {FIXTURE!r}, '--json']); assert 'torch' not in sys.modules, 'torch was imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
