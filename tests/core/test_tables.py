"""hookport's own YAML tables read the same with libyaml's C loader as with PyYAML's Python one."""
from pathlib import Path

import pytest
import yaml

from hookport.tables import load_table

PACKAGE = Path(__file__).parents[2] / "hookport"
TABLES = sorted(PACKAGE.rglob("*.yaml"))


def test_there_are_tables():
    assert len(TABLES) > 10


@pytest.mark.parametrize("path", TABLES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_fast_loader_reads_what_the_safe_loader_reads(path):
    assert load_table(path) == yaml.safe_load(path.read_text(encoding="utf-8"))
