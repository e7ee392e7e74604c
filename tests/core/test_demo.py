"""`hookport demo`: every step runs on the shipped fixtures and leaves its outputs."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_demo_runs_every_job(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "hookport", "demo", "--work-dir", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for section in ("(MMEngine dialect)", "(MMCV 1.x dialect)", "(iMIX dialect)", "== hookport convert",
                    "== hookport codemod"):
        assert section in out
    runs = tmp_path / "run"
    assert (runs / "toy_classifier").is_dir()
    assert (runs / "legacy_toy_cfg" / "epoch_3.pth").exists()
    assert os.path.islink(runs / "legacy_toy_cfg" / "latest.pth")  # MMCV's relative link
    assert any(name.endswith("_model_final.pth") for name in os.listdir(runs / "toy_demo"))
    converted = tmp_path / "converted"
    assert (converted / "_base_" / "schedules" / "schedule_1x.py").exists()
    assert "param_scheduler" in (converted / "_base_" / "schedules" / "schedule_1x.py").read_text()
    assert (tmp_path / "convert-report.md").read_text().startswith("# hookport convert report")
    assert "+from mmengine.hooks import Hook" in out
