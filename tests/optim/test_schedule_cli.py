"""`hookport schedule`: JSON contract, dataset-derived iterations, errors (exit 2, one line)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hookport.cli import main
from hookport.optim.simulate import simulate_mmengine

REPO = Path(__file__).resolve().parents[2]
TOY = REPO / "fixtures/mmengine/toy_classifier.py"
REFERENCE = REPO / "tests/data/reference/mmengine_schedules/trajectories.json"

NO_DATASET_CFG = """
train_cfg = dict(by_epoch=True, max_epochs=2)
optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.01))
param_scheduler = [dict(type='LinearLR', start_factor=0.5, end=3, by_epoch=False),
                   dict(type='CosineAnnealingMomentum', T_max=2, eta_min=0.5)]
"""


def run_cli(capsys, *argv):
    code = main(["schedule", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_from_dataset_length(capsys):
    # toy_classifier: 48 samples, batch 8 -> 6 iterations per epoch, 3 epochs.
    code, out, _ = run_cli(capsys, TOY, "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"iters_per_epoch", "lr", "momentum"}
    assert doc["iters_per_epoch"] == 6 and len(doc["lr"]) == 18
    assert doc["lr"][0] == [pytest.approx(0.01)] and doc["lr"][3] == [pytest.approx(0.1)]
    assert doc["lr"][12] == [pytest.approx(0.01)]  # MultiStepLR milestone 2 -> decays at the 3rd epoch
    assert doc["momentum"] == [[0.9]] * 18


def test_iters_per_epoch_override_and_drop_last(capsys, tmp_path):
    code, out, _ = run_cli(capsys, TOY, "--json", "--iters-per-epoch", 4)
    assert code == 0 and json.loads(out)["iters_per_epoch"] == 4 and len(json.loads(out)["lr"]) == 12
    cfg = tmp_path / "drop.py"
    cfg.write_text(TOY.read_text() + "\ntrain_dataloader['batch_size'] = 10\ntrain_dataloader['drop_last'] = True\n")
    code, out, _ = run_cli(capsys, cfg, "--json")
    assert code == 0 and json.loads(out)["iters_per_epoch"] == 4  # 48 // 10


def test_matches_simulation_of_the_same_config(capsys, tmp_path):
    case = json.loads(REFERENCE.read_text())["cases"]["adam_cosine_lr_momentum"]
    cfg = tmp_path / "adam.json"
    cfg.write_text(json.dumps(case["config"]))
    code, out, _ = run_cli(capsys, cfg, "--json", "--iters-per-epoch", 10)
    assert code == 0
    doc = json.loads(out)
    assert doc["lr"] == case["lr"] and doc["momentum"] == case["momentum"]
    assert doc == simulate_mmengine(case["config"], 10)


def test_missing_dataset_needs_iters_per_epoch(capsys, tmp_path):
    cfg = tmp_path / "nodata.py"
    cfg.write_text(NO_DATASET_CFG)
    code, out, err = run_cli(capsys, cfg, "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(cfg) in err and "--iters-per-epoch" in err
    code, out, _ = run_cli(capsys, cfg, "--json", "--iters-per-epoch", 2)
    doc = json.loads(out)
    assert code == 0 and len(doc["lr"]) == 4
    assert doc["lr"][0] == [0.005] and doc["lr"][2] == [pytest.approx(0.01)]
    assert doc["momentum"][0] == [0.9] and doc["momentum"][2] == [pytest.approx(0.7)]  # betas[0], cosine to 0.5


def test_bad_scheduler_is_exit_2_naming_the_file(capsys, tmp_path):
    cfg = tmp_path / "typo.py"
    cfg.write_text(NO_DATASET_CFG.replace("start_factor=0.5", "start_factor=0.5, milestone=[1]"))
    code, _, err = run_cli(capsys, cfg, "--iters-per-epoch", 2)
    assert code == 2 and str(cfg) in err and "milestone" in err


def test_table_lists_changes(capsys):
    code, out, _ = run_cli(capsys, TOY)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["iter", "epoch", "lr[0]", "momentum[0]"]
    assert [line.split()[0] for line in lines[1:-1]] == ["0", "1", "2", "3", "12", "17"]


def test_plot_writes_png_or_explains_missing_matplotlib(capsys, tmp_path):
    png = tmp_path / "lr.png"
    code, _, err = run_cli(capsys, TOY, "--plot", png)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert code == 2 and "hookport[plot]" in err and not png.exists()
    else:
        assert code == 0 and png.read_bytes()[:4] == b"\x89PNG"


def test_schedule_command_does_not_import_torch_without_dataset(tmp_path):
    cfg = tmp_path / "nodata.py"
    cfg.write_text(NO_DATASET_CFG)
    code = ("import sys; from hookport.cli import main; "
            f"rc = main(['schedule', {str(cfg)!r}, '--json', '--iters-per-epoch', '3']); "
            "assert rc == 0; assert 'torch' not in sys.modules, 'torch imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
