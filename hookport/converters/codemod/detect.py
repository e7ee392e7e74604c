"""Find what the codemod works on: legacy imports and legacy hook classes.

Only top-level statements are looked at (hook modules import and define hooks at
module level); a class is a legacy hook when a base is MMCV's ``Hook`` / iMIX's
``HookBase`` (or an MMCV built-in hook, or a legacy hook class defined earlier in
the same file), imported by name or spelled ``mmcv.runner.Hook``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import libcst as cst

from hookport.converters.codemod.tables import ImportRule, Tables, flatten

_HOOK_TARGET = "mmengine.hooks.Hook"


def module_name(node: cst.ImportFrom) -> str:
    """Dotted module of a ``from`` import; relative ones keep one leading dot (any depth)."""
    parts = []
    mod = node.module
    while isinstance(mod, cst.Attribute):
        parts.append(mod.attr.value)
        mod = mod.value
    if isinstance(mod, cst.Name):
        parts.append(mod.value)
    dotted = ".".join(reversed(parts))
    return "." + dotted if node.relative else dotted


def is_legacy_module(module: str, tables: Tables) -> bool:
    """Whether the codemod owns imports from ``module``."""
    return any(module == m or (not m.startswith(".") and module.startswith(m + ".")) for m in tables.legacy_modules)


@dataclass(frozen=True)
class LegacyName:
    """One name imported from a legacy module."""

    local: str  # the name bound in this file
    qualified: str  # "module.Name"
    name: str  # the imported name
    asname: Optional[str]
    rule: Optional[ImportRule]

    @property
    def dialect(self) -> str:
        """'imix' for iMIX modules (absolute or relative), else 'mmcv'."""
        return "imix" if self.qualified.startswith(("imix.", ".")) else "mmcv"


@dataclass(frozen=True)
class HookClass:
    """A legacy hook class found at module level."""

    name: str
    dialect: str  # 'mmcv' | 'imix'
    builtin_base: Optional[str]  # an MMCV built-in hook it subclasses (no MMEngine counterpart)
    attribute_bases: Tuple[str, ...]  # bases spelled as attributes (mmcv.runner.Hook)


class ImportIndex:
    """Legacy names and module aliases bound by the module's top-level imports."""

    def __init__(self, module: cst.Module, tables: Tables):
        self.names: Dict[str, LegacyName] = {}
        self.module_aliases: Dict[str, str] = {}  # local -> dotted module (import mmcv.runner as r)
        for stmt in module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                    mod = module_name(small)
                    if not is_legacy_module(mod, tables):
                        continue
                    for alias in small.names:
                        name = cst.helpers.get_full_name_for_node(alias.name)
                        asname = alias.asname.name.value if alias.asname else None
                        qualified = f"{mod}.{name}"
                        self.names[asname or name] = LegacyName(asname or name, qualified, name, asname,
                                                                tables.imports.get(qualified))
                elif isinstance(small, cst.Import):
                    for alias in small.names:
                        dotted = cst.helpers.get_full_name_for_node(alias.name)
                        if dotted.split(".")[0] in ("mmcv", "imix"):
                            local = alias.asname.name.value if alias.asname else dotted.split(".")[0]
                            self.module_aliases[local] = dotted if alias.asname else local

    def imports_mmcv_hooks(self) -> bool:
        """Whether the file imports MMCV's hook API by name (``Hook``, ``HOOKS``, a built-in ``*Hook``)."""
        return any(n.dialect == "mmcv" and (n.name == "HOOKS" or n.name.endswith("Hook")) for n in self.names.values())

    def qualify(self, expr: cst.BaseExpression) -> Optional[str]:
        """``mmcv.runner.Hook`` / ``Hook`` -> the legacy qualified name it denotes, if any."""
        flat = flatten(expr)
        if flat is None or any(p[0] != "attr" for p in flat[1]):
            return None
        root, parts = flat
        if not parts:
            legacy = self.names.get(root)
            return legacy.qualified if legacy else None
        if root in self.module_aliases:
            return ".".join([self.module_aliases[root], *(p[1] for p in parts)])
        return None


def _base_kind(qualified: str, tables: Tables) -> Optional[str]:
    """'plain' for MMCV Hook / iMIX HookBase, 'builtin' for another legacy hook class, else None."""
    rule = tables.imports.get(qualified)
    if rule is not None and rule.target == _HOOK_TARGET:
        return "plain"
    last = qualified.rpartition(".")[2]
    if last.endswith("Hook") and qualified.startswith("mmcv."):
        return "builtin"
    return None


def hook_classes(module: cst.Module, index: ImportIndex, tables: Tables) -> Dict[str, HookClass]:
    """The legacy hook classes defined at module level, by name (in file order)."""
    found: Dict[str, HookClass] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.ClassDef):
            continue
        dialect: Optional[str] = None
        builtin: Optional[str] = None
        attribute_bases: List[str] = []
        for arg in stmt.bases:
            if isinstance(arg.value, cst.Name) and arg.value.value in found:
                dialect = dialect or found[arg.value.value].dialect
                continue
            qualified = index.qualify(arg.value)
            if qualified is None:
                continue
            kind = _base_kind(qualified, tables)
            if kind is None:
                continue
            dialect = "imix" if qualified.startswith(("imix.", ".")) else "mmcv"
            if kind == "builtin":
                builtin = qualified
            if not isinstance(arg.value, cst.Name):
                attribute_bases.append(qualified)
        if dialect is not None:
            found[stmt.name.value] = HookClass(stmt.name.value, dialect, builtin, tuple(attribute_bases))
    return found
