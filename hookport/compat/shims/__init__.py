"""Import stand-ins for ``mmcv`` and ``imix`` when the real packages are absent.

:func:`install` looks each legacy package up with the regular import system
first. Only a package that cannot be found gets a stand-in: from then on
``mmcv.runner.hooks`` is served by ``hookport.compat.shims.mmcv.runner.hooks``
(the same module object under both names, so classes exist once). A real
``mmcv`` or ``imix`` is never shadowed. A legacy name without a stand-in module
stays missing (the usual ``ModuleNotFoundError``).
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from typing import Dict, Optional

SHIMMED = ("mmcv", "imix")
_PACKAGE = __name__


class _AliasLoader(importlib.abc.Loader):
    """Makes a legacy name an alias of an already importable stand-in module."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        return None  # a throw-away module; exec_module swaps in the stand-in

    def exec_module(self, module) -> None:
        # The import system returns whatever sys.modules holds under the legacy name once
        # exec_module is done, so the stand-in keeps its own __name__ and identity.
        sys.modules[module.__name__] = importlib.import_module(self.target)


class ShimFinder(importlib.abc.MetaPathFinder):
    """Serves ``<top>.*`` from ``hookport.compat.shims.<top>.*`` for the shimmed tops."""

    def __init__(self, tops):
        self.tops = frozenset(tops)

    def find_spec(self, fullname: str, path=None, target=None):
        """A spec aliasing ``fullname`` to its stand-in module, or None (not shimmed, no stand-in)."""
        if fullname.partition(".")[0] not in self.tops:
            return None
        target_name = f"{_PACKAGE}.{fullname}"
        try:
            found = importlib.util.find_spec(target_name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            return None
        is_pkg = found.submodule_search_locations is not None
        spec = importlib.util.spec_from_loader(fullname, _AliasLoader(target_name), is_package=is_pkg)
        if is_pkg:
            spec.submodule_search_locations = []  # children are found by this finder, not on disk
        return spec


_FINDER: Optional[ShimFinder] = None


def _real_available(top: str) -> bool:
    module = sys.modules.get(top)
    if module is not None:
        return not getattr(module, "__name__", "").startswith(_PACKAGE)
    return importlib.util.find_spec(top) is not None


def install() -> Dict[str, bool]:
    """Make stand-ins importable for the legacy packages that are absent (idempotent).

    Returns ``{top: True if the stand-in serves it}``.
    """
    global _FINDER
    if _FINDER is None:
        _FINDER = ShimFinder(top for top in SHIMMED if not _real_available(top))
    if _FINDER not in sys.meta_path:
        # First in line, but it only answers for packages no other finder has.
        sys.meta_path.insert(0, _FINDER)
    return {top: top in _FINDER.tops for top in SHIMMED}


def uninstall() -> None:
    """Remove the finder and forget legacy names that point at stand-ins."""
    global _FINDER
    if _FINDER is not None and _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    _FINDER = None
    for name in list(sys.modules):
        if name.partition(".")[0] in SHIMMED and getattr(sys.modules[name], "__name__", "").startswith(_PACKAGE):
            del sys.modules[name]


def is_shimmed(top: str) -> bool:
    """Whether ``top`` is currently served by a hookport stand-in."""
    return _FINDER is not None and _FINDER in sys.meta_path and top in _FINDER.tops
