"""`hookport convert` CLI contract: outputs, exit codes, atomic writes, reports, no torch."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys


from hookport.cli import main
from tests.convert.helpers import GOLDEN, TREES

STEP = GOLDEN / "lr_step_list.in.py"


def _tree(tmp_path):
    root = tmp_path / "configs"
    shutil.copytree(TREES / "mmdet" / "configs", root)
    return root


def test_one_file_goes_to_stdout(capsys):
    assert main(["convert", str(STEP), "--no-verify"]) == 0
    assert capsys.readouterr().out == (GOLDEN / "lr_step_list.out.py").read_text()


def test_output_file_and_tree_folder(tmp_path, capsys):
    out_file = tmp_path / "one.py"
    assert main(["convert", str(STEP), "-o", str(out_file), "--no-verify"]) == 0
    assert out_file.read_text() == (GOLDEN / "lr_step_list.out.py").read_text()
    root = _tree(tmp_path)
    out_dir = tmp_path / "out"
    assert main(["convert", str(root), "-o", str(out_dir), "--no-verify"]) == 0
    written = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file())
    expected = sorted(str(p.relative_to(root)) for p in root.rglob("*.py"))
    assert written == expected  # OUT/<rel> for each input and nothing else
    assert "6 changed, 0 unchanged, 0 failed" in capsys.readouterr().err


def test_in_place_rewrites_atomically_and_check_then_passes(tmp_path, capsys):
    root = _tree(tmp_path)
    assert main(["convert", str(root), "--check", "--no-verify"]) == 1
    assert "schedule_1x.py: would change" in capsys.readouterr().err
    assert main(["convert", str(root), "--in-place", "--no-verify"]) == 0
    assert not list(root.rglob(".hookport-*"))  # no temp files left behind
    assert "optim_wrapper" in (root / "_base_" / "schedules" / "schedule_1x.py").read_text()
    assert main(["convert", str(root), "--check", "--no-verify"]) == 0  # a fixed point


def test_check_and_diff_write_nothing(tmp_path, capsys):
    root = _tree(tmp_path)
    before = {p: p.read_text() for p in root.rglob("*.py")}
    assert main(["convert", str(root / "_base_" / "schedules" / "schedule_1x.py"), "--diff", "--no-verify"]) == 0
    diff = capsys.readouterr().out
    assert diff.startswith("--- a/schedule_1x.py\n+++ b/schedule_1x.py\n")
    assert "-runner = dict(type='EpochBasedRunner', max_epochs=12)" in diff and "+param_scheduler = [" in diff
    assert {p: p.read_text() for p in root.rglob("*.py")} == before


def test_bad_file_exits_2_and_the_rest_is_converted(tmp_path, capsys):
    root = _tree(tmp_path)
    bad = root / "broken.py"
    bad.write_text("runner = dict(type='EpochBasedRunner', max_epochs=2\n")
    out_dir = tmp_path / "out"
    assert main(["convert", str(root), "-o", str(out_dir), "--no-verify", "--report", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:" in err and "syntax error" in err
    assert not (out_dir / "broken.py").exists()  # nothing written for the failed file
    assert (out_dir / "_base_" / "default_runtime.py").exists()
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"] == {"changed": 6, "unchanged": 0, "failed": 1}


def test_markdown_report_puts_attention_first(tmp_path):
    report = tmp_path / "r.md"
    assert main(["convert", str(GOLDEN / "lr_inv.in.py"), "-o", str(tmp_path / "x.py"), "--report", str(report)]) == 0
    text = report.read_text()
    assert text.index("## Needs attention") < text.index("## Change log")
    attention = text[text.index("## Needs attention"):text.index("## Change log")]
    assert "InvLR" in attention and "max abs" in attention  # the measured deviation is in the report


def test_unknown_policy_and_bad_report_suffix(tmp_path, capsys):
    cfg = tmp_path / "c.py"
    cfg.write_text("optimizer = dict(type='SGD', lr=0.1)\nlr_config = dict(policy='cosineannealing')\n"
                   "runner = dict(type='EpochBasedRunner', max_epochs=2)\n")
    assert main(["convert", str(cfg), "--no-verify"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"{cfg}:2: unknown lr_config policy 'cosineannealing' (MMCV looks for CosineannealingLrUpdaterHook)")
    assert main(["convert", str(STEP), "--report", str(tmp_path / "r.txt"), "--no-verify"]) == 2


def test_back_port_to_mmcv(capsys):
    assert main(["convert", str(GOLDEN / "backport_step_list.in.py"), "--to", "mmcv", "--no-verify"]) == 0
    assert capsys.readouterr().out == (GOLDEN / "backport_step_list.out.py").read_text()
    # a legacy config is already MMCV: nothing to do
    assert main(["convert", str(STEP), "--to", "mmcv", "--check", "--no-verify"]) == 0


def test_convert_never_imports_torch(tmp_path):
    code = ("import sys; from hookport.cli import main; "
            f"rc = main(['convert', {str(STEP)!r}, '-o', {str(tmp_path / 'x.py')!r}]); "
            "assert rc == 0, rc; assert 'torch' not in sys.modules, 'torch imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
