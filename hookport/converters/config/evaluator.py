"""A safe evaluator for the literal subset that configs are written in.

It understands literals, ``dict(...)``, lists, tuples, dicts, names assigned
earlier, simple arithmetic, ``%`` and ``.format`` string formatting, subscripts
of known values, f-strings of known values and ``'{{_base_.x}}'`` references.
Everything else evaluates to an :class:`Opaque` carrying its source text: the
evaluator never runs user code.
"""
from __future__ import annotations

import ast
import operator
import re
from typing import Any, Callable, Dict, Mapping, Optional

import libcst as cst

from hookport.converters.config.values import Opaque, SDict, SList, STuple, contains_opaque

_BASE_REF = re.compile(r"^\{\{\s*_base_\.([\w.\[\]'\"]+)\s*\}\}$")
_BINOPS: Dict[type, Callable[[Any, Any], Any]] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod,
    cst.Power: operator.pow,
}
_CONSTANTS = {"True": True, "False": False, "None": None}


class _NotLiteral(Exception):
    """Internal: the expression is outside the subset."""


class Evaluator:
    """Evaluates libcst expressions against ``env`` (names assigned earlier) and ``base`` (merged bases).

    Args:
        module: the parsed module (to render source text of sub-expressions).
        env: names known so far; the caller adds each top-level assignment.
        base: the merged config of the ``_base_`` files, for ``{{_base_.x}}``.
    """

    def __init__(self, module: cst.Module, env: Dict[str, Any], base: Optional[Mapping[str, Any]] = None,
                 origin: Optional[str] = None):
        self.module = module
        self.env = env
        self.base = base or {}
        self.origin = origin

    def source(self, node: cst.CSTNode) -> str:
        """The exact source text of ``node``."""
        return self.module.code_for_node(node)

    def evaluate(self, node: cst.BaseExpression, line: Optional[int] = None) -> Any:
        """The value of ``node``, or an :class:`Opaque` if it is outside the subset."""
        try:
            return self._eval(node)
        except _NotLiteral as why:
            return Opaque(self.source(node).strip(), line, str(why), self.origin)

    # -- dispatch -------------------------------------------------------------------------------
    def _eval(self, node: cst.BaseExpression) -> Any:
        handler = getattr(self, "_eval_" + type(node).__name__, None)
        if handler is None:
            raise _NotLiteral(f"{type(node).__name__} expressions are not evaluated")
        return handler(node)

    def _element(self, node: cst.BaseExpression) -> Any:
        """Evaluate a container element; an unreadable element stays source text in place."""
        try:
            return self._eval(node)
        except _NotLiteral as why:
            return Opaque(self.source(node).strip(), None, str(why), self.origin)

    def _eval_Integer(self, node: cst.Integer) -> int:
        return int(node.value.replace("_", ""), 0)

    def _eval_Float(self, node: cst.Float) -> float:
        return float(node.value.replace("_", ""))

    def _eval_SimpleString(self, node: cst.SimpleString) -> Any:
        text = ast.literal_eval(node.value)
        match = _BASE_REF.match(text) if isinstance(text, str) else None
        if match:
            return self._base_lookup(match.group(1))
        return text

    def _eval_Set(self, node: cst.Set) -> Any:
        # MMCV's own spelling is unquoted, `x = {{_base_.x}}` (Python reads it as a set of a set)
        match = _BASE_REF.match(self.source(node).strip())
        if match:
            return self._base_lookup(match.group(1))
        raise _NotLiteral("sets are not evaluated")

    def _eval_ConcatenatedString(self, node: cst.ConcatenatedString) -> Any:
        return self._eval(node.left) + self._eval(node.right)

    def _eval_FormattedString(self, node: cst.FormattedString) -> str:
        parts = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
                continue
            value = self._strict(part.expression)
            spec = ""
            if part.format_spec:
                spec = "".join(p.value for p in part.format_spec if isinstance(p, cst.FormattedStringText))
            if part.conversion == "r":
                value = repr(value)
            elif part.conversion == "s":
                value = str(value)
            parts.append(format(value, spec))
        return "".join(parts)

    def _eval_Name(self, node: cst.Name) -> Any:
        if node.value in _CONSTANTS:
            return _CONSTANTS[node.value]
        if node.value in self.env:
            return self.env[node.value]
        raise _NotLiteral(f"name '{node.value}' is not assigned earlier in the file")

    def _eval_UnaryOperation(self, node: cst.UnaryOperation) -> Any:
        value = self._strict(node.expression)
        if isinstance(node.operator, cst.Minus):
            return -value
        if isinstance(node.operator, cst.Plus):
            return +value
        if isinstance(node.operator, cst.Not):
            return not value
        raise _NotLiteral("bitwise operators are not evaluated")

    def _eval_BinaryOperation(self, node: cst.BinaryOperation) -> Any:
        op = _BINOPS.get(type(node.operator))
        if op is None:
            raise _NotLiteral("this operator is not evaluated")
        left, right = self._strict(node.left), self._strict(node.right)
        if op is operator.pow and isinstance(right, (int, float)) and abs(right) > 64:
            raise _NotLiteral("large powers are not evaluated")
        try:
            return op(left, right)
        except Exception as err:  # e.g. 'a' - 1 or 1 / 0 in a config: leave it as text
            raise _NotLiteral(f"cannot compute: {err}") from None

    def _eval_List(self, node: cst.List) -> SList:
        out = SList()
        out.origin = self.origin
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                raise _NotLiteral("starred elements are not evaluated")
            value = self._element(element.value)
            out.srcs[len(out)] = (self.source(element.value).strip(), value)
            out.append(value)
        return out

    def _eval_Tuple(self, node: cst.Tuple) -> STuple:
        values, srcs = [], {}
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                raise _NotLiteral("starred elements are not evaluated")
            value = self._element(element.value)
            srcs[len(values)] = (self.source(element.value).strip(), value)
            values.append(value)
        out = STuple(values)
        out.srcs, out.origin = srcs, self.origin
        return out

    def _eval_Dict(self, node: cst.Dict) -> SDict:
        out = SDict()
        out.origin = self.origin
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                self._splat(out, self._strict(element.value))
                continue
            key = self._strict(element.key)
            value = self._element(element.value)
            out[key] = value
            out.srcs[key] = (self.source(element.value).strip(), value)
        return out

    def _eval_Call(self, node: cst.Call) -> Any:
        func = node.func
        if isinstance(func, cst.Name) and func.value == "dict" and func.value not in self.env:
            return self._dict_call(node)
        if isinstance(func, cst.Name) and func.value in ("list", "tuple") and len(node.args) <= 1:
            items = self._strict(node.args[0].value) if node.args else []
            return SList(items) if func.value == "list" else STuple(items)
        if isinstance(func, cst.Attribute) and func.attr.value == "format":
            template = self._strict(func.value)
            if isinstance(template, str):
                args, kwargs = [], {}
                for arg in node.args:
                    if arg.keyword is not None:
                        kwargs[arg.keyword.value] = self._strict(arg.value)
                    elif arg.star:
                        raise _NotLiteral("starred format arguments are not evaluated")
                    else:
                        args.append(self._strict(arg.value))
                return template.format(*args, **kwargs)
        raise _NotLiteral(f"call to {self.source(func).strip()}() is not evaluated")

    def _dict_call(self, node: cst.Call) -> SDict:
        out = SDict()
        out.origin = self.origin
        for arg in node.args:
            if arg.star == "**":
                self._splat(out, self._strict(arg.value))
            elif arg.keyword is not None:
                value = self._element(arg.value)
                out[arg.keyword.value] = value
                out.srcs[arg.keyword.value] = (self.source(arg.value).strip(), value)
            elif not arg.star:
                self._splat(out, self._strict(arg.value))
            else:
                raise _NotLiteral("dict(*args) is not evaluated")
        return out

    def _eval_Subscript(self, node: cst.Subscript) -> Any:
        value = self._strict(node.value)
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            raise _NotLiteral("slices are not evaluated")
        key = self._strict(node.slice[0].slice.value)
        try:
            return value[key]
        except Exception as err:
            raise _NotLiteral(f"cannot subscript: {err!r}") from None

    # -- helpers --------------------------------------------------------------------------------
    def _strict(self, node: cst.BaseExpression) -> Any:
        """Evaluate ``node``; raise if any part of it is opaque (needed for arithmetic and keys)."""
        value = self._eval(node)
        if contains_opaque(value) is not None:
            raise _NotLiteral(f"'{self.source(node).strip()}' is not a literal")
        return value

    @staticmethod
    def _splat(out: SDict, value: Any) -> None:
        if not isinstance(value, dict):
            raise _NotLiteral("** of a non-dict")
        for key, item in value.items():
            out[key] = item
            src = value.srcs.get(key) if isinstance(value, SDict) else None
            if src is not None:
                out.srcs[key] = src

    def _base_lookup(self, path: str) -> Any:
        value: Any = self.base
        for part in re.findall(r"[^.\[\]'\"]+", path):
            key: Any = int(part) if part.isdigit() and isinstance(value, (list, tuple)) else part
            try:
                value = value[key]
            except (KeyError, IndexError, TypeError):
                raise _NotLiteral(f"'_base_.{path}' is not defined by the base files") from None
        return value
