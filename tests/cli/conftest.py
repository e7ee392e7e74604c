"""Shared helpers for the runner-side CLI tests: write small configs, run ``hookport`` in-process."""
import os
import textwrap

import pytest

from hookport.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "fixtures")
MMENGINE_TOY = os.path.join(FIXTURES, "mmengine", "toy_classifier.py")
MMCV_TOY = os.path.join(FIXTURES, "mmcv", "legacy_toy_cfg.py")
IMIX_BY_ITER = os.path.join(FIXTURES, "imix", "configs", "toy_by_iter.py")


class CLI:
    """Runs ``hookport`` through :func:`hookport.cli.main` and keeps what it printed."""

    def __init__(self, capsys):
        self.capsys = capsys
        self.out = self.err = ""

    def __call__(self, *argv: str) -> int:
        code = main([str(a) for a in argv])
        captured = self.capsys.readouterr()
        self.out, self.err = captured.out, captured.err
        return code

    def error_line(self) -> str:
        """The one line a bad-input failure must print (asserts there is exactly one, no traceback)."""
        lines = self.err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in self.err, self.err
        return lines[0]


@pytest.fixture
def cli(capsys):
    """A :class:`CLI` bound to this test's captured output."""
    return CLI(capsys)


@pytest.fixture
def write(tmp_path):
    """``write('a.py', text)`` -> path of a dedented file under ``tmp_path``."""
    def _write(name: str, text: str) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return str(path)
    return _write


@pytest.fixture
def mmcv_hooks_path(monkeypatch):
    """The MMCV fixture imports its hooks by module name (custom_imports): put them on sys.path."""
    monkeypatch.syspath_prepend(os.path.join(FIXTURES, "mmcv"))


@pytest.fixture
def imix_hooks_path(monkeypatch):
    """The iMIX fixtures import ``imix_fixture_hooks`` (custom_imports): put it on sys.path."""
    monkeypatch.syspath_prepend(os.path.join(FIXTURES, "imix"))
