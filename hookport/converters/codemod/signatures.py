"""Mount-point signatures: MMCV ``(self, runner)`` and iMIX ``(self)`` -> MMEngine's arguments.

The added parameters and their type hints come from ``signatures.yaml``; the
typing names they use are scheduled as imports. A header that would exceed 79
characters is wrapped one parameter per line, aligned with the opening
parenthesis (the style of the mmdet 3.x ports).
"""
from __future__ import annotations

import functools
import re
from typing import Optional, Sequence, Tuple

import libcst as cst

from hookport.converters.codemod.codegen import code_of

_TYPING = re.compile(r"\b(Optional|Sequence|Dict|Any|Union|List)\b")
MAX_LINE = 79


def positional_names(fn: cst.FunctionDef) -> Optional[Sequence[str]]:
    """Names of ``fn``'s plain positional parameters; None if it has defaults, ``*``/``**`` or kw-only ones."""
    params = fn.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg is not None or params.kwonly_params \
            or params.posonly_params:
        return None
    if any(p.default is not None for p in params.params):
        return None
    return [p.name.value for p in params.params]


def is_plain(fn: cst.FunctionDef, dialect: str) -> bool:
    """Whether ``fn`` has exactly the legacy signature: MMCV ``(self, runner)``, iMIX ``(self)``."""
    names = positional_names(fn)
    return names is not None and len(names) == (2 if dialect == "mmcv" else 1)


@functools.lru_cache(maxsize=None)
def _stub_params(texts: Tuple[str, ...], indent: str, newline: str) -> Tuple[Tuple[cst.Param, ...], int]:
    """Parsed parameters for ``texts`` and their printed length (parsed once per signature shape)."""
    config = cst.PartialParserConfig(default_indent=indent, default_newline=newline)
    stub = cst.parse_statement(f"def _(self, {', '.join(texts)}): pass{newline}", config=config)
    params = tuple(stub.params.params[1:])
    return params, sum(len(text) + 2 for text in texts)


def with_params(fn: cst.FunctionDef, extra: Sequence[str], ctx, config: cst.PartialParserConfig,
                indent: str, add_runner: bool = False) -> cst.FunctionDef:
    """``fn`` with ``runner`` (if ``add_runner``) and the ``extra`` parameter texts appended."""
    texts = (["runner"] if add_runner else []) + list(extra)
    if not texts:
        return fn
    for name in _TYPING.findall(" ".join(texts)):
        ctx.need_import("typing", name)
    new_params, new_length = _stub_params(tuple(texts), indent, config.default_newline)
    params = [*fn.params.params, *new_params]
    header = len(indent) + len(f"def {fn.name.value}(") + sum(len(code_of(p)) + 2 for p in fn.params.params) \
        + new_length
    if header > MAX_LINE:
        pad = " " * len(f"def {fn.name.value}(")
        wrapped = []
        for i, param in enumerate(params):
            if i < len(params) - 1:
                param = param.with_changes(comma=cst.Comma(whitespace_after=cst.ParenthesizedWhitespace(
                    indent=True, last_line=cst.SimpleWhitespace(pad))))
            else:
                param = param.with_changes(comma=cst.MaybeSentinel.DEFAULT)
            wrapped.append(param)
        params = wrapped
    else:
        params = [p.with_changes(comma=cst.MaybeSentinel.DEFAULT) for p in params]
    return fn.with_changes(params=fn.params.with_changes(params=params))
