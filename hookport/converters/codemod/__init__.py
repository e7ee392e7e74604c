"""libcst codemods: MMCV 1.x ``Hook`` and iMIX ``HookBase`` sources -> MMEngine hooks.

Public surface: :func:`transform_source` / :func:`transform_file` (one file in,
one :class:`FileOutcome` out), :class:`Options` (scope, select, ignore) and the
report fold in :mod:`hookport.converters.codemod.report`. Rules are YAML tables
in ``tables/``; rule codes: HP1xx imports, HP2xx signatures and class structure,
HP3xx runner API, HP9xx manual only (a ``# TODO(hookport HPxxx)`` comment).
"""
from hookport.converters.codemod.context import Options
from hookport.converters.codemod.driver import iter_python_files, transform_file, transform_source
from hookport.converters.codemod.outcome import FileOutcome, Status, Todo

__all__ = ["FileOutcome", "Options", "Status", "Todo", "iter_python_files", "transform_file", "transform_source"]
