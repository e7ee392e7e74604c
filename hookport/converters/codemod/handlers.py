"""Rewrites that a template cannot express (named by ``handler:`` in the tables).

Each handler gets the :class:`~hookport.converters.codemod.chains.ChainRewrite` rule
(for TODOs and the scope), the updated call, the template fields, and whether the
call is a whole statement; it returns the replacement expressions (more than one
only for a whole statement), or an empty list after leaving a TODO.
"""
from __future__ import annotations

from typing import List, Optional

import libcst as cst

from hookport.converters.codemod.codegen import code_of, expression


def _prefixed_key(key: cst.BaseExpression, mode: str, dynamic: bool) -> str:
    """The message-hub key for a log key: ``'train/loss'`` (``f'{mode}/loss'`` in a shared helper)."""
    if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str):
        quote, prefix = key.quote, key.prefix
        inner = key.value[len(prefix) + len(quote):-len(quote)]
        if not dynamic:
            return f"{prefix}{quote}{mode}/{inner}{quote}"
        if "{" not in inner and "}" not in inner and "b" not in prefix.lower():
            return f"f{prefix.replace('f', '').replace('F', '')}{quote}{{mode}}/{inner}{quote}"
    head = "mode + '/'" if dynamic else repr(f"{mode}/")
    return f"{head} + {code_of(key)}"


def _arg(call: cst.Call, position: int, keyword: str) -> Optional[cst.Arg]:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    return positional[position] if position < len(positional) else None


def log_buffer_update(rule, call: cst.Call, fields, whole_statement: bool) -> List[cst.BaseExpression]:
    """``runner.log_buffer.update({'k': v}, n)`` -> ``runner.message_hub.update_scalar('train/k', v, count=n)``."""
    tables = rule.ctx.tables
    mode = rule.scope.mode
    vars_arg, count_arg = _arg(call, 0, "vars"), _arg(call, 1, "count")
    literal = vars_arg is not None and isinstance(vars_arg.value, cst.Dict) and all(
        isinstance(el, cst.DictElement) for el in vars_arg.value.elements)
    if not literal or not vars_arg.value.elements or (len(vars_arg.value.elements) > 1 and not whole_statement):
        code, text = tables.note("log_update_dynamic", mode=fields["mode"] if mode != "dynamic" else "<mode>")
        rule.batch.todo(code, text)
        return []
    count = "" if count_arg is None else f", count={code_of(count_arg.value)}"
    out = []
    for element in vars_arg.value.elements:
        key = _prefixed_key(element.key, fields["mode"], mode == "dynamic")
        out.append(expression(
            f"{fields['runner']}.message_hub.update_scalar({key}, {code_of(element.value)}{count})"))
    return out


def put_scalar(rule, call: cst.Call, fields, whole_statement: bool) -> List[cst.BaseExpression]:
    """iMIX ``log_buffer.put_scalar(name, value, ...)`` -> ``runner.message_hub.update_scalar('train/name', value)``."""
    name_arg, value_arg = _arg(call, 0, "name"), _arg(call, 1, "data")
    if name_arg is None or value_arg is None:
        rule.batch.todo("HP355", "put_scalar without a name and a value: port by hand")
        return []
    key = _prefixed_key(name_arg.value, "train", False)
    return [expression(f"{fields['runner']}.message_hub.update_scalar({key}, {code_of(value_arg.value)})")]
