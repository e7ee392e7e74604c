"""Shared helpers for the converter QA regression tests: write small config trees and convert them."""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Dict

from hookport.cli import main


def write_tree(root: Path, files: Dict[str, str]) -> Path:
    """Write ``files`` (relative path -> dedented source) under ``root`` and return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def convert_tree(src: Path, out: Path, *extra: str) -> int:
    """Run ``hookport convert SRC -o OUT`` in-process (no verification) and return its exit code."""
    return main(["convert", str(src), "-o", str(out), "--no-verify", *extra])
