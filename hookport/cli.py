"""The ``hookport`` command line: a thin dispatcher over ``hookport.commands.<name>``.

Each command module offers ``HELP`` (one line), ``add_arguments(parser)`` and
``main(args) -> int``, and imports anything heavy (torch, libcst) inside
``main`` so that ``hookport --help`` and the converters start fast.

Exit codes (stable contract, see DESIGN.md): 0 success, 1 ``--check`` found
something to change, 2 bad input with one ``file:line: what is wrong`` line on
stderr (``--debug`` adds the traceback).
"""
from __future__ import annotations

import argparse
import importlib
import sys
import traceback
import warnings
from typing import List, Optional

from hookport import __version__
from hookport.errors import HookportError

COMMANDS = ("convert", "codemod", "run", "hooks", "schedule", "demo")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, one sub-command per module of ``hookport.commands``."""
    parser = argparse.ArgumentParser(prog="hookport", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"hookport {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"hookport.commands.{name}")
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        cmd.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        module.add_arguments(cmd)
        cmd.set_defaults(_module=module)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings reach a CLI user as one ``warning: ...`` line, without Python's source excerpt."""
    print(f"warning: {message}", file=sys.stderr if file is None else file)


def main(argv: Optional[List[str]] = None) -> int:
    """Run ``hookport`` with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            if not args.debug:
                warnings.showwarning = _show_warning
            return int(args._module.main(args) or 0)
    except HookportError as err:
        if args.debug:
            traceback.print_exc()
        print(str(err).splitlines()[0] if str(err) else type(err).__name__, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
