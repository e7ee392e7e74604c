"""Shared helpers for the codemod tests: fixture discovery and option loading."""
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "codemod"


def golden_pairs():
    """Every ``*.in.py`` under fixtures/codemod, with its ``*.out.py`` and options."""
    return sorted(FIXTURES.glob("**/*.in.py"))


def options_for(path: Path):
    """The :class:`Options` a fixture asks for (``<name>.options.json``), else the defaults."""
    from hookport.converters.codemod import Options

    sidecar = Path(str(path)[: -len(".in.py")] + ".options.json")
    if not sidecar.exists():
        return Options()
    data = json.loads(sidecar.read_text())
    return Options(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


@pytest.fixture
def hooks_dir(tmp_path):
    """A copy of the whole-hook fixture inputs (``name.py``) in a temp folder."""
    folder = tmp_path / "hooks"
    folder.mkdir()
    for src in sorted((FIXTURES / "hooks").glob("*.in.py")):
        (folder / src.name.replace(".in.py", ".py")).write_text(src.read_text())
    return folder
