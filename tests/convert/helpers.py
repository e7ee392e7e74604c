"""Shared helpers for the convert tests: golden fixture discovery and option headers."""
from __future__ import annotations

import shlex
from pathlib import Path
from typing import List

from hookport.converters.config.context import Options

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "fixtures" / "convert" / "golden"
TREES = ROOT / "fixtures" / "convert" / "trees"
HEADER = "# hookport-convert:"


def header_args(path: Path) -> List[str]:
    """The CLI options a golden input asks for in its first line (``# hookport-convert: --style official``)."""
    first = path.read_text().splitlines()[0] if path.read_text() else ""
    return shlex.split(first[len(HEADER):]) if first.startswith(HEADER) else []


def options_for(path: Path, **extra) -> Options:
    """Options equivalent to the header's CLI flags."""
    args = header_args(path)
    opts = dict(verify=False)
    for flag, value in zip(args[::2], args[1::2]):
        opts[flag.lstrip("-").replace("-", "_")] = value
    opts.update(extra)
    return Options(**opts)
