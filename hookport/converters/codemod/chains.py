"""Access-chain rewrites driven by ``runner_api.yaml`` (MMCV) and ``imix_trainer.yaml`` (iMIX).

A pattern such as ``runner.outputs['log_vars']`` or ``self.trainer.optimizer.step(...)``
matches the outermost node whose whole chain equals it, so the longest pattern wins
(nodes are claimed on the way down, replaced on the way up). A claimed chain's
inner nodes are not matched again; call arguments still are.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set

import libcst as cst

from hookport.converters.codemod import handlers
from hookport.converters.codemod.batch import BodyRule
from hookport.converters.codemod.codegen import arg_code, code_of, expression, keep_parens
from hookport.converters.codemod.tables import ChainRule, flatten

#: which table applies to which dialect's hook classes
_TABLES = {"mmcv": "runner_api.yaml", "imix": "imix_trainer.yaml"}


def template_fields(scope) -> Dict[str, str]:
    """The template placeholders that depend only on where the rewrite happens."""
    runner = scope.runner or "runner"
    mode = scope.mode
    if mode == "dynamic":
        dataloader = f"({runner}.train_dataloader if mode == 'train' else {runner}.val_dataloader)"
        return {"runner": runner, "mode": "{mode}", "mode_expr": "mode", "dataloader": dataloader}
    return {"runner": runner, "mode": str(mode), "mode_expr": repr(mode), "dataloader": f"{runner}.{mode}_dataloader"}


class ChainRewrite(BodyRule):
    """Rewrite runner / ``self.trainer`` / helper chains per the dialect's table."""

    def __init__(self, batch):
        super().__init__(batch)
        self.table = _TABLES[self.scope.dialect]
        self.claims: Dict[int, ChainRule] = {}
        self.inner: Set[int] = set()
        #: ids of calls that are a whole expression statement (may expand into several)
        self.statement_calls: Set[int] = set()
        #: ids of `self.trainer` values of alias assignments (`trainer = self.trainer`)
        self.aliased: Set[int] = set()
        #: quote characters of the f-strings being walked (a replacement must not reuse them)
        self.fstring_quotes: List[str] = []

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """Remember the f-string's quote so a replacement string inside it uses another."""
        self.fstring_quotes.append(node.quote)

    def leave_FormattedString(self, original, updated):
        """Forget the f-string's quote."""
        self.fstring_quotes.pop()
        return updated

    def leave_FormattedStringExpression(self, original, updated):
        """Inline a replacement that became a plain string literal into the f-string text."""
        # f'{runner.mode}' rewritten to f'{"train"}' reads better as f'train'.
        expr = updated.expression
        if isinstance(expr, cst.SimpleString) and updated.conversion is None and updated.format_spec is None \
                and not expr.prefix and isinstance(expr.evaluated_value, str) and "\\" not in expr.value:
            text = expr.evaluated_value.replace("{", "{{").replace("}", "}}")
            return cst.FormattedStringText(value=text)
        return updated

    # -- claiming on the way down -----------------------------------------
    def visit_Expr(self, node: cst.Expr) -> None:
        """Note calls that are a whole statement (a rewrite may expand them into several)."""
        self.statement_calls.add(id(node.value))

    def visit_Assign(self, node: cst.Assign) -> None:
        """Note iMIX ``trainer = self.trainer`` aliases inside a mount point."""
        # iMIX's `trainer = self.trainer` alias becomes `trainer = runner` inside a mount point.
        value = node.value
        if self.scope.dialect == "imix" and self.scope.runner and len(node.targets) == 1 \
                and isinstance(node.targets[0].target, cst.Name) and node.targets[0].target.value in \
                self.scope.trainer_aliases and flatten(value) == ("self", (("attr", "trainer"),)) \
                and self.ctx.options.enabled("HP351"):
            self.aliased.add(id(value))

    def leave_Attribute(self, original, updated):
        """Replace a claimed attribute chain (or a trainer alias) by its rule's target."""
        if id(original) in self.aliased:
            self.ctx.fixed("HP351")
            return cst.Name(self.scope.runner)
        return self._replace(original, updated)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """Claim the attribute chain if a rule of this table matches it."""
        self._claim(node)

    def visit_Call(self, node: cst.Call) -> None:
        """Claim the call chain if a rule of this table matches it."""
        self._claim(node)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        """Claim the subscript chain if a rule of this table matches it."""
        self._claim(node)

    def _claim(self, node: cst.BaseExpression) -> None:
        if id(node) in self.inner or id(node) in self.aliased:
            return
        flat = flatten(node)
        if flat is None:
            return
        root, parts = flat
        if root == self.scope.runner and self.scope.runner is not None:
            kind = "runner"
        elif self.scope.function:
            # A runner helper has no hook `self`: a hook helper is a call that takes the runner first
            # (`hook.every_n_iters(runner, n)`), unless it is the helper class's own method.
            if not self._hook_helper_call(node, root, parts):
                return
            kind = "self"
        elif root == "self":
            kind = "self"
        elif root in self.scope.trainer_aliases and parts:
            # `trainer = self.trainer; trainer.iter` reads like `self.trainer.iter`
            kind, parts = "self", (("attr", "trainer"),) + parts
        else:
            return
        rule = self.ctx.tables.chains.get((kind, parts))
        if rule is None or rule.table != self.table or not self.ctx.options.enabled(rule.code):
            return
        self.claims[id(node)] = rule
        spine = node
        while isinstance(spine, (cst.Attribute, cst.Call, cst.Subscript)):
            spine = spine.func if isinstance(spine, cst.Call) else spine.value
            self.inner.add(id(spine))

    def _hook_helper_call(self, node: cst.BaseExpression, root: str, parts) -> bool:
        """``name.helper(runner, ...)`` where ``helper`` is not the enclosing class's own method.

        A hook helper called without the runner first may be something else of the same name:
        it is kept, under a TODO saying what MMEngine's hook helper is.
        """
        if not isinstance(node, cst.Call) or len(parts) != 2 or parts[0][0] != "attr":
            return False
        if root == "self" and parts[0][1] in self.scope.own_methods:
            return False
        rule = self.ctx.tables.chains.get(("self", parts))
        if rule is None or rule.table != self.table:
            return False
        first = node.args[0] if node.args else None
        if first is not None and first.keyword is None and not first.star \
                and isinstance(first.value, cst.Name) and first.value.value == self.scope.runner:
            return True
        if self.ctx.options.enabled(rule.code):
            self.batch.todo(rule.code, self.ctx.tables.function_note("helper_receiver", rule, self.scope, [], root))
        return False

    # -- replacing on the way up ------------------------------------------
    def leave_Call(self, original, updated):
        """Replace a claimed call chain by its rule's target."""
        return self._replace(original, updated)

    def leave_Subscript(self, original, updated):
        """Replace a claimed subscript chain by its rule's target."""
        return self._replace(original, updated)

    def _replace(self, original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
        rule = self.claims.pop(id(original), None)
        if rule is None:
            return updated
        scope = self.scope
        tables = self.ctx.tables
        if rule.table == "imix_trainer.yaml" and scope.runner is None and not rule.manual:
            code, text = tables.note("needs_scope", what=rule.source, needs="a runner", method=f"{scope.method}()")
            self.batch.todo("HP909", text)
            return updated
        missing = [need for need in rule.needs if not scope.has(need)]
        hook = code_of(updated.func.value) if isinstance(updated, cst.Call) and \
            isinstance(updated.func, cst.Attribute) else "self"
        if missing and scope.function:
            # the rule's own code: --ignore of that rule silences its TODO too
            self.batch.todo(rule.code, tables.function_note("needs_argument", rule, scope, missing, hook))
            return updated
        if missing:
            code, text = tables.note("needs_scope", what=rule.source, needs=" and ".join(missing),
                                     method=f"{scope.method}()")
            self.batch.todo(code, text)
            return updated
        if rule.manual:
            self.batch.todo(rule.code, rule.note)
            return updated
        fields = dict(template_fields(scope), hook=hook)  # {hook}: what a hook helper is called on
        if rule.handler is not None:
            exprs = getattr(handlers, rule.handler)(self, updated, fields, id(original) in self.statement_calls)
            if not exprs:
                return updated
            new = exprs[0]
            self.batch.add_statements_after(exprs[1:])
        else:
            new = self._from_template(rule, updated, fields)
            if new is None:
                return updated
        if rule.todo:
            self.batch.todo(rule.code, rule.todo)
        if scope.mode_assumed and "mode" in rule.needs:
            self.batch.todo(rule.code, tables.function_note("mode_assumed", rule, scope, ["mode"], hook))
        mode_todo = rule.todo_in_modes.get(scope.mode) if scope.mode != "dynamic" else next(
            iter(rule.todo_in_modes.values()), None)
        if mode_todo:
            self.batch.todo(rule.code, mode_todo)
        self.ctx.fixed(rule.code)
        return keep_parens(updated, new)

    def _from_template(self, rule: ChainRule, updated: cst.BaseExpression, fields) -> Optional[cst.BaseExpression]:
        fields = dict(fields)
        if isinstance(updated, cst.Call):
            codes = [arg_code(arg) for arg in updated.args]
            fields["args"] = ", ".join(codes)
            fields.update({f"arg{i}": text for i, text in enumerate(codes)})
        try:
            text = rule.target.format(**fields)
        except (KeyError, IndexError):
            # A call with fewer arguments than the rule expects: leave it to a human.
            self.batch.todo(rule.code, f"{rule.source}: unexpected arguments; {rule.note}")
            return None
        text = self._fit_quotes(text)
        if text is None:
            self.batch.todo(rule.code, f"{rule.source} inside an f-string: rewrite it by hand; {rule.note}")
            return None
        return expression(text)

    def _fit_quotes(self, text: str) -> Optional[str]:
        """``text`` usable inside the enclosing f-string (before Python 3.12 it cannot reuse its quote)."""
        quote = self.fstring_quotes[-1] if self.fstring_quotes else None
        if quote is None or len(quote) != 1 or quote not in text:
            return text
        other = '"' if quote == "'" else "'"
        if other in text or "\\" in text:
            return None
        return text.replace(quote, other)
