"""Rename the uses of an imported name whose MMEngine counterpart is spelled differently.

``is_module_wrapper`` -> ``is_model_wrapper``, iMIX ``HookBase`` -> ``Hook``,
``allreduce_params`` -> ``all_reduce_params``: every bare-name reference is renamed;
attribute, keyword and parameter names that merely look the same are not. The rule
runs batched with the other body rules inside hook classes (:class:`RenameRule`) and
on its own over the rest of the module (:class:`RenameNames`).
"""
from __future__ import annotations

from typing import Dict, Set

import libcst as cst

from hookport.converters.codemod.batch import BodyRule


class _Renamer:
    """Shared logic: names in attribute/keyword/parameter position are protected."""

    renames: Dict[str, str]
    protected: Set[int]

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.protected.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.protected.add(id(node.keyword))

    def visit_Param(self, node: cst.Param) -> None:
        self.protected.add(id(node.name))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        self.protected.add(id(node.name))

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.renames.get(original.value)
        if new is None or id(original) in self.protected:
            return updated
        return updated.with_changes(value=new)


class RenameNames(_Renamer, cst.CSTTransformer):
    """Stand-alone transformer for module-level statements."""

    def __init__(self, renames: Dict[str, str]):
        cst.CSTTransformer.__init__(self)
        self.renames = renames
        self.protected = set()


class RenameRule(_Renamer, BodyRule):
    """The same rename, batched with the other body rules of a hook method."""

    def __init__(self, batch):
        BodyRule.__init__(self, batch)
        self.renames = self.ctx.renames
        self.protected = set()
