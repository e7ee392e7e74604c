"""Import scheduling: legacy imports rewritten in place, new ones added once, unused old ones removed.

Runs after the classes are converted, on the text of every other top-level
statement (``uses``), so it knows which legacy names are still referenced:

* a name with a rule moves to its MMEngine module (renamed if the rule says so);
* a name with no MMEngine home that is still used stays, under a TODO (HP901);
* a legacy name nothing references any more is dropped (its use was rewritten away);
* names other transforms need (``typing.Optional``, ``mmengine.hooks.Hook``) are added
  once: merged into an existing ``from X import ...`` or placed with the imports.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from hookport.converters.codemod import todo as todos
from hookport.converters.codemod.detect import ImportIndex, is_legacy_module, module_name

Uses = Callable[[str], bool]


def _used_fn(texts: Sequence[str]) -> Uses:
    joined = "\n".join(texts)
    cache: Dict[str, bool] = {}

    def used(name: str) -> bool:
        if name not in cache:
            cache[name] = re.search(rf"(?<![\w.]){re.escape(name)}\b", joined) is not None
        return cache[name]
    return used


def renames(index: ImportIndex, ctx) -> Dict[str, str]:
    """Local names whose rule renames them (``is_module_wrapper`` -> ``is_model_wrapper``)."""
    out = {}
    for legacy in index.names.values():
        rule = legacy.rule
        if rule is None or legacy.asname or not ctx.options.enabled(rule.code):
            continue
        target = rule.target_for(ctx.options.scope)
        if target is not None and target[1] != legacy.name:
            out[legacy.local] = target[1]
    return out


def _from_import(module: str, names: Sequence[Tuple[str, Optional[str]]]) -> cst.SimpleStatementLine:
    aliases = [cst.ImportAlias(name=cst.Name(n), asname=cst.AsName(cst.Name(a)) if a else None) for n, a in names]
    aliases = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for a in aliases[:-1]] \
        + aliases[-1:]
    tail = module.lstrip(".")
    dotted = None
    for part in tail.split(".") if tail else ():
        dotted = cst.Name(part) if dotted is None else cst.Attribute(value=dotted, attr=cst.Name(part))
    node = cst.ImportFrom(module=dotted, relative=[cst.Dot()] * (len(module) - len(tail)), names=aliases)
    return cst.SimpleStatementLine(body=[node])


def _existing(body: Sequence[cst.BaseStatement], tables) -> Set[Tuple[str, str, Optional[str]]]:
    """(module, name, asname) of every non-legacy top-level ``from`` import."""
    found = set()
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                    mod = module_name(small)
                    if is_legacy_module(mod, tables):
                        continue
                    for alias in small.names:
                        found.add((mod, cst.helpers.get_full_name_for_node(alias.name),
                                   alias.asname.name.value if alias.asname else None))
    return found


def _legacy_from(stmt: cst.BaseStatement, tables) -> Optional[cst.ImportFrom]:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.ImportFrom):
        node = stmt.body[0]
        if not isinstance(node.names, cst.ImportStar) and is_legacy_module(module_name(node), tables):
            return node
    return None


def _legacy_import(stmt: cst.BaseStatement) -> Optional[cst.Import]:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Import):
        node = stmt.body[0]
        if all(cst.helpers.get_full_name_for_node(a.name).split(".")[0] in ("mmcv", "imix") for a in node.names):
            return node
    return None


def is_import_statement(stmt: cst.BaseStatement, tables) -> bool:
    """Whether the import transform owns ``stmt`` (its text does not count as a use)."""
    return _legacy_from(stmt, tables) is not None or _legacy_import(stmt) is not None


class ImportPlan:
    """Rewrite a module body's imports; see the module docstring."""

    def __init__(self, body: List[cst.BaseStatement], index: ImportIndex, ctx, uses_texts: Sequence[str]):
        self.body = body
        self.index = index
        self.ctx = ctx
        self.tables = ctx.tables
        self.used = _used_fn(uses_texts)
        self.existing = _existing(body, self.tables)

    def apply(self) -> List[Optional[List[cst.BaseStatement]]]:
        """Per statement of the body: None (unchanged) or its replacement statements (maybe none)."""
        out: List[Optional[List[cst.BaseStatement]]] = [None] * len(self.body)
        for i, stmt in enumerate(self.body):
            node = _legacy_from(stmt, self.tables)
            if node is not None:
                out[i] = self._from(stmt, node)
                continue
            node = _legacy_import(stmt)
            if node is not None and not any(self.used(n) for n in self._bound(node)):
                out[i] = []
            elif node is not None:
                out[i] = self._still_used(stmt, node)
        self._needed(out)
        self._keep_comments(out)
        return out

    def _still_used(self, stmt: cst.SimpleStatementLine, node: cst.Import) -> Optional[List[cst.BaseStatement]]:
        """``import mmcv.runner`` still used as ``mmcv.runner.X``: kept, with a TODO (MMEngine has no such module)."""
        modules = [cst.helpers.get_full_name_for_node(a.name) for a in node.names]
        notes = [self.tables.note("unknown_import", name=m) for m in modules if is_legacy_module(m, self.tables)]
        notes = [n for n in notes if self.ctx.options.enabled(n[0])]
        present = {line.comment.value for line in stmt.leading_lines if line.comment is not None}
        notes = [n for n in notes if todos.comment(*n) not in present]  # an earlier run's TODO
        return [todos.attach(stmt, notes)] if notes else None

    @staticmethod
    def _bound(node: cst.Import) -> List[str]:
        return [a.asname.name.value if a.asname else cst.helpers.get_full_name_for_node(a.name).split(".")[0]
                for a in node.names]

    def _add(self, module: str, name: str, asname: Optional[str], groups: Dict[str, list]) -> None:
        key = (module, name, asname)
        if key not in self.existing:
            self.existing.add(key)
            groups.setdefault(module, []).append((name, asname))

    def _from(self, stmt: cst.SimpleStatementLine, node: cst.ImportFrom) -> Optional[List[cst.BaseStatement]]:
        groups: Dict[str, list] = {}
        kept: List[cst.ImportAlias] = []
        notes: List[Tuple[str, str]] = []
        for alias in node.names:
            name = cst.helpers.get_full_name_for_node(alias.name)
            asname = alias.asname.name.value if alias.asname else None
            legacy = self.index.names[asname or name]
            rule = legacy.rule
            code = rule.code if rule else self.tables.note("unknown_import", name=legacy.qualified)[0]
            if not self.ctx.options.enabled(code):
                kept.append(alias)
                continue
            target = rule.target_for(self.ctx.options.scope) if rule else None
            local_now = target[1] if target and not asname else asname or name
            if not self.used(local_now):
                if target is not None:
                    self.ctx.fixed(code)  # dropped: the last use was rewritten away (or there was none)
                continue
            if target is not None:
                self._add(target[0], target[1], asname, groups)
                self.ctx.fixed(code)
            else:
                kept.append(alias)
                notes.append((code, rule.note) if rule else self.tables.note("unknown_import", name=legacy.qualified))
        if len(kept) == len(node.names) and not notes:
            return None
        new: List[cst.BaseStatement] = [_from_import(mod, names) for mod, names in groups.items()]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            old = stmt.with_changes(body=[node.with_changes(names=kept, lpar=None, rpar=None)
                                          if node.lpar is None or len(kept) == 1 else node.with_changes(names=kept)])
            # TODOs of an earlier run are already among the statement's leading lines.
            present = {line.comment.value for line in stmt.leading_lines if line.comment is not None}
            notes = [n for n in notes if todos.comment(*n) not in present]
            new.append(todos.attach(old.with_changes(leading_lines=[]), notes))
        if new:
            new[0] = new[0].with_changes(leading_lines=[*stmt.leading_lines, *new[0].leading_lines])
            new[-1] = new[-1].with_changes(trailing_whitespace=stmt.trailing_whitespace)
        return new

    def _needed(self, out: List[Optional[List[cst.BaseStatement]]]) -> None:
        """Merge or place the imports other transforms asked for."""
        groups: Dict[str, list] = {}
        for module, name in sorted(self.ctx.needed_imports):
            if (module, name, None) in self.existing:
                continue
            merged = self._merge_into_existing(module, name, out)
            if not merged:
                self._add(module, name, None, groups)
        if not groups:
            return
        stmts = [_from_import(mod, names) for mod, names in sorted(groups.items(), key=lambda kv: kv[0] != "typing")]
        at = self._insertion_point()
        current = out[at] if out[at] is not None else [self.body[at]] if at < len(self.body) else []
        if current and at < len(self.body):
            first = current[0]
            stmts[0] = stmts[0].with_changes(leading_lines=first.leading_lines)
            current = [first.with_changes(leading_lines=[]), *current[1:]]
        if at < len(self.body):
            out[at] = [*stmts, *current]
        else:
            out.append(stmts)

    def _merge_into_existing(self, module: str, name: str, out) -> bool:
        for i, stmt in enumerate(self.body):
            if out[i] is not None or not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
                continue
            node = stmt.body[0]
            if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar) \
                    and not node.relative and module_name(node) == module:
                names = list(node.names)
                names[-1] = names[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                names.append(cst.ImportAlias(name=cst.Name(name)))
                out[i] = [stmt.with_changes(body=[node.with_changes(names=names)])]
                self.existing.add((module, name, None))
                return True
        return False

    def _insertion_point(self) -> int:
        """Before the first import that is not ``from __future__`` (after the docstring otherwise)."""
        first_code = None
        for i, stmt in enumerate(self.body):
            if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom)):
                node = stmt.body[0]
                if isinstance(node, cst.ImportFrom) and module_name(node) == "__future__":
                    continue
                return i
            if first_code is None and not _is_docstring(stmt):
                first_code = i
        return first_code if first_code is not None else len(self.body)

    def _keep_comments(self, out: List[Optional[List[cst.BaseStatement]]]) -> None:
        """A removed import's comment lines move to the next statement instead of vanishing."""
        for i, replacement in enumerate(out):
            if replacement == [] and any(line.comment for line in self.body[i].leading_lines):
                for j in range(i + 1, len(self.body)):
                    nxt = out[j] if out[j] is not None else [self.body[j]]
                    if nxt:
                        nxt[0] = nxt[0].with_changes(leading_lines=[*self.body[i].leading_lines,
                                                                    *nxt[0].leading_lines])
                        out[j] = nxt
                        break


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))
