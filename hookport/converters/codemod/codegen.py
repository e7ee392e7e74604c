"""Small code-generation helpers shared by the transforms."""
from __future__ import annotations

import functools

import libcst as cst

_EMPTY = cst.Module(body=[])


def code_of(node: cst.CSTNode) -> str:
    """Source text of ``node`` (default module config)."""
    return _EMPTY.code_for_node(node)


def arg_code(arg: cst.Arg) -> str:
    """Source text of one call argument, without its trailing comma."""
    return code_of(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=cst.SimpleWhitespace("")))


def keep_parens(original: cst.BaseExpression, new: cst.BaseExpression) -> cst.BaseExpression:
    """Give ``new`` the parentheses ``original`` had (so ``(runner.outputs)`` keeps them)."""
    lpar = getattr(original, "lpar", ())
    if lpar and hasattr(new, "lpar") and not new.lpar:
        return new.with_changes(lpar=original.lpar, rpar=original.rpar)
    return new


@functools.lru_cache(maxsize=4096)
def expression(text: str) -> cst.BaseExpression:
    """``text`` parsed as an expression; cached, since rule templates repeat (nodes are immutable)."""
    return cst.parse_expression(text)
