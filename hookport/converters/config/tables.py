"""The YAML tables next to this module (key moves, hook and argument maps, schedule policies), cached."""
from __future__ import annotations

import functools
import os
from typing import Any, Dict

from hookport.tables import load_table

_HERE = os.path.join(os.path.dirname(__file__), "tables")


@functools.lru_cache(maxsize=None)
def table(name: str) -> Dict[str, Any]:
    """The parsed table ``tables/<name>.yaml``."""
    return load_table(os.path.join(_HERE, f"{name}.yaml"))


def scope_info(scope: str) -> Dict[str, Any]:
    """The codebase table for ``--scope`` (visualizer, metric map); empty for unknown scopes."""
    scopes = table("keys")["scopes"]
    info = scopes.get(scope or "", {})
    if "alias" in info:
        info = scopes[info["alias"]]
    return info
