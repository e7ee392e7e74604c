"""`hookport codemod`: MMCV 1.x ``Hook`` / iMIX ``HookBase`` sources -> MMEngine hooks (libcst).

Without ``--in-place`` or ``-o`` it prints a unified diff. ``--in-place`` rewrites the
changed files atomically (exit 0 even when TODOs are left); ``-o DIR`` writes every
Python file under DIR (``DIR/<path relative to its input>``, converted where needed); ``--check`` writes
nothing and exits 1 when a file would change. A file that cannot be read or parsed is
reported as ``file:line: message``; the others are still processed and the run exits 2
at the end. Never imports torch.
"""
from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import List, Sequence, Tuple

from hookport.commands.progress import Progress

HELP = "rewrite MMCV 1.x Hook / iMIX HookBase sources into MMEngine hooks"

#: show the progress bar from this many files on (always on a terminal)
PROGRESS_MIN_FILES = 200


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The DESIGN.md contract for `hookport codemod`."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="hook source files or folders (recursive)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--in-place", action="store_true", help="rewrite the changed files (atomically)")
    where.add_argument("-o", "--output", metavar="DIR", help="write the tree under DIR (converted where needed)")
    where.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff (the default without -o/--in-place; with them, as well)")
    parser.add_argument("--report", metavar="FILE", help="write a report as FILE.json or FILE.md")
    parser.add_argument("--scope", help="downstream registry for HOOKS (e.g. mmdet -> mmdet.registry.HOOKS)")
    parser.add_argument("--select", default="", metavar="CODES",
                        help="comma-separated rule-code prefixes to apply (e.g. HP1,HP301); default all")
    parser.add_argument("--ignore", default="", metavar="CODES", help="comma-separated rule-code prefixes to skip")


def _codes(text: str) -> Tuple[str, ...]:
    from hookport.errors import HookportError

    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    for code in codes:
        if not code.startswith("HP") or not code[2:].isdigit():
            raise HookportError(f"invalid rule code prefix {code!r} (expected HP, HP1, HP30, HP301, ...)")
    return codes


def _inputs(paths: Sequence[str]) -> List[Tuple[str, str]]:
    """``(path, path relative to its input)`` for every Python file under ``paths``."""
    from hookport.converters.codemod import iter_python_files
    from hookport.errors import HookportError

    found = []
    for path in paths:
        if not os.path.exists(path):
            raise HookportError("no such file or directory", file=path)
        base = path if os.path.isdir(path) else os.path.dirname(path)
        found.extend((p, os.path.relpath(p, base) if base else p) for p in iter_python_files([path]))
    return found


def main(args: argparse.Namespace) -> int:
    """Codemod every input; exit 0 (done, TODOs allowed), 1 (--check: would change) or 2 (a file failed)."""
    from hookport.converters.codemod import Options, Status, report, transform_file

    options = Options(scope=args.scope, select=_codes(args.select), ignore=_codes(args.ignore))
    inputs = _inputs(args.paths)
    show_progress = len(inputs) >= PROGRESS_MIN_FILES or (sys.stderr.isatty() and len(inputs) > 1)
    progress = Progress(len(inputs)) if show_progress else None
    outcomes = []
    for path, rel in inputs:
        outcome = transform_file(path, options)
        outcomes.append(outcome)
        _emit(args, outcome, rel)
        if progress:
            progress.step(rel)
    if progress:
        progress.done()
    for outcome in outcomes:
        if outcome.status is Status.FAILED:
            print(f"{outcome.where()}: {outcome.reason}", file=sys.stderr)
    if args.report:
        _write_report(args.report, outcomes, report)
    counts = report.summary(outcomes)
    print(f"{counts['changed']} changed, {counts['unchanged'] + counts['skipped']} unchanged, "
          f"{counts['todos']} TODOs, {counts['failed']} failures", file=sys.stderr)
    if counts["failed"]:
        return 2
    return 1 if args.check and counts["changed"] else 0


def _emit(args: argparse.Namespace, outcome, rel: str) -> None:
    """Write or diff one changed file (``--check`` writes nothing)."""
    from hookport.converters.atomic import write_text
    from hookport.converters.codemod import Status

    if outcome.status is Status.FAILED:
        return
    if args.check:
        if outcome.status is Status.CHANGED:
            print(f"{outcome.path}: would change", file=sys.stderr)
        return
    if args.output and outcome.status is not Status.CHANGED and outcome.path.endswith(".py"):
        # -o DIR is a complete copy of the tree: files with nothing to convert are copied as they are
        with open(outcome.path, encoding="utf-8", newline="") as handle:
            _write(write_text, os.path.join(args.output, rel), handle.read())
    if outcome.status is not Status.CHANGED:
        return
    if args.diff or not (args.in_place or args.output):  # the diff is shown before the file is replaced
        sys.stdout.write(unified_diff(outcome))
    if args.in_place:
        target = outcome.path
    elif args.output:
        target = os.path.join(args.output, rel)
    else:
        return
    _write(write_text, target, outcome.output)
    for todo in outcome.todos:  # where a human must look, in the file just written
        print(f"{target}:{todo.output_line}: {todo.code} {todo.message}", file=sys.stderr)


def unified_diff(outcome) -> str:
    """The unified diff of a changed file's outcome against the file on disk (used by `hookport demo` too)."""
    with open(outcome.path, encoding="utf-8", newline="") as handle:
        original = handle.read()
    return "".join(difflib.unified_diff(original.splitlines(True), outcome.output.splitlines(True),
                                        outcome.path, outcome.path))


def _write(write_text, target: str, text: str) -> None:
    from hookport.errors import HookportError

    try:
        write_text(target, text)
    except OSError as err:
        raise HookportError(f"cannot write: {err.strerror}", file=target) from None


def _write_report(path: str, outcomes, report) -> None:
    from hookport.converters.atomic import write_text
    from hookport.errors import HookportError

    if path.endswith(".json"):
        text = report.to_json(outcomes)
    elif path.endswith(".md"):
        text = report.to_markdown(outcomes)
    else:
        raise HookportError("the report must be a .json or .md file", file=path)
    _write(write_text, path, text)
