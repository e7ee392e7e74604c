"""The CLI shell: cheap start, stable exit codes."""
import subprocess
import sys


def _run(*code):
    return subprocess.run([sys.executable, "-c", "\n".join(code)], capture_output=True, text=True, timeout=120)


def test_parser_and_converter_commands_do_not_import_torch():
    proc = _run(
        "import sys",
        "from hookport.cli import build_parser",
        "build_parser()",
        "import hookport, hookport.priority, hookport.registry, hookport.hooks",
        "assert 'torch' not in sys.modules, sorted(m for m in sys.modules if m.startswith('torch'))[:5]",
        "assert 'libcst' not in sys.modules",
    )
    assert proc.returncode == 0, proc.stderr


def test_version_and_help():
    proc = subprocess.run([sys.executable, "-m", "hookport", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("hookport ")
    proc = subprocess.run([sys.executable, "-m", "hookport", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for command in ("convert", "codemod", "run", "hooks", "schedule", "demo"):
        assert command in proc.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    missing = tmp_path / "nope.py"
    proc = subprocess.run([sys.executable, "-m", "hookport", "hooks", str(missing)], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert str(missing) in lines[0]
