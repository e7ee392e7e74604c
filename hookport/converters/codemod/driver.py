"""The driver: one file's text in, one :class:`FileOutcome` out; never raises for user input.

Order per file: cheap text prefilter -> parse -> find legacy hook classes -> convert
each class -> rewrite runner helpers outside them (in MMCV hook modules) -> rename
renamed names -> rewrite/schedule imports -> check the output parses -> place each
TODO at its input line. Output is assembled from per-statement text so each statement
is generated once.
"""
from __future__ import annotations

import ast
import os
import re
from typing import Iterator, List, Optional, Sequence

import libcst as cst

from hookport.converters.codemod import imports as import_rules
from hookport.converters.codemod import line_map
from hookport.converters.codemod import tables as rule_tables
from hookport.converters.codemod import functions as runner_functions
from hookport.converters.codemod import todo as todos
from hookport.converters.codemod.classes import ClassConverter
from hookport.converters.codemod.context import FileContext, Options
from hookport.converters.codemod.detect import ImportIndex, hook_classes
from hookport.converters.codemod.outcome import FileOutcome, Status, Todo
from hookport.converters.codemod.renames import RenameNames
from hookport.converters.codemod.source_lines import StatementLines

#: a file without any of these cannot hold a legacy hook: skipped without parsing
_PREFILTER = re.compile(r"\bmmcv\b|\bimix\b|\bHookBase\b|from\s+\.+\s*(base_hook|builder)\s+import")
_GENERATED = "@" + "generated"


def transform_source(source: str, path: str = "<string>", options: Optional[Options] = None) -> FileOutcome:
    """Codemod one file's text; the outcome carries the new text when it changed."""
    options = options or Options()
    if not _PREFILTER.search(source):
        # Still report a file that does not parse (the C parser makes this cheap).
        try:
            ast.parse(source)
        except SyntaxError as err:
            return FileOutcome(path, Status.FAILED, reason=f"syntax error: {err.msg}", line=err.lineno)
        return FileOutcome(path, Status.SKIPPED, reason="no legacy hook")
    if _GENERATED in source[:2000]:
        return FileOutcome(path, Status.SKIPPED, reason="generated file")
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as err:
        # Python's own parser words syntax errors the way users know them; libcst's is the fallback.
        try:
            ast.parse(source)
        except SyntaxError as py_err:
            return FileOutcome(path, Status.FAILED, reason=f"syntax error: {py_err.msg}", line=py_err.lineno)
        return FileOutcome(path, Status.FAILED, reason=f"syntax error: {err.message}", line=err.raw_line)
    try:
        return _transform(module, source, path, options)
    except RecursionError:
        return FileOutcome(path, Status.FAILED, reason="source nests too deeply for the codemod")
    except Exception as err:  # a bug in a rule must not stop the other files; say which file
        return FileOutcome(path, Status.FAILED, reason=f"internal error ({type(err).__name__}: {err})")


def _transform(module: cst.Module, source: str, path: str, options: Options) -> FileOutcome:
    tables = rule_tables.load()
    index = ImportIndex(module, tables)
    classes = hook_classes(module, index, tables)
    # Runner helpers outside hook classes are legacy hook code only in an MMCV hook module: one that
    # defines MMCV hooks or imports MMCV's hook API (a file that merely imports mmcv is left alone).
    mmcv_file = any(c.dialect == "mmcv" for c in classes.values()) or index.imports_mmcv_hooks()
    if not classes and not mmcv_file:
        return FileOutcome(path, Status.SKIPPED, reason="no legacy hook class")
    ctx = FileContext(options=options, tables=tables)
    ctx.renames = import_rules.renames(index, ctx)
    statement_lines = StatementLines(source)
    if mmcv_file and statement_lines.tree is not None:  # iMIX hooks all run in training (HP356)
        ctx.loop_modes = runner_functions.loop_modes(statement_lines.tree, classes, tables)
    config = module.config_for_parsing
    body: List[cst.BaseStatement] = list(module.body)
    converted = set()
    for i, stmt in enumerate(body):
        if isinstance(stmt, cst.ClassDef) and stmt.name.value in classes:
            converter = ClassConverter(classes[stmt.name.value], index, ctx, config, module.default_indent,
                                       statement_lines)
            body[i] = converter.convert(stmt)
            converted.add(i)
    texts = [module.code_for_node(stmt) for stmt in body]
    helpers = runner_functions.RunnerFunctions(ctx, frozenset(classes))
    if mmcv_file and ctx.loop_modes:
        for i, stmt in enumerate(body):
            if i not in converted and isinstance(stmt, cst.BaseCompoundStatement) \
                    and runner_functions.RUNNER_WORD.search(texts[i]):
                before = helpers.rewritten
                new = stmt.visit(helpers)
                if helpers.rewritten > before:
                    body[i], texts[i] = new, module.code_for_node(new)
    if not classes and not helpers.rewritten:  # MMCV's hook API imported but no hook code: left as it is
        return FileOutcome(path, Status.SKIPPED, reason="no legacy hook class")
    owned = [import_rules.is_import_statement(stmt, tables) for stmt in body]
    if ctx.renames:
        # Hook classes were renamed while converted; the rest of the module is renamed here.
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, ctx.renames)) + r")\b")
        for i, stmt in enumerate(body):
            if i not in converted and not owned[i] and pattern.search(texts[i]):
                body[i] = stmt.visit(RenameNames(ctx.renames))
                texts[i] = module.code_for_node(body[i])
    plan = import_rules.ImportPlan(body, index, ctx, [t for t, own in zip(texts, owned) if not own]).apply()
    pieces: List[str] = []
    for i, replacement in enumerate(plan):
        if replacement is None:
            pieces.append(texts[i])
        else:
            pieces.extend(module.code_for_node(stmt) for stmt in replacement)
    output = _assemble(module, pieces)
    marked = list(todos.todo_lines(output.splitlines()))
    if output == source:
        return FileOutcome(path, Status.UNCHANGED, todos=tuple(Todo(n, n, code, text) for n, code, text in marked))
    origins = line_map.todo_origins(source, output, [n for n, _, _ in marked]) if marked else []
    found = tuple(Todo(origin, n, code, text) for origin, (n, code, text) in zip(origins, marked))
    try:
        ast.parse(output)
    except SyntaxError as err:  # a rule produced bad code: keep the file, report the bug
        return FileOutcome(path, Status.FAILED, reason=f"internal error: output does not parse ({err.msg})",
                           line=err.lineno)
    return FileOutcome(path, Status.CHANGED, output=output, fixes=dict(sorted(ctx.fixes.items())), todos=found)


def _assemble(module: cst.Module, pieces: Sequence[str]) -> str:
    """``module.code`` from already generated statement texts (header, statements, footer)."""
    head = "".join(module.code_for_node(line) for line in module.header)
    foot = "".join(module.code_for_node(line) for line in module.footer)
    code = head + "".join(pieces) + foot
    if not module.has_trailing_newline and code.endswith(module.default_newline):
        code = code[: -len(module.default_newline)]
    return code


def iter_python_files(paths: Sequence[str]) -> Iterator[str]:
    """Each ``.py`` file under ``paths`` (files as given, directories recursively, sorted)."""
    for path in paths:
        if os.path.isdir(path):
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
                for name in sorted(files):
                    if name.endswith(".py"):
                        yield os.path.join(folder, name)
        else:
            yield path


def transform_file(path: str, options: Optional[Options] = None) -> FileOutcome:
    """Read ``path`` and codemod it; unreadable files become ``failed`` outcomes."""
    if not path.endswith((".py", ".pyi")):
        return FileOutcome(path, Status.SKIPPED, reason="not a Python file")
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            source = handle.read()
    except (OSError, UnicodeDecodeError) as err:
        return FileOutcome(path, Status.FAILED, reason=f"cannot read: {err}")
    return transform_source(source, path, options)
