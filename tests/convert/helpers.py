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
    """Options equivalent to the header's CLI flags (parsed by the real `hookport convert` parser)."""
    import argparse

    from hookport.commands import convert

    parser = argparse.ArgumentParser()
    convert.add_arguments(parser)
    args = parser.parse_args(header_args(path) + [str(path)])
    opts = dict(style=args.style, exact=args.exact, scope=args.scope, dialect=args.dialect, verify=False,
                execute=args.execute, iters_per_epoch=args.iters_per_epoch, to=args.to)
    opts.update(extra)
    return Options(**opts)
