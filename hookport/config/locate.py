"""Pointing an error found while *interpreting* a loaded config at the line that caused it.

Loading locates its own errors (syntax, ``_base_``, merge conflicts). Later errors (an unknown hook
type, a bad scheduler argument, a model that cannot be built) are raised by code that sees only a
dict, far from any file. :func:`located` closes that gap for ``run``/``hooks``/``schedule``: an error
without a line is attributed to the top-level key it is about, and placed at the assignment of that
key in the file that defines it last (the child, or the ``_base_`` file it comes from).

Which key an error is about is read from its message, in this order:

1. a top-level key named in it as a key (``train_cfg.max_epochs must be ...``, ``lr_config: ...``,
   ``custom_hooks[0] (...)``, ``cannot build model ...``);
2. a type named in it that one key's value builds (``unknown hook type 'EmptyCacheHok'`` is about the
   key holding ``dict(type='EmptyCacheHok')``; ``...toy.ToyClassifier`` matches ``type='ToyClassifier'``).

A key set by ``--cfg-options`` has no line in any file: the error names the config file only.
"""
from __future__ import annotations

import ast
import contextlib
import os
import re
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from hookport.config.loader import (BASE_KEY, JSON_SUFFIXES, YAML_SUFFIXES, _assignment_lines, _base_entries,
                                    _data_key_line, _parse_data)
from hookport.errors import ConfigError, HookportError, HookValidationError, PriorityError, RegistryError

_TOKEN = re.compile(r"[A-Za-z_][\w.]*")
# The errors that are about what a config says (others, such as a NaN loss, happen while training).
CONFIG_ERRORS = (ConfigError, RegistryError, PriorityError, HookValidationError)


@contextlib.contextmanager
def located(cfg: Any, overridden: Iterable[str] = ()) -> Iterator[None]:
    """Re-raise any :class:`HookportError` from the block located in ``cfg``'s files (see :func:`locate`)."""
    try:
        yield
    except HookportError as err:
        raise locate(err, cfg, overridden)


def locate(err: HookportError, cfg: Any, overridden: Iterable[str] = ()) -> HookportError:
    """Fill in ``err``'s file and line from ``cfg`` (a :class:`~hookport.config.Config`) and return it.

    Only errors about the config are placed (a NaN loss or an unreadable checkpoint is not a line of
    it); an error that already names a line, or a file that is not one of the config's, is left alone.
    ``overridden``: top-level keys set by ``--cfg-options`` (they have no line).
    """
    filename = getattr(cfg, "filename", None)
    sources: Sequence[Tuple[str, str]] = getattr(cfg, "_sources", ())  # set by Config.fromfile
    if not isinstance(err, CONFIG_ERRORS) or err.line is not None or not isinstance(filename, str):
        return err
    own_files = {os.path.normpath(filename)} | {os.path.normpath(path) for path, _ in sources}
    if err.file is not None and os.path.normpath(err.file) not in own_files:
        return err
    key = subject_key(err.message, cfg)
    where = None if key is None or key in set(overridden) else key_location(key, sources)
    if where is None:
        err.file = err.file or filename
    else:
        err.file, err.line = where
    return err


def subject_key(message: str, cfg: Any) -> Optional[str]:
    """The top-level key of ``cfg`` that ``message`` is about (see the module docstring), or None."""
    keys = [key for key in cfg if isinstance(key, str)]
    named = [(match.start(), key) for key in keys
             for match in re.finditer(r"(?<![\w.'\"])" + re.escape(key) + r"(?=[.\[:( ]|$)", message)]
    if named:
        return min(named)[1]
    built = {key: set(_built_types(cfg[key])) for key in keys}
    for token in _TOKEN.findall(message):  # in message order: the wrong name comes before the suggestions
        parts = token.split(".")
        names = {".".join(parts[:i]) for i in range(1, len(parts) + 1)} | set(parts)  # a.b.C.meth: C
        for key in keys:
            if names & built[key]:
                return key
    return None


def _built_types(value: Any) -> Iterator[str]:
    """Every ``type`` string in a nested config value (and its last dotted part)."""
    if isinstance(value, dict):
        kind = value.get("type")
        if isinstance(kind, str):
            yield kind
            yield kind.rpartition(".")[2]
        for item in value.values():
            yield from _built_types(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _built_types(item)


def key_location(key: str, sources: Sequence[Tuple[str, str]]) -> Optional[Tuple[str, int]]:
    """``(file, line)`` of the assignment of ``key`` that the loaded config took its value from.

    ``sources`` are the files read (bases first, the config last). A file's own assignment wins over its
    bases; among sibling bases the first that defines the key is taken (MMCV's rule allows only one to
    define it, iMIX's keeps the first).
    """
    if not sources:
        return None
    return _origin(sources[-1][0], key, dict(sources), set())


def _origin(path: str, key: str, texts: Dict[str, str], seen: Set[str]) -> Optional[Tuple[str, int]]:
    text = texts.get(path)
    if text is None or path in seen:
        return None
    seen.add(path)
    line = _key_line(path, text, key)
    if line is not None:
        return path, line
    for base in _base_paths(path, text):
        found = _origin(base, key, texts, seen)
        if found is not None:
            return found
    return None


def _base_paths(path: str, text: str) -> List[str]:
    """The ``_base_`` files of one config, as the loader names them."""
    suffix = os.path.splitext(path)[1].lower()
    try:
        if suffix in YAML_SUFFIXES + JSON_SUFFIXES:
            data = _parse_data(path, text, suffix)
            raw = data.get(BASE_KEY) if isinstance(data, dict) else None
            entries = [raw] if isinstance(raw, str) else list(raw or ())
        else:
            entries = [entry for entry, _ in _base_entries(ast.parse(text, filename=path), path)[0]]
    except (SyntaxError, HookportError):  # it loaded, so this is a substitution artefact: no bases known
        return []
    return [os.path.normpath(os.path.join(os.path.dirname(path), os.path.expanduser(entry))) for entry in entries]


def _key_line(path: str, text: str, key: str) -> Optional[int]:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in YAML_SUFFIXES + JSON_SUFFIXES:
        return _data_key_line(text, key)
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError:  # it loaded, so this is a substitution artefact: no line rather than a wrong one
        return None
    return _assignment_lines(tree).get(key)


def option_keys(cfg_options: Optional[List[str]]) -> List[str]:
    """The top-level keys that ``--cfg-options`` items (``a.b=1``) set."""
    return [item.partition("=")[0].split(".")[0].strip() for item in cfg_options or ()]
