"""`hookport convert`: MMCV 1.x / iMIX configs -> MMEngine configs, source-preserving and verified.

One file prints to stdout; ``-o`` writes a file or, for trees, ``OUT/<rel>`` per input;
``--in-place`` rewrites atomically; ``--diff`` shows what would change; ``--check`` exits 1
when something would change. Bad input exits 2 with ``file:line: message`` per failed
file while the other files of a tree are still converted. Never imports torch.
"""
from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import List, Tuple

from hookport.commands.progress import Progress

HELP = "convert MMCV 1.x / iMIX configs to MMEngine (source-preserving, verified)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The DESIGN.md contract for `hookport convert`."""
    parser.add_argument("sources", nargs="+", metavar="SRC", help="config files or folders of configs")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="OUT", help="output file (one input) or folder (OUT/<rel>)")
    where.add_argument("--in-place", action="store_true", help="rewrite the inputs (atomically)")
    parser.add_argument("--to", choices=("mmengine", "mmcv"), default="mmengine", help="target system")
    parser.add_argument("--dialect", choices=("auto", "mmcv", "imix", "mmengine"), default="auto",
                        help="the inputs' system (default: detected from their keys)")
    parser.add_argument("--diff", action="store_true", help="print a unified diff instead of the converted text")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything would change")
    parser.add_argument("--report", metavar="FILE", help="write the report as FILE.json or FILE.md")
    parser.add_argument("--exec", dest="execute", action="store_true",
                        help="execute the configs (trusted files only) to read values the safe evaluator cannot; "
                             "the verification also counts iterations per epoch from the training dataset")
    parser.add_argument("--exact", action="store_true",
                        help="use hookport's exact-MMCV schedulers where MMEngine cannot express a policy")
    parser.add_argument("--style", choices=("faithful", "official"), default="faithful",
                        help="faithful: reproduce MMCV's trajectory; official: what OpenMMLab's migrations write")
    parser.add_argument("--scope", help="default_scope of the target codebase (mmdet, mmpretrain, mmseg, ...)")
    parser.add_argument("--iters-per-epoch", type=int, metavar="N",
                        help="iterations per epoch for the verification (default: from the training dataset "
                             "with --exec, else 10)")
    parser.add_argument("--no-verify", dest="verify", action="store_false", help="skip the verification")


def main(args: argparse.Namespace) -> int:
    """Convert every input; exit 0 (ok / warnings), 1 (--check found changes) or 2 (bad input)."""
    from hookport.converters import Converter, Options, Report, collect_inputs

    options = Options(style=args.style, exact=args.exact, scope=args.scope, iters_per_epoch=args.iters_per_epoch,
                      dialect=args.dialect, verify=args.verify, execute=args.execute, to=args.to)
    inputs = collect_inputs(args.sources)
    tree = len(inputs) > 1 or any(os.path.isdir(s) for s in args.sources)
    converter = Converter(options)
    converter.prepare([source for source, _ in inputs])
    report = Report()
    progress = Progress(len(inputs)) if tree and sys.stderr.isatty() else None
    for source, rel in inputs:
        report.add(converter.convert(source))
        if progress:
            progress.step(rel)
    if progress:
        progress.done()
    changed = _emit(args, inputs, report, tree)
    if args.report:
        report.write(args.report)
    for outcome in report.outcomes:
        if outcome.status == "failed":
            print(outcome.error, file=sys.stderr)
    if tree or args.output or args.in_place:
        _summary(report)
    elif not args.check:
        _attention(report)
    if report.counts()["failed"]:
        return 2
    return 1 if args.check and changed else 0


def _emit(args, inputs: List[Tuple[str, str]], report, tree: bool) -> bool:
    """Write, print or diff the outputs; return whether anything would change."""
    from hookport.converters.atomic import write_text

    changed = False
    single_file_out = args.output and not tree and not os.path.isdir(args.output) and args.output.endswith(".py")
    for (source, rel), outcome in zip(inputs, report.outcomes):
        if outcome.status == "failed":
            continue
        with open(source, encoding="utf-8", newline="") as handle:
            original = handle.read()  # as on disk (the converter keeps CRLF line ends)
        changed |= outcome.output != original
        if args.check:
            if outcome.output != original:
                print(f"{source}: would change", file=sys.stderr)
            continue
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(original.splitlines(True), outcome.output.splitlines(True),
                                                       f"a/{rel}", f"b/{rel}"))
        elif args.in_place:
            if outcome.output != original:
                _write(write_text, source, outcome.output)
        elif args.output:
            _write(write_text, args.output if single_file_out else os.path.join(args.output, rel), outcome.output)
        elif not tree:
            sys.stdout.write(outcome.output)
        else:
            sys.stdout.write(f"# ==> {rel} <==\n{outcome.output}")
    return changed


def _write(write_text, target: str, text: str) -> None:
    from hookport.errors import HookportError

    try:
        write_text(target, text)
    except OSError as err:
        raise HookportError(f"cannot write: {err.strerror}", target) from None


def _attention(report) -> None:
    for finding in report.attention():
        if finding.severity == "error":  # already printed as the failure line
            continue
        print(f"{finding.where()}: {finding.severity}: {finding.message}", file=sys.stderr)


def _summary(report) -> None:
    """The table printed after a tree: one row per file, then the counts."""
    rows = [(o.status, str(sum(f.needs_attention for f in o.findings)),
             (o.verification or {}).get("summary", o.error or ""), os.path.relpath(o.path)) for o in report.outcomes]
    width = max([len(r[3]) for r in rows] + [4])
    print(f"{'file':<{width}}  {'status':<9}  {'attn':>4}  verification", file=sys.stderr)
    for status, attn, verdict, path in rows:
        print(f"{path:<{width}}  {status:<9}  {attn:>4}  {verdict}", file=sys.stderr)
    counts = report.counts()
    print(", ".join(f"{counts[s]} {s}" for s in counts) + f"; {len(report.attention())} finding(s) need attention",
          file=sys.stderr)
