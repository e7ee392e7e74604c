"""Reading config files into plain dicts: ``.py`` (executed), ``.yaml``/``.yml`` and ``.json``.

``_base_`` (a string or a list of strings, relative to the file's directory) names configs that are
loaded first, each fully (with its own bases); the bases are combined by the base rule (see
:mod:`hookport.config.merge`) and the file's own keys merged over them.

A ``.py`` config is trusted input and is executed, as MMCV and MMEngine do. What becomes a key, as in
mmcv 1.7.2's ``Config._file2dict``: every module-level name not starting with ``__``, except modules and
functions (so ``_helper = 3`` is kept, ``import os`` and ``def f()`` are not); classes are kept. A base's
variables are not visible in the child while it runs; it reads them as ``{{_base_.x}}`` (see
:mod:`hookport.config.references`) or, as in MMEngine 0.10.7, as ``_base_.x`` (``_base_`` is bound to a
copy of the combined bases while the child runs; its own ``_base_ = ...`` statement is skipped then).

Every error is a :class:`~hookport.errors.ConfigError` located at ``file:line``: the line of a syntax
error, of the statement that raised while the file ran, of the ``_base_`` entry that is missing or
cyclic, of the ``{{_base_.x}}`` that names nothing, or of the assignment that cannot merge.
"""
from __future__ import annotations

import ast
import builtins
import copy
import json
import os
import re
import traceback
import types
from typing import Any, Dict, List, Optional, Tuple

from hookport.config.config_dict import ConfigDict
from hookport.config.merge import BaseCombiner, merge
from hookport.config.references import PySource, lookup, resolve_in_data, substitute_predefined
from hookport.errors import ConfigError, HookportError

PY_SUFFIXES = (".py",)
YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)
SUFFIXES = PY_SUFFIXES + YAML_SUFFIXES + JSON_SUFFIXES
BASE_KEY = "_base_"
# Config attributes that a top-level key would hide (mmcv 1.7.2 rejects them the same way).
RESERVED_KEYS = ("filename", "text", "pretty_text")

# Values a config module may hold that are tools, not settings (mmcv drops these too).
_DROPPED_TYPES = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)


class LoadResult:
    """What loading one config produced: the merged dict and the texts of every file read, in order."""

    def __init__(self, cfg: dict, texts: List[Tuple[str, str]]):
        self.cfg = cfg
        self.texts = texts


def load_file(path: str, *, base_rule: str = "mmcv", text: Optional[str] = None) -> LoadResult:
    """Load the config at ``path`` (or ``text`` as if it were at ``path``) with its bases.

    Args:
        path: the config file; its suffix picks the format. Messages show it as given.
        base_rule: ``'mmcv'`` (duplicate keys among sibling bases are an error) or ``'imix'``.
        text: the file's content, when it does not live on disk (``Config.fromstring``).
    """
    loader = _Loader(base_rule)
    cfg = loader.load(os.path.normpath(str(path)), text=text)
    return LoadResult(cfg, loader.texts)


class _Loader:
    """One load: remembers the chain of files being read (for cycles) and every text read."""

    def __init__(self, base_rule: str):
        BaseCombiner(base_rule)  # reject an unknown rule even when no file has bases
        self.base_rule = base_rule
        self.chain: List[str] = []  # absolute paths of the files being loaded, outermost first
        self.shown: List[str] = []  # the same files as messages show them
        self.texts: List[Tuple[str, str]] = []

    def load(self, path: str, text: Optional[str] = None) -> dict:
        suffix = os.path.splitext(path)[1].lower()
        if suffix not in SUFFIXES:
            raise ConfigError(f"unsupported config type {suffix or '(no suffix)'!r}; "
                              f"expected one of {', '.join(SUFFIXES)}", path)
        if text is None:
            text = _read(path)
        self.chain.append(os.path.abspath(path))
        self.shown.append(path)
        try:
            if suffix in PY_SUFFIXES:
                cfg = self._load_py(path, text)
            else:
                cfg = self._load_data(path, text, suffix)
        finally:
            self.chain.pop()
            self.shown.pop()
        self.texts.append((path, text))
        return cfg

    # -- bases -------------------------------------------------------------
    def _load_bases(self, path: str, entries: List[Tuple[str, int]]) -> dict:
        """Load and combine the bases listed in ``path`` (``(entry, line)`` pairs)."""
        combiner = BaseCombiner(self.base_rule)
        for entry, line in entries:
            base_path = os.path.normpath(os.path.join(os.path.dirname(path), os.path.expanduser(entry)))
            absolute = os.path.abspath(base_path)
            if absolute in self.chain:
                cycle = self.shown[self.chain.index(absolute):] + [base_path]
                raise ConfigError(f"cyclic _base_: {' -> '.join(cycle)}", path, line)
            if not os.path.isfile(base_path):
                raise ConfigError(f"_base_ file {entry!r} not found (looked for {base_path})", path, line)
            base_cfg = self.load(base_path)
            try:
                combiner.add(base_path, base_cfg)
            except ConfigError as err:
                raise err.located(path, line)
        return combiner.combined

    # -- .py ---------------------------------------------------------------
    def _load_py(self, path: str, text: str) -> dict:
        source = PySource(substitute_predefined(text, path))
        try:
            tree = ast.parse(source.render()[0], filename=path)
        except SyntaxError as err:
            raise ConfigError(err.msg, path, err.lineno) from None
        entries, base_line = _base_entries(tree, path)
        bases = self._load_bases(path, entries)
        run_text, values = _bind_references(source, bases, path, has_bases=base_line is not None)
        namespace: Dict[str, Any] = {"__file__": os.path.abspath(path), "__name__": "__hookport_config__",
                                     "__builtins__": builtins, **values}
        if base_line is not None:
            # MMEngine's read access: `_base_.model.depth` (on a copy: the child cannot change its bases).
            namespace[BASE_KEY] = ConfigDict(copy.deepcopy(bases))
        _execute(run_text, path, namespace)
        if BASE_KEY in namespace and base_line is None:
            raise ConfigError("_base_ must be assigned at module level with a literal string or list", path)
        own = {k: v for k, v in namespace.items()
               if not k.startswith("__") and k != BASE_KEY and not isinstance(v, _DROPPED_TYPES)}
        return _merge_child(bases, own, path, _assignment_lines(tree))

    # -- .yaml / .json -----------------------------------------------------
    def _load_data(self, path: str, text: str, suffix: str) -> dict:
        data = _parse_data(path, text, suffix)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"a config must be a mapping at the top level, got {type(data).__name__}", path, 1)
        raw = data.pop(BASE_KEY, None)
        base_line = _data_key_line(text, BASE_KEY)
        entries = [(entry, base_line or 1) for entry in _check_base_value(raw, path, base_line)]
        bases = self._load_bases(path, entries)
        own = resolve_in_data(data, bases, path)
        return _merge_child(bases, own, path, {key: _data_key_line(text, key) for key in own})


def _bind_references(source: PySource, bases: dict, path: str, has_bases: bool) -> Tuple[str, Dict[str, Any]]:
    """The text to run (references replaced) and the values its placeholder names stand for.

    Fails at the line of the first reference that names nothing (or of any reference when the file has
    no ``_base_``).
    """
    def value_of(match):
        if not has_bases:
            raise ConfigError(f"{match.group(0)} is used but the config has no _base_", path, source.line_of(match))
        try:
            return lookup(bases, match.group(1))
        except KeyError as err:
            raise ConfigError(err.args[0], path, source.line_of(match)) from None

    for match in source.matches:  # validate in file order, so the first bad one is reported
        value_of(match)
    run_text, placeholders = source.render(value_of)
    return run_text, {name: copy.deepcopy(lookup(bases, dotted)) for name, dotted in placeholders.items()}


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ConfigError("no such config file", path) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a config file", path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read config: {err}", path) from None


def _base_entries(tree: ast.Module, path: str) -> Tuple[List[Tuple[str, int]], Optional[int]]:
    """The ``_base_`` entries of a parsed ``.py`` config with their lines, and the assignment's line."""
    node = None
    for stmt in tree.body:
        if _base_line_of(stmt) is not None:
            node = stmt
    if node is None:
        return [], None
    try:
        value = ast.literal_eval(node.value)
    except ValueError:
        raise ConfigError("_base_ must be a literal string or list of strings", path, node.lineno) from None
    entries = _check_base_value(value, path, node.lineno)
    if isinstance(node.value, (ast.List, ast.Tuple)):
        lines = [elt.lineno for elt in node.value.elts]
    else:
        lines = [node.lineno] * len(entries)
    return list(zip(entries, lines)), node.lineno


def _base_line_of(stmt: ast.stmt) -> Optional[int]:
    """The line of ``stmt`` if it is a top-level ``_base_ = ...`` assignment, else None."""
    targets = stmt.targets if isinstance(stmt, ast.Assign) else (
        [stmt.target] if isinstance(stmt, ast.AnnAssign) and stmt.value is not None else [])
    if any(isinstance(t, ast.Name) and t.id == BASE_KEY for t in targets):
        return stmt.lineno
    return None


def _check_base_value(value: Any, path: str, line: Optional[int]) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"_base_ must be a string or a list of strings, got {value!r}", path, line)


def _assignment_lines(tree: ast.Module) -> Dict[str, int]:
    """The line of the last top-level assignment to each name (to locate merge errors)."""
    lines: Dict[str, int] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            targets = [stmt.target]
        else:
            continue
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    lines[node.id] = stmt.lineno
    return lines


def _execute(text: str, path: str, namespace: dict) -> None:
    """Run a config's code (without its ``_base_`` assignment); any failure is a ConfigError at its line."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as err:
        raise ConfigError(err.msg, path, err.lineno) from None
    # The `_base_ = [...]` statement would hide the bases bound to `_base_`; it has been read already.
    tree.body = [stmt for stmt in tree.body if _base_line_of(stmt) is None]
    code = compile(tree, path, "exec")
    try:
        exec(code, namespace)  # noqa: S102 - configs are trusted input (DESIGN.md: run/hooks/schedule)
    except HookportError as err:
        raise err.located(path, _config_line(err, path))
    except (Exception, SystemExit) as err:  # any error in the user's config is bad input, reported at its line
        detail = str(err).splitlines()[0] if str(err) else ""
        message = f"{type(err).__name__}: {detail}" if detail else type(err).__name__
        raise ConfigError(message, path, _config_line(err, path)) from err


def _config_line(err: BaseException, path: str) -> Optional[int]:
    """The innermost line of ``path`` in the traceback of ``err``."""
    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename == path:
            line = frame.lineno
    return line


def _merge_child(bases: dict, own: dict, path: str, lines: Dict[str, Optional[int]]) -> dict:
    """Merge a file's own keys over its combined bases, locating a conflict at the key's assignment."""
    result = dict(bases)
    for key, value in own.items():
        if key in RESERVED_KEYS:
            raise ConfigError(f"{key!r} is a reserved name (a Config attribute) and cannot be a config key",
                              path, lines.get(key))
        try:
            inherited = {key: bases[key]} if key in bases else {}
            result[key] = merge(inherited, {key: value})[key]
        except ConfigError as err:
            raise err.located(path, lines.get(key))
    return result


def _parse_data(path: str, text: str, suffix: str) -> Any:
    if suffix in JSON_SUFFIXES:
        try:
            return json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as err:
            raise ConfigError(f"invalid JSON: {err.msg}", path, err.lineno) from None
    import yaml  # lazy: only YAML configs need it

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"invalid YAML: {problem}", path, None if mark is None else mark.line + 1) from None


def _data_key_line(text: str, key: Any) -> Optional[int]:
    """The line of a top-level ``key`` in YAML or JSON text.

    Best effort without a position-keeping parser: the least indented line that starts with the key
    (quoted or not) followed by a colon; the first such line on a tie.
    """
    pattern = re.compile(r"^([ \t]*)[\"']?" + re.escape(str(key)) + r"[\"']?[ \t]*:", re.MULTILINE)
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    match = min(matches, key=lambda m: len(m.group(1)))
    return text.count("\n", 0, match.start()) + 1
