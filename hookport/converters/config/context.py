"""The state one translation works on: the legacy config in, the new keys out, findings on the side.

Translators (one module per concern) read ``ctx.legacy`` (the complete legacy
config: bases merged with the file), write new keys with :meth:`Context.put`,
mark the legacy keys they consumed, and report through :meth:`Context.find`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set

from hookport.converters.config.values import Opaque, SDict, contains_opaque, plain, type_name
from hookport.converters.report import Finding
from hookport.errors import ConfigError


@dataclass
class Options:
    """What the user asked for on the command line."""

    style: str = "faithful"  # or "official"
    exact: bool = False
    scope: Optional[str] = None
    iters_per_epoch: Optional[int] = None
    dialect: str = "auto"
    verify: bool = True
    execute: bool = False  # --exec: run the configs to read values the safe evaluator cannot
    to: str = "mmengine"  # the target system; "mmcv" back-ports MMEngine configs


@dataclass
class Context:
    """Inputs, outputs and findings of one translation."""

    legacy: Dict[str, Any]
    options: Options
    dialect: str = "mmcv"
    file: Optional[str] = None
    lines: Dict[str, int] = field(default_factory=dict)  # legacy key -> line (own keys only)
    out: Dict[str, Any] = field(default_factory=dict)
    #: new key -> legacy keys it was built from (decides where the writer puts it)
    origin: Dict[str, List[str]] = field(default_factory=dict)
    consumed: Set[str] = field(default_factory=set)
    #: legacy key -> TODO comment lines kept above it (the statement stays in the file)
    kept: Dict[str, List[str]] = field(default_factory=dict)
    #: new key -> TODO comment lines written above it
    todos: Dict[str, List[str]] = field(default_factory=dict)
    findings: List[Finding] = field(default_factory=list)
    #: hooks other translators add to custom_hooks (e.g. SyncBuffersHook for sync_buffer=True)
    extra_hooks: List[Any] = field(default_factory=list)

    # -- reading ---------------------------------------------------------------------------------
    def has(self, key: str) -> bool:
        """True when the legacy config defines ``key``."""
        return key in self.legacy

    def get(self, key: str, default: Any = None) -> Any:
        """The legacy value of ``key``."""
        return self.legacy.get(key, default)

    def need(self, key: str, value: Any, what: str = "", kind: Any = None) -> Any:
        """``value`` if it is fully readable (and of type ``kind``); else a ConfigError (suggesting ``--exec``)."""
        if isinstance(value, Opaque) or kind is None or isinstance(value, kind):
            pass
        else:
            names = " or ".join(t.__name__ for t in (kind if isinstance(kind, tuple) else (kind,)))
            raise ConfigError(f"'{key}' must be a {names}, not {type_name(value)} ({plain(value)!r})",
                              self.file, self.lines.get(key.split(".")[0]))
        opaque = contains_opaque(value)
        if opaque is not None:
            detail = f" ({what})" if what else ""
            raise ConfigError(
                f"'{key}'{detail} uses '{opaque.src}', which hookport does not evaluate without running the "
                f"config; translate it by hand or pass --exec (runs the config, for trusted files only)",
                self.file, self.lines.get(key.split(".")[0]))
        return value

    # -- writing ---------------------------------------------------------------------------------
    def put(self, key: str, value: Any, *sources: str) -> Any:
        """Set new top-level ``key`` (built from legacy ``sources``)."""
        self.out[key] = value
        self._origin(key, sources)
        return value

    def put_in(self, key: str, path: List[str], value: Any, *sources: str) -> None:
        """Set ``out[key][path...] = value``, creating dicts on the way."""
        node = self.out.setdefault(key, SDict())
        for part in path[:-1]:
            nxt = node.get(part)
            if not isinstance(nxt, dict):
                nxt = node[part] = SDict()
            node = nxt
        node[path[-1]] = value
        self._origin(key, sources)

    def consume(self, *keys: str) -> None:
        """Mark legacy ``keys`` as translated (their statements are replaced or removed)."""
        self.consumed.update(k for k in keys if k in self.legacy)

    def keep(self, key: str, comment: str) -> None:
        """Leave legacy ``key`` in the file with a TODO comment above it."""
        self.kept.setdefault(key, []).append(comment)

    def todo(self, new_key: str, comment: str) -> None:
        """Write a ``# TODO(hookport): comment`` above new key ``new_key``."""
        self.todos.setdefault(new_key, []).append(comment)

    def find(self, code: str, severity: str, message: str, key: Optional[str] = None) -> None:
        """Record a finding located at legacy ``key`` (when the file defines it)."""
        line = self.lines.get(key.split(".")[0]) if key else None
        self.findings.append(Finding(code, severity, message, self.file, line, key))

    def _origin(self, key: str, sources) -> None:
        names = self.origin.setdefault(key, [])
        for source in sources:
            if source not in names:
                names.append(source)


#: a translator reads ctx.legacy and writes ctx.out
Translator = Callable[[Context], None]
