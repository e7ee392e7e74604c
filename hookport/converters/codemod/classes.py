"""One legacy hook class -> an MMEngine hook: base, priority, signatures, bodies.

Steps, each one concern (and one rule-code family):

* base class (HP204): ``mmcv.runner.Hook`` spelled as an attribute becomes ``Hook`` from
  ``mmengine.hooks`` (names imported from legacy modules are handled by the import rules);
  MMCV built-in bases (HP908) and EMA hooks (HP910) get a TODO on the class;
* iMIX level (HP205): ``self._level = PriorityStatus.X`` in ``__init__`` becomes the class
  attribute ``priority = '<name>'``. The level is translated with
  :func:`hookport.priority.translate` (same rank: HIGHEST->HIGHEST, HIGHER->VERY_HIGH,
  HIGH->HIGH, NORMAL->NORMAL, LOW->LOW, LOWER->VERY_LOW, LOWEST->LOWEST), so hooks keep
  their order among themselves. Their place among the *default* hooks differs: iMIX ran a
  NORMAL custom hook after its logger, checkpoint and eval hooks, MMEngine runs NORMAL
  before LoggerHook (BELOW_NORMAL) and CheckpointHook (VERY_LOW);
* signatures (HP201/HP202), the generic-method split (HP203) and body rewrites (HP3xx and
  notes HP9xx), walked once per statement that can match.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Dict, List, Optional, Set

import libcst as cst

from hookport import priority as prio
from hookport.converters.codemod import split as splitting
from hookport.converters.codemod import todo as todos
from hookport.converters.codemod.batch import BatchedTransformer
from hookport.converters.codemod.chains import ChainRewrite
from hookport.converters.codemod.codegen import code_of
from hookport.converters.codemod.context import MethodScope
from hookport.converters.codemod.detect import HookClass, ImportIndex
from hookport.converters.codemod.imix_helpers import HelperCalls, runner_helpers, with_runner_first
from hookport.converters.codemod.notes import BehaviourNotes
from hookport.converters.codemod.renames import RenameNames, RenameRule
from hookport.converters.codemod.source_lines import StatementLines, nested
from hookport.converters.codemod.signatures import is_plain, positional_names, with_params
from hookport.converters.codemod.super_calls import forward_super
from hookport.errors import PriorityError

_SUPER = re.compile(r"\bsuper\b")
_ARG_NAMES = frozenset(("batch_idx", "data_batch", "outputs", "metrics"))
_BODY_RULES = (ChainRewrite, BehaviourNotes, RenameRule, HelperCalls)
_LEVEL_ATTRS = ("_level", "level")
#: iMIX's `trainer = self.trainer` alias (its attribute reads are rewritten like self.trainer's)
_ALIAS = re.compile(r"^[ \t]*(\w+)[ \t]*=[ \t]*self\.trainer[ \t]*(?:#.*)?$", re.M)


def stage_mode(name: str) -> Optional[str]:
    """'train' / 'val' / 'test' for a mount point of that loop, else None."""
    for mode in ("train", "val", "test"):
        if f"_{mode}_" in name or name in (f"before_{mode}", f"after_{mode}"):
            return mode
    return None


class ClassConverter:
    """Convert one legacy hook class (see the module docstring for the steps)."""

    def __init__(self, info: HookClass, index: ImportIndex, ctx, config: cst.PartialParserConfig, indent: str,
                 lines: Optional[StatementLines] = None):
        self.info = info
        self.index = index
        self.ctx = ctx
        self.config = config
        self.indent = indent
        self.tables = ctx.tables
        #: the original source's statements (see source_lines), or None
        self.lines = lines
        self.method_groups = lines.methods(info.name) if lines is not None else None
        #: iMIX helpers that take the runner (filled in by _methods)
        self.runner_helpers: frozenset = frozenset()
        self.enabled = ctx.options.enabled
        self._trigger = _trigger(ctx.tables, info.dialect, resume=False, renames=ctx.renames)
        self._trigger_before_run = _trigger(ctx.tables, info.dialect, resume=True, renames=ctx.renames)

    # -- class level -------------------------------------------------------
    def convert(self, node: cst.ClassDef) -> cst.ClassDef:
        """The converted class."""
        node = self._bases(node)
        if not isinstance(node.body, cst.IndentedBlock):
            return node
        body = list(node.body.body)
        body = self._priority(body)
        body = self._methods(body)
        node = node.with_changes(body=node.body.with_changes(body=body))
        return todos.attach(node, self._class_todos())

    def _class_todos(self):
        out = []
        if self.info.builtin_base:
            out.append(self.tables.note("builtin_base", base=self.info.builtin_base))
        if re.search(self.tables.ema_pattern, self.info.name):
            out.append(self.tables.note("ema_hook"))
        return [(code, text) for code, text in out if self.enabled(code)]

    def _bases(self, node: cst.ClassDef) -> cst.ClassDef:
        if self.ctx.renames:  # HookBase -> Hook, in the bases and class decorators
            renamer = RenameNames(self.ctx.renames)
            node = node.with_changes(bases=[arg.visit(renamer) for arg in node.bases],
                                     decorators=[d.visit(renamer) for d in node.decorators])
        if not self.info.attribute_bases or not self.enabled("HP204"):
            return node
        bases = []
        for arg in node.bases:
            qualified = self.index.qualify(arg.value)
            rule = self.tables.imports.get(qualified) if qualified else None
            if rule is not None and rule.target == "mmengine.hooks.Hook" and not isinstance(arg.value, cst.Name):
                arg = arg.with_changes(value=cst.Name("Hook"))
                self.ctx.need_import("mmengine.hooks", "Hook")
                self.ctx.fixed("HP204")
            bases.append(arg)
        return node.with_changes(bases=bases)

    # -- iMIX level -> priority -------------------------------------------
    def _priority(self, body: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
        if self.info.dialect != "imix" or not self.enabled("HP205"):
            return body
        for i, stmt in enumerate(body):
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__" \
                    and isinstance(stmt.body, cst.IndentedBlock):
                body[i], priority, comments = self._take_level(stmt)
                if priority is None:
                    return body
                attr = cst.parse_statement(f"priority = {priority!r}\n", config=self.config)
                attr = attr.with_changes(leading_lines=comments)
                at = 1 if body and _is_docstring(body[0]) else 0
                if at < len(body) and not body[at].leading_lines and not isinstance(body[at], cst.SimpleStatementLine):
                    body[at] = body[at].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
                self.ctx.fixed("HP205")
                return [*body[:at], attr, *body[at:]]
        return body

    def _take_level(self, init: cst.FunctionDef):
        """``(new __init__, MMEngine priority name or None, comment lines of the removed statement)``."""
        stmts = list(init.body.body)
        for j, stmt in enumerate(stmts):
            value = _level_value(stmt)
            if value is None:
                continue
            level = self._level_of(value)
            if level is None:
                code, text = self.tables.note("level_dynamic", value=code_of(value))
                stmts[j] = todos.attach(stmt, [(code, text)]) if self.enabled(code) else stmt
                return init.with_changes(body=init.body.with_changes(body=stmts)), None, []
            target = prio.name(prio.translate(level, "imix", "mmengine"), "mmengine")
            del stmts[j]
            if not stmts:
                stmts = [cst.SimpleStatementLine(body=[cst.Pass()])]
            comments = [line for line in stmt.leading_lines if line.comment is not None]
            return init.with_changes(body=init.body.with_changes(body=stmts)), target, comments
        return init, None, []

    def _level_of(self, value: cst.BaseExpression) -> Optional[int]:
        try:
            if isinstance(value, cst.Integer):
                return prio.resolve(int(value.value, 0), "imix")
            if isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name):
                legacy = self.index.names.get(value.value.value)
                if value.value.value == "PriorityStatus" or (legacy and legacy.name == "PriorityStatus"):
                    return prio.resolve(value.attr.value, "imix")
        except PriorityError:
            return None
        return None

    # -- methods -----------------------------------------------------------
    def _methods(self, body: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
        defined = [s.name.value for s in body if isinstance(s, cst.FunctionDef)]
        if self.info.dialect == "imix" and self.enabled("HP356"):
            methods = {s.name.value: s for s in body if isinstance(s, cst.FunctionDef)}
            self.runner_helpers = runner_helpers(methods, self._method_texts(body), self.tables.imix_stages)
            if self.runner_helpers:
                calls = r"|\bself\.(" + "|".join(sorted(self.runner_helpers)) + r")\("
                self._trigger = re.compile(self._trigger.pattern + calls)
        out: List[cst.BaseStatement] = []
        k = 0
        for stmt in body:
            if not isinstance(stmt, cst.FunctionDef):
                out.append(self._rename(stmt))
                continue
            groups = self.method_groups[k] if self.method_groups is not None and k < len(self.method_groups) else None
            k += 1
            text = "".join(self.lines.text(g) for g in groups) if groups else None
            for fn, scope in self._signature(stmt, defined, text):
                same_body = fn.body is stmt.body and groups is not None and len(groups) == len(_statements(fn))
                out.append(self._rewrite_body(fn, scope, groups if same_body else None))
        return out

    def _method_texts(self, body: List[cst.BaseStatement]) -> Dict[str, str]:
        """Each method's source text by name: its body's source lines when known (no code generation)."""
        functions = [s for s in body if isinstance(s, cst.FunctionDef)]
        groups = self.method_groups
        if groups is None or len(groups) != len(functions):
            return {fn.name.value: code_of(fn) for fn in functions}
        return {fn.name.value: "".join(self.lines.text(g) for g in method) for fn, method in zip(functions, groups)}

    def _rename(self, stmt: cst.BaseStatement) -> cst.BaseStatement:
        """Rename legacy names in a non-method class statement (class attributes, nested classes)."""
        if not self.ctx.renames:
            return stmt
        text = code_of(stmt)
        if not any(re.search(rf"\b{re.escape(old)}\b", text) for old in self.ctx.renames):
            return stmt
        return stmt.visit(RenameNames(self.ctx.renames))

    def _signature(self, fn: cst.FunctionDef, defined: List[str], text: Optional[str] = None):
        """Yield ``(method, scope)`` pairs: the method with its new signature (or its split).

        ``text`` is the method body's source when known: a body without ``super`` is not walked for
        chained parent calls (the walk rebuilds the body, which then has to be generated again).
        """
        name = fn.name.value
        dialect = self.info.dialect
        if dialect == "mmcv" and name in self.tables.generic and is_plain(fn, "mmcv") and self.enabled("HP203"):
            spec = self.tables.generic[name]
            methods = splitting.split(fn, spec, defined, self.ctx, self.config, self.indent,
                                      self._params_of)
            self.ctx.fixed("HP203")
            for method in methods:
                yield method, self._scope(method, dynamic=method is methods[-1])
            return
        stages = self.tables.mmcv_stages if dialect == "mmcv" else self.tables.imix_stages
        code = "HP201" if dialect == "mmcv" else "HP202"
        if name in stages and self.enabled(code):
            if is_plain(fn, dialect):
                fn = with_params(fn, self._params_of(name), self.ctx, self.config, self.indent,
                                 add_runner=dialect == "imix")
                if text is None or _SUPER.search(text):
                    fn = forward_super(fn, name, imix=dialect == "imix")
                if dialect == "imix" or self._params_of(name):
                    self.ctx.fixed(code)
            elif not _ARG_NAMES.intersection(positional_names(fn) or ()) and self._params_of(name):
                code914, text = self.tables.note("odd_signature", method=name, signature=_params_text(fn),
                                                 params=", ".join(self._params_of(name)))
                fn = todos.attach(fn, [(code914, text)]) if self.enabled(code914) else fn
        if name in self.runner_helpers:
            fn = with_runner_first(fn)
            self.ctx.fixed("HP356")
        if dialect == "imix" and name == "after_train" and self.enabled("HP907"):
            fn = todos.attach(fn, [self.tables.note("after_train_finally")])
        yield fn, self._scope(fn)

    def _params_of(self, stage: str):
        """MMEngine's parameter texts for ``stage`` (after ``runner``)."""
        return self.tables.params.get(stage, ())

    def _scope(self, fn: cst.FunctionDef, dynamic: bool = False) -> MethodScope:
        names = [p.name.value for p in fn.params.params]
        name = fn.name.value
        second = names[1] if len(names) > 1 else None
        if self.info.dialect == "imix":  # the runner parameter is the one the codemod added
            runner = second if second == "runner" else None
            if name in self.runner_helpers:  # iMIX hooks only run in training
                return MethodScope(method=name, runner="runner", mode="train", names=frozenset(), dialect="imix",
                                   runner_helpers=self.runner_helpers)
        else:  # a mount point's second parameter is the runner whatever its name; elsewhere only `runner`
            runner = second if (name in self.tables.mmcv_stages or dynamic or second == "runner") else None
        mode = "dynamic" if dynamic else stage_mode(name)
        if mode is None and self.info.dialect == "mmcv" and name in self.ctx.loop_modes:
            mode = self.ctx.loop_modes[name].mode  # a helper whose callers all run in one loop
        return MethodScope(method=name, runner=runner, mode=mode, names=frozenset(_ARG_NAMES.intersection(names)),
                           dialect=self.info.dialect, runner_helpers=self.runner_helpers)

    def _rewrite_body(self, fn: cst.FunctionDef, scope: MethodScope, groups) -> cst.FunctionDef:
        if not isinstance(fn.body, cst.IndentedBlock):
            return fn
        if fn.decorators and self.ctx.renames:
            fn = fn.with_changes(decorators=[self._rename(d) for d in fn.decorators])
        trigger = self._trigger_before_run if scope.method == "before_run" else self._trigger
        # Only statements whose text can match are walked (the walk is the expensive part), and
        # inside them, nested statements that cannot match are not descended into.
        texts = [code_of(stmt) for stmt in fn.body.body] if groups is None else [self.lines.text(g) for g in groups]
        if scope.dialect == "imix" and scope.runner:
            aliases = frozenset(m.group(1) for text in texts for m in _ALIAS.finditer(text))
            if aliases:
                scope = dataclasses.replace(scope, trainer_aliases=aliases)
                trigger = re.compile(trigger.pattern + "".join(rf"|\b{a}\." for a in sorted(aliases)))
        matching = [bool(trigger.search(text)) for text in texts]
        if not any(matching):
            return fn
        stmts: List[cst.BaseStatement] = []
        for i, (stmt, match) in enumerate(zip(fn.body.body, matching)):
            if not match:
                stmts.append(stmt)
                continue
            skip: Set[int] = set()
            if groups is not None:
                self._skippable(stmt, groups[i], trigger, skip)
            result = stmt.visit(BatchedTransformer(self.ctx, scope, _BODY_RULES, skip))
            if isinstance(result, cst.FlattenSentinel):
                stmts.extend(result.nodes)
            elif isinstance(result, cst.BaseStatement):
                stmts.append(result)
        return fn.with_changes(body=fn.body.with_changes(body=stmts))

    def _skippable(self, stmt, grp, trigger, skip: Set[int]) -> None:
        """Collect the ids of statements nested in ``stmt`` whose text cannot match."""
        for child, child_group in nested(stmt, grp):
            if trigger.search(self.lines.text(child_group)):
                self._skippable(child, child_group, trigger, skip)
            else:
                skip.add(id(child))


def _statements(fn: cst.FunctionDef):
    return fn.body.body if isinstance(fn.body, cst.IndentedBlock) else ()


def _trigger(tables, dialect: str, resume: bool, renames=()) -> "re.Pattern[str]":
    """What a statement's text must contain for a body rule to possibly apply (prefilter)."""
    table = "runner_api.yaml" if dialect == "mmcv" else "imix_trainer.yaml"
    runner_attrs = sorted({r.parts[0][1] for r in tables.chains.values() if r.table == table and r.root == "runner"})
    self_attrs = sorted({r.parts[0][1] for r in tables.chains.values() if r.table == table and r.root == "self"})
    alternatives = [r"\.grad\b", r"\bCLASSES\b", r"\bloss\b"]
    if dialect == "mmcv":  # super().after_epoch(runner) & co. (HP915)
        alternatives.append(r"\bsuper\(.*\)\.(" + "|".join(map(re.escape, sorted(tables.generic))) + r")\b")
    alternatives += [rf"\b{re.escape(old)}\b" for old in renames]
    if runner_attrs:
        # any runner parameter name: the pattern's root is matched exactly during the walk
        attrs = sorted(set(runner_attrs) | (set(tables.resume_attrs) if resume else set()))
        alternatives.append(r"\w\.(" + "|".join(map(re.escape, attrs)) + r")\b")
    if self_attrs:
        alternatives.append(r"\bself\.(" + "|".join(map(re.escape, self_attrs)) + r")\b")
    return re.compile("|".join(alternatives))


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _level_value(stmt: cst.BaseStatement) -> Optional[cst.BaseExpression]:
    """The value of ``self._level = <value>`` (or ``self.level = ...``), else None."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    assign = stmt.body[0]
    if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
        return None
    target = assign.targets[0].target
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self" \
            and target.attr.value in _LEVEL_ATTRS:
        return assign.value
    return None


def _params_text(fn: cst.FunctionDef) -> str:
    return "(" + code_of(fn.params) + ")"
