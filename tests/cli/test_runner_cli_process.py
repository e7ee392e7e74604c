"""The real processes: console script and ``python -m hookport`` agree; stderr is one line unless --debug."""
import os
import shutil
import subprocess
import sys

from tests.cli.conftest import MMENGINE_TOY


def _hookport(*argv, module=True, cwd=None):
    script = shutil.which("hookport", path=os.path.dirname(sys.executable))
    command = [sys.executable, "-m", "hookport"] if module or script is None else [script]
    return subprocess.run(command + [str(a) for a in argv], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_python_dash_m_equals_the_console_script(tmp_path):
    by_module = _hookport("hooks", MMENGINE_TOY, "--json", module=True)
    by_script = _hookport("hooks", MMENGINE_TOY, "--json", module=False)
    assert by_module.returncode == by_script.returncode == 0
    assert by_module.stdout == by_script.stdout and by_module.stdout.startswith("{")


def test_bad_config_from_another_directory_is_one_line_and_debug_adds_the_traceback(tmp_path):
    (tmp_path / "cfgs").mkdir()
    (tmp_path / "cfgs" / "base.py").write_text(f"_base_ = [{MMENGINE_TOY!r}]\n"
                                               "custom_hooks = [dict(type='EmptyCacheHok')]\n")
    (tmp_path / "cfgs" / "child.py").write_text("_base_ = ['base.py']\n")
    plain = _hookport("hooks", os.path.join("cfgs", "child.py"), cwd=tmp_path)
    assert plain.returncode == 2 and plain.stdout == ""
    assert plain.stderr.splitlines() == [
        f"{os.path.join('cfgs', 'base.py')}:2: custom_hooks[0]: unknown hook type 'EmptyCacheHok'; "
        "did you mean 'EmptyCacheHook'?"]
    debug = _hookport("--debug", "hooks", os.path.join("cfgs", "child.py"), cwd=tmp_path)
    assert debug.returncode == 2 and "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().endswith(plain.stderr.rstrip())
