"""Reading hookport's own YAML tables (rename rules, key maps, defaults).

They are package data read on every ``convert``/``codemod`` start, so the C loader of
libyaml is used when PyYAML was built with it (several times faster than the pure-Python
one, same safe subset); user configs are read by :mod:`hookport.config.loader` instead.
"""
from __future__ import annotations

import os
from typing import Any, Union


def load_table(path: Union[str, os.PathLike]) -> Any:
    """The parsed YAML file at ``path`` (safe loading only)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)
