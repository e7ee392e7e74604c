"""Convert one config file (and, through the shared loader, its bases): translate, diff against bases, write.

For a file F with bases B1..Bn the converter translates F's complete legacy
config (bases merged with F) into the new keys T(F), merges the translations of
its bases the MMEngine way into M, and writes into F only what differs:
``delta(T(F)[k], M[k])`` — a partial dict where MMEngine merges, the complete
value where it replaces (lists such as ``param_scheduler``). So the converted
tree, loaded by MMEngine, gives exactly T(F) for every file, and no new key is
ever written into two sibling bases unless their legacy keys already collided.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

from hookport.converters.config.context import Context, Options
from hookport.converters.config.dialect import detect
from hookport.converters.config.translators import BACKPORT_TRANSLATORS, IMIX_TRANSLATORS, MMCV_TRANSLATORS
from hookport.converters.config.tree import Loaded, Loader
from hookport.converters.config.values import Opaque, SDict, Sourced, plain
from hookport.converters.config.writer import NewKey, Plan, render
from hookport.converters.report import Finding, Outcome
from hookport.errors import ConfigError, HookportError

_SAME = object()


def delta(new: Any, old: Any) -> Any:
    """What a child must write so that MMEngine's merge of it over ``old`` gives ``new`` (``_SAME`` if nothing)."""
    if plain(new) == plain(old):
        return _SAME
    if not (isinstance(new, dict) and isinstance(old, dict)) or new.get("_delete_"):
        return new
    if any(key not in new for key in old):
        out = SDict(_delete_=True)
        _copy_entries(new, out, list(new))
        return out
    out = SDict()
    out.origin = getattr(new, "origin", None)
    if "type" in new:  # a partial hook/optimizer dict still says what it configures
        out["type"] = new["type"]
    for key, value in new.items():
        if key not in old:
            _copy_entries(new, out, [key])
            continue
        sub = delta(value, old[key])
        if sub is not _SAME:
            out[key] = sub
            if sub is value and isinstance(new, Sourced) and key in new.srcs:
                out.srcs[key] = new.srcs[key]
    return out


def naming(value: Any, names: set) -> Optional[SDict]:
    """The entries of dict ``value`` whose text names a variable in ``names`` (None if there are none).

    MMEngine resolves a name such as ``vis_backends=vis_backends`` when it executes the base that
    contains it, so a child that redefines ``vis_backends`` must also re-state ``visualizer``.
    """
    if not isinstance(value, dict) or not names:
        return None
    out = SDict()
    if "type" in value:  # a partial dict still says what it configures
        out["type"] = value["type"]
    for key, item in value.items():
        if isinstance(item, dict):
            sub = naming(item, names)
            if sub is not None:
                out[key] = sub
        elif any(isinstance(o, Opaque) and o.src in names for o in _leaves(item)):
            _copy_entries(value, out, [key])
    return out if set(out) - {"type"} else None


def _leaves(value: Any):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def _with(change: Any, stale: SDict) -> Any:
    """``change`` (a delta or ``_SAME``) plus the ``stale`` entries that must be written again."""
    if change is _SAME:
        return stale
    if not isinstance(change, dict):
        return change
    for key, value in stale.items():
        if key not in change:
            change[key] = value
    return change


def _copy_entries(src: dict, dst: SDict, keys: List[Any]) -> None:
    dst.origin = getattr(src, "origin", None)
    for key in keys:
        dst[key] = src[key]
        if isinstance(src, Sourced) and key in src.srcs:
            dst.srcs[key] = src.srcs[key]


def merge_new(base: Dict[str, Any], child: Dict[str, Any]) -> Dict[str, Any]:
    """MMEngine's merge of translated keys (dicts recursively, ``_delete_`` replaces, the rest replaces)."""
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not value.get("_delete_"):
            out[key] = merge_new(out[key], value)
        else:
            out[key] = value
    return out


class _Conflict(Exception):
    """Sibling bases of ``loaded`` would define the same new key: ``pairs`` of (key, first base, second base)."""

    def __init__(self, loaded: Loaded, pairs):
        super().__init__(pairs)
        self.loaded, self.pairs = loaded, pairs


class Converter:
    """Converts config files with shared caches (a tree loads and translates each base once)."""

    def __init__(self, options: Optional[Options] = None):
        self.options = options or Options()
        self.loader = Loader(first_wins=self._imix_bases, execute=self._execute if self.options.execute else None)
        self._translations: Dict[str, Context] = {}
        self._writes: Dict[str, Dict[str, Any]] = {}
        #: base path -> new keys it leaves to its children (sibling-base collisions), and the sibling
        self.suppressed: Dict[str, set] = {}
        self.left_to_children: Dict[str, Dict[str, str]] = {}
        #: absolute paths of the files of this run (set by :meth:`prepare`; None: not known)
        self.run_paths: Optional[set] = None

    def _imix_bases(self, cfg: Dict[str, Any]) -> bool:
        """iMIX's first-base-wins rule applies to iMIX configs (MMCV raises on duplicate keys)."""
        if self.options.dialect != "auto":
            return self.options.dialect == "imix"
        try:
            return detect(cfg) == "imix"
        except HookportError:
            return False

    def _execute(self, path: str, read: Dict[str, Any]) -> Dict[str, Any]:
        """--exec: the config as MMCV (or iMIX) itself would load it, by running it (trusted files only)."""
        from hookport.config import Config
        from hookport.config.config_dict import to_plain

        rule = "imix" if self._imix_bases(read) else "mmcv"
        return to_plain(Config.fromfile(path, base_rule=rule, import_custom_modules=False).to_dict())

    # -- translation ------------------------------------------------------------------------------
    def translate(self, loaded: Loaded) -> Context:
        """The translation of ``loaded``'s complete legacy config (cached by path)."""
        cached = self._translations.get(loaded.path)
        if cached is not None:
            return cached
        kept = set(loaded.file.kept)
        for base in loaded.bases:
            kept |= base.file.kept
        dialect = detect(loaded.full, self.options.dialect, loaded.path, loaded.file.own, kept)
        lines = {a.name: a.line for a in loaded.file.assignments}
        ctx = Context(dict(loaded.full), self.options, dialect, loaded.path, lines)
        for translator in self._translators(dialect):
            translator(ctx)
        self._translations[loaded.path] = ctx
        return ctx

    def writes(self, loaded: Loaded) -> Dict[str, Any]:
        """The new keys ``loaded`` itself must contain: its translation minus what its converted bases give."""
        cached = self._writes.get(loaded.path)
        if cached is not None:
            return cached
        ctx = self.translate(loaded)
        inherited = self.inherited(loaded)
        out = {}
        for key, value in ctx.out.items():
            if key in self.suppressed.get(loaded.path, ()):
                continue
            change = delta(value, inherited[key]) if key in inherited else value
            if change is not _SAME:
                out[key] = change
        for key, value in ctx.out.items():
            if key in inherited and key not in self.suppressed.get(loaded.path, ()):
                stale = naming(value, set(out) - {key})
                if stale:
                    out[key] = _with(out.get(key, _SAME), stale)
        self._writes[loaded.path] = out
        return out

    def effective(self, loaded: Loaded) -> Dict[str, Any]:
        """The new keys MMEngine sees when it loads the converted ``loaded`` (bases merged)."""
        return merge_new(self.inherited(loaded), self.writes(loaded))

    def _translators(self, dialect: str):
        """What turns ``dialect`` into the target system (nothing when it already is the target)."""
        if self.options.to == "mmcv":
            return BACKPORT_TRANSLATORS if dialect == "mmengine" else []
        return {"mmcv": MMCV_TRANSLATORS, "imix": IMIX_TRANSLATORS}.get(dialect, [])

    def converts(self, ctx: Context) -> bool:
        """Whether a file of this dialect changes system in this run."""
        return bool(self._translators(ctx.dialect))

    def inherited(self, loaded: Loaded) -> Dict[str, Any]:
        """What MMEngine gives the converted file from its converted bases, before its own keys."""
        merged: Dict[str, Any] = {}
        owner: Dict[str, Loaded] = {}
        conflicts = []
        for base in loaded.bases:
            for key, value in self.effective(base).items():
                if key in owner:
                    conflicts.append((key, owner[key], base))
                    continue
                owner[key] = base
                merged[key] = value
        if conflicts:
            raise _Conflict(loaded, conflicts)
        return merged

    def prepare(self, paths: Sequence[str]) -> None:
        """Decide, for the files of one run, which base leaves a new key to its children.

        Two sibling bases may both produce a new key (mmseg: ``log_config`` in the runtime base and
        ``checkpoint_config`` in the schedule base both become ``default_hooks``). MMEngine rejects that,
        so the later base does not write the key and every child that combines them writes the
        difference itself. Bad input is left for :meth:`convert` to report.
        """
        self.run_paths = (self.run_paths or set()) | {os.path.abspath(p) for p in paths}
        for _ in range(4):
            new = False
            for path in paths:
                try:
                    self.effective(self.loader.load(path))
                except _Conflict as conflict:
                    new |= self._suppress(conflict)
                except HookportError:
                    continue
            if not new:
                return
            self._writes.clear()

    def _suppress(self, conflict: "_Conflict") -> bool:
        added = False
        for key, first, second in conflict.pairs:
            for base in (second, first):
                if key in self.translate(base).out and key not in self.suppressed.get(base.path, set()):
                    self.suppressed.setdefault(base.path, set()).add(key)
                    self.left_to_children.setdefault(base.path, {})[key] = (
                        first.path if base is second else second.path)
                    added = True
                    break
        return added

    # -- one file ---------------------------------------------------------------------------------
    def convert(self, path: str) -> Outcome:
        """Convert ``path``; bad input becomes a failed outcome (never an exception)."""
        try:
            try:
                return self._convert(path)
            except _Conflict:
                self.prepare([path])  # a file converted on its own: settle its bases' collisions first
                return self._convert(path)
        except _Conflict as conflict:
            key, first, second = conflict.pairs[0]
            err = ConfigError(
                f"bases {os.path.basename(first.path)} and {os.path.basename(second.path)} would both define "
                f"'{key}' after conversion (MMEngine rejects duplicate keys among bases); move the legacy keys "
                f"feeding '{key}' into one base", path, conflict.loaded.file.base_line)
            return self._failed(path, err)
        except HookportError as err:
            return self._failed(path, err)
        except Exception as err:  # a converter bug must not stop the other files of a tree
            return self._failed(path, HookportError(f"internal error while converting: {type(err).__name__}: {err} "
                                                    "(please report this)"))

    @staticmethod
    def _failed(path: str, err: HookportError) -> Outcome:
        if err.file is None or os.path.abspath(err.file) == os.path.abspath(path):
            err.file = path
        return Outcome(path, "failed", [Finding("HPC001", "error", err.message, err.file, err.line)], error=str(err))

    def _convert(self, path: str) -> Outcome:
        loaded = self.loader.load(path)
        with open(loaded.path, encoding="utf-8", newline="") as handle:
            original = handle.read()  # as on disk: a CRLF file stays CRLF
        ctx = self.translate(loaded)
        if not self.converts(ctx):
            return Outcome(path, "unchanged", output=original)
        own = loaded.file.own
        writes = self.writes(loaded)
        plan = self._plan(loaded, ctx, own, writes)
        text, foreign = render(loaded.file, plan)
        if "\r\n" in original.split("\n", 1)[0] + "\n":
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        findings = self._findings(ctx, own, writes)
        for src in sorted(set(foreign)):
            findings.append(Finding("HPC002", "warning", f"'{src}' comes from a base file; check that its names are "
                                    "defined here", path))
        for key, sibling in self.left_to_children.get(loaded.path, {}).items():
            findings.append(Finding("HPC003", "note", f"'{key}' is written by the configs that combine this file with "
                                    f"{os.path.basename(sibling)} (MMEngine rejects a key defined by two bases)", path))
        for base in self._legacy_bases_outside(loaded):
            findings.append(Finding("HPC004", "warning", f"base {os.path.relpath(base, os.path.dirname(loaded.path))} "
                                    "is not converted in this run, but this output only holds the difference over "
                                    "its converted form: convert it too (same command, include its folder)", path,
                                    loaded.file.base_line))
        status = "changed" if text != original else "unchanged"
        outcome = Outcome(path, status, findings, output=text)
        if self.options.verify:
            self._verify(loaded, ctx, outcome)
        for finding in outcome.findings:  # report locations the way the user named the file
            if finding.file == loaded.path:
                finding.file = path
        return outcome

    def _legacy_bases_outside(self, loaded: Loaded) -> List[str]:
        """Bases (transitively) that need converting but are not among this run's files."""
        if self.run_paths is None:
            return []
        out, todo, seen = [], list(loaded.bases), set()
        while todo:
            base = todo.pop(0)
            if base.path in seen:
                continue
            seen.add(base.path)
            todo.extend(base.bases)
            ctx = self.translate(base)
            if base.path not in self.run_paths and self.converts(ctx) and ctx.consumed & set(base.file.own):
                out.append(base.path)
        return out

    def _verify(self, loaded: Loaded, ctx: Context, outcome: Outcome) -> None:
        """Attach the verification verdict and turn deviations and order changes into findings."""
        from hookport.converters.verify import describe, verify

        legacy = plain(loaded.full)
        converted = {k: v for k, v in legacy.items() if k not in ctx.consumed}
        converted.update(plain(ctx.out))
        iters, source = self._iters_per_epoch(legacy)
        result = verify(legacy, converted, ctx.dialect, iters, target=self.options.to, iters_source=source)
        outcome.verification = result
        line = ctx.lines.get("lr_config") or ctx.lines.get("momentum_config")
        for param in ("lr", "momentum"):
            dev = result["schedule"].get(param)
            if dev and dev["status"] != "exact":
                outcome.findings.append(Finding("HPC010", "deviation", "verified trajectory differs from the "
                                                f"original: {describe(dev)}", ctx.file, line, "lr_config"))
        custom = {h.get("type") for h in (legacy.get("custom_hooks") or []) if isinstance(h, dict)}
        for sentence in result["hooks"].get("changes", []):
            severity = "warning" if any(name and name in sentence for name in custom) else "note"
            outcome.findings.append(Finding("HPC011", severity, f"hook order: {sentence}", ctx.file))

    def _iters_per_epoch(self, legacy: Dict[str, Any]) -> Tuple[Optional[int], Optional[str]]:
        """``--iters-per-epoch``; else, with ``--exec`` (trusted code), the count from the training dataset.

        Returns ``(count or None, where it came from or why there is none)``.

        Building a dataset runs the user's code (``custom_imports``, the dataset class), so a plain
        conversion never does it and the verification uses the documented default instead.
        """
        if self.options.iters_per_epoch is not None or not self.options.execute:
            return self.options.iters_per_epoch, None
        from hookport.compat import shims
        from hookport.iters_per_epoch import iters_from_dataset
        from hookport.registry import apply_custom_imports

        shims.install()  # the user's modules may import mmcv.* / imix.* stand-ins
        try:
            apply_custom_imports(legacy)
            return iters_from_dataset(legacy), "training dataset (--exec)"
        except HookportError as err:
            return None, err.message

    def _plan(self, loaded: Loaded, ctx: Context, own: Dict[str, Any], writes: Dict[str, Any]) -> Plan:
        cfg = loaded.file
        indexes: Dict[str, List[int]] = {}
        for assignment in cfg.assignments:
            indexes.setdefault(assignment.name, []).append(assignment.index)
        for name in ctx.consumed & set(own):
            if name in cfg.mutated:
                raise ConfigError(f"'{name}' is changed by a statement hookport does not evaluate; convert it by hand "
                                  "or pass --exec", cfg.path, cfg.mutated[name])
        plan = Plan()
        for name in ctx.consumed & set(own):
            plan.remove.update(indexes[name])
        for key, value in writes.items():
            new = NewKey(key, value, ctx.todos.get(key, []))
            spots = [indexes[name][0] for name in ctx.origin.get(key, []) if name in own and name in ctx.consumed]
            if spots:
                plan.replace.setdefault(min(spots), []).append(new)
            else:
                plan.append.append(new)
        for spot in plan.replace:
            plan.remove.discard(spot)
        # comments above a statement that was merged into another key's replacement travel with it
        for key, value in writes.items():
            spots = [indexes[n][0] for n in ctx.origin.get(key, []) if n in own and n in ctx.consumed]
            if not spots:
                continue
            for name in ctx.origin.get(key, []):
                for index in indexes.get(name, []) if name in own else []:
                    if index in plan.remove and index not in plan.moved:
                        plan.moved[index] = min(spots)
        for name, comments in ctx.kept.items():
            if name in own:
                plan.keep_with_todo[indexes[name][-1]] = comments
        return plan

    @staticmethod
    def _findings(ctx: Context, own: Dict[str, Any], writes: Dict[str, Any]) -> List[Finding]:
        """Findings about this file's own keys or about the new keys it writes (not every inherited detail)."""
        relevant = set(own)
        for key in writes:
            relevant.update(ctx.origin.get(key, []))
        out = []
        for finding in ctx.findings:
            root = finding.key.split(".")[0] if finding.key else None
            if root is None or root in own or (finding.needs_attention and root in relevant):
                out.append(finding)
        return out
