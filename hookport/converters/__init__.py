"""Turning one dialect's configs into another's: pure Python, never imports torch.

Public API::

    from hookport.converters import Converter, Options, Report, collect_inputs

    converter = Converter(Options(scope="mmdet"))
    outcome = converter.convert("configs/faster_rcnn/faster_rcnn_r50_fpn_1x_coco.py")
    outcome.status, outcome.output, outcome.findings, outcome.verification

libcst is imported only when a conversion runs.
"""
from __future__ import annotations

import os
from typing import List, Sequence, Tuple

from hookport.converters.report import Finding, Outcome, Report
from hookport.errors import HookportError

__all__ = ["Converter", "Options", "Report", "Outcome", "Finding", "collect_inputs"]


def __getattr__(name: str):
    # Converter/Options live with libcst-using modules; load them on first use
    if name in ("Converter", "Options"):
        from hookport.converters.config import context, engine

        return engine.Converter if name == "Converter" else context.Options
    raise AttributeError(name)


def collect_inputs(sources: Sequence[str]) -> List[Tuple[str, str]]:
    """(path, relative name) of every config: files as given, folders walked for ``*.py`` in sorted order."""
    out: List[Tuple[str, str]] = []
    for source in sources:
        if os.path.isdir(source):
            for folder, dirs, files in os.walk(source):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
                for name in sorted(files):
                    if name.endswith(".py") and not name.startswith("."):
                        path = os.path.join(folder, name)
                        out.append((path, os.path.relpath(path, source)))
        elif os.path.isfile(source):
            out.append((source, os.path.basename(source)))
        else:
            raise HookportError(f"{source}: no such file or folder")
    return out
