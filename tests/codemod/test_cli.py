"""`hookport codemod` through main(argv) and, for the import-cost check, a subprocess."""
import json
import os
import subprocess
import sys

import pytest

from hookport.cli import main

from .conftest import FIXTURES, ROOT


def _snapshot(folder):
    return {p: open(p).read() for p in sorted(str(x) for x in folder.rglob("*.py"))}


def test_diff_is_the_default_and_writes_nothing(hooks_dir, capsys):
    before = _snapshot(hooks_dir)
    assert main(["codemod", str(hooks_dir / "set_epoch_info.py")]) == 0
    out, err = capsys.readouterr()
    assert "-from mmcv.parallel import is_module_wrapper" in out
    assert "+from mmengine.model import is_model_wrapper" in out
    assert "1 changed, 0 unchanged, 0 TODOs, 0 failures" in err
    assert _snapshot(hooks_dir) == before


def test_in_place_rewrites_every_file_and_exits_0_with_todos(hooks_dir, capsys):
    assert main(["codemod", "--in-place", str(hooks_dir)]) == 0
    err = capsys.readouterr().err
    assert "failures" in err and " 0 TODOs" not in err
    for src in (FIXTURES / "hooks").glob("*.in.py"):
        assert (hooks_dir / src.name.replace(".in.py", ".py")).read_text() == \
            src.with_name(src.name.replace(".in.py", ".out.py")).read_text()
    assert not [p for p in os.listdir(hooks_dir) if p.startswith(".hookport")]  # no temp files left


def test_output_dir_keeps_relative_layout(hooks_dir, tmp_path):
    sub = hooks_dir / "pkg"
    sub.mkdir()
    (sub / "inner.py").write_text((hooks_dir / "sync_norm.py").read_text())
    out = tmp_path / "out"
    assert main(["codemod", str(hooks_dir), "-o", str(out)]) == 0
    assert (out / "pkg" / "inner.py").read_text() == (FIXTURES / "hooks" / "sync_norm.out.py").read_text()
    assert (out / "sync_norm.py").exists()
    (hooks_dir / "plain.py").write_text("x = 1\n")
    assert main(["codemod", str(hooks_dir), "-o", str(out)]) == 0
    assert (out / "plain.py").read_text() == "x = 1\n"  # a complete copy: unchanged files too


@pytest.mark.parametrize("target", ["file", "dir"])
def test_check_exits_1_and_never_writes(hooks_dir, target):
    path = hooks_dir / "check_invalid_loss.py" if target == "file" else hooks_dir
    before = _snapshot(hooks_dir)
    assert main(["codemod", "--check", str(path)]) == 1
    assert _snapshot(hooks_dir) == before


def test_check_exits_0_on_converted_code(hooks_dir):
    assert main(["codemod", "--in-place", str(hooks_dir)]) == 0
    assert main(["codemod", "--check", str(hooks_dir)]) == 0


def test_parse_failure_is_reported_and_others_still_processed(hooks_dir, capsys):
    bad = hooks_dir / "broken.py"
    bad.write_text("from mmcv.runner import Hook\n\nclass A(Hook:\n    pass\n")
    assert main(["codemod", "--in-place", str(hooks_dir)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3: syntax error" in err
    assert "mmengine" in (hooks_dir / "sync_norm.py").read_text()
    assert bad.read_text().startswith("from mmcv.runner import Hook")


def test_missing_path_is_a_one_line_error(tmp_path, capsys):
    assert main(["codemod", str(tmp_path / "nope.py")]) == 2
    assert capsys.readouterr().err.strip() == f"{tmp_path / 'nope.py'}: no such file or directory"


def test_bad_select_code_is_rejected(hooks_dir, capsys):
    assert main(["codemod", "--select", "XYZ", str(hooks_dir)]) == 2
    assert "invalid rule code prefix" in capsys.readouterr().err


def test_select_and_ignore_reach_the_rules(hooks_dir, capsys):
    path = hooks_dir / "check_invalid_loss.py"
    assert main(["codemod", "--select", "HP1", str(path)]) == 0
    out = capsys.readouterr().out
    assert "+from mmengine.hooks import Hook" in out and "every_n_train_iters" not in out
    assert main(["codemod", "--ignore", "HP1,HP2", str(path)]) == 0
    out = capsys.readouterr().out
    assert "every_n_train_iters" in out and "+from mmengine" not in out


def test_scope_targets_the_downstream_registry(hooks_dir, capsys):
    assert main(["codemod", "--scope", "mmdet", str(hooks_dir / "sync_norm.py")]) == 0
    assert "+from mmdet.registry import HOOKS" in capsys.readouterr().out


@pytest.mark.parametrize("suffix", [".json", ".md"])
def test_report_golden(hooks_dir, tmp_path, monkeypatch, suffix):
    monkeypatch.chdir(hooks_dir.parent)
    report = tmp_path / f"report{suffix}"
    assert main(["codemod", "--check", "hooks", "--report", str(report)]) == 1
    golden = FIXTURES / "report" / f"hooks{suffix}"
    # To regenerate after a reviewed change: golden.write_text(report.read_text())
    assert report.read_text() == golden.read_text()
    if suffix == ".json":
        doc = json.loads(report.read_text())
        assert doc["summary"]["changed"] == len(list((FIXTURES / "hooks").glob("*.in.py")))


def test_report_must_be_json_or_md(hooks_dir, tmp_path, capsys):
    assert main(["codemod", str(hooks_dir), "--report", str(tmp_path / "r.txt")]) == 2
    assert "must be a .json or .md" in capsys.readouterr().err


def test_progress_bar_on_large_trees(tmp_path, capsys):
    for i in range(210):
        (tmp_path / f"m{i:03d}.py").write_text("x = 1\n")
    assert main(["codemod", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "210/210" in err and "0 changed, 210 unchanged" in err


def test_no_torch_on_the_codemod_path(hooks_dir):
    code = ("import sys; from hookport.cli import main; rc = main(['codemod', '--check', %r]);"
            "assert 'torch' not in sys.modules, 'torch imported'; sys.exit(rc)") % str(hooks_dir)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr


def test_demo_codemods_a_shipped_hook_and_prints_the_diff(capsys):
    from hookport.commands import demo

    demo.codemod_hook()
    out = capsys.readouterr().out
    assert "check_invalid_loss.in.py: changed" in out
    assert "+from mmengine.hooks import Hook" in out and "+        if self.every_n_train_iters(" in out


def test_diff_with_in_place_shows_the_change_and_writes_it(hooks_dir, capsys):
    path = hooks_dir / "set_epoch_info.py"
    assert main(["codemod", "--diff", "--in-place", str(path)]) == 0
    assert "+from mmengine.model import is_model_wrapper" in capsys.readouterr().out
    assert "is_model_wrapper" in path.read_text()


def test_a_non_python_file_named_explicitly_is_skipped(tmp_path, capsys):
    notes = tmp_path / "NOTES.md"
    notes.write_text("mmcv.runner.Hook is gone\n")
    assert main(["codemod", "--check", str(notes)]) == 0
    assert "0 changed, 1 unchanged" in capsys.readouterr().err


def test_in_place_lists_each_todo_where_it_was_written(hooks_dir, capsys):
    path = hooks_dir / "ema.py"
    assert main(["codemod", "--in-place", str(path)]) == 0
    err = capsys.readouterr().err.splitlines()
    written = path.read_text().splitlines()
    todo_lines = [line for line in err if line.startswith(f"{path}:")]
    assert todo_lines, err
    for line in todo_lines:
        lineno, code = int(line.split(":")[1]), line.split(": ", 1)[1].split()[0]
        assert f"TODO(hookport {code})" in written[lineno - 1]


def test_check_names_files_that_would_change(hooks_dir, capsys):
    assert main(["codemod", "--check", str(hooks_dir)]) == 1
    err = capsys.readouterr().err
    assert f"{hooks_dir / 'ema.py'}: would change" in err
