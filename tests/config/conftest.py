"""Helpers for config tests: write small config trees into tmp_path."""
import textwrap

import pytest


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """``tree({'a.py': '...', 'sub/b.py': '...'})`` writes the files and returns tmp_path.

    The working directory is tmp_path, so paths in messages are short and relative.
    """
    monkeypatch.chdir(tmp_path)

    def write(files):
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"))
        return tmp_path

    return write
