"""Rename the uses of an imported name whose MMEngine counterpart is spelled differently.

``is_module_wrapper`` -> ``is_model_wrapper``, iMIX ``HookBase`` -> ``Hook``,
``allreduce_params`` -> ``all_reduce_params``: every load of the bare name is
renamed; attribute names and keyword names that merely look the same are not.
"""
from __future__ import annotations

from typing import Dict

import libcst as cst


class RenameNames(cst.CSTTransformer):
    """Rename bare-name references per ``renames`` (old -> new)."""

    def __init__(self, renames: Dict[str, str]):
        super().__init__()
        self.renames = renames

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.renames.get(original.value)
        return updated.with_changes(value=new) if new else updated

    # The same spelling as an attribute, keyword or parameter name is another name: restore it.
    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)

    def leave_Param(self, original: cst.Param, updated: cst.Param) -> cst.Param:
        return updated.with_changes(name=original.name)

    def leave_ImportAlias(self, original: cst.ImportAlias, updated: cst.ImportAlias) -> cst.ImportAlias:
        return original
