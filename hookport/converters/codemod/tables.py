"""The codemod's rule tables: YAML data next to this module, loaded and checked once.

A rule is a line of data (source, target, note, code); Python only interprets the
pattern and template language the tables document in their headers. A malformed
table is a bug in hookport, reported as :class:`HookportError` naming the table.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import libcst as cst
import yaml

from hookport.errors import HookportError
from hookport.tables import load_table

_HERE = os.path.join(os.path.dirname(__file__), "tables")

#: one step of an access chain: ("attr", name) | ("item", key) | ("call",)
Part = Tuple[str, ...]


def flatten(node: cst.BaseExpression) -> Optional[Tuple[str, Tuple[Part, ...]]]:
    """``runner.a['k'].b(...)`` -> ``("runner", (("attr","a"), ("item","k"), ("attr","b"), ("call",)))``.

    None when the chain does not start at a plain name or has a non-literal subscript.
    """
    parts: List[Part] = []
    while True:
        if isinstance(node, cst.Attribute):
            parts.append(("attr", node.attr.value))
            node = node.value
        elif isinstance(node, cst.Call):
            parts.append(("call",))
            node = node.func
        elif isinstance(node, cst.Subscript):
            key = _literal_key(node)
            if key is None:
                return None
            parts.append(("item", key))
            node = node.value
        elif isinstance(node, cst.Name):
            return node.value, tuple(reversed(parts))
        else:
            return None


def _literal_key(node: cst.Subscript) -> Optional[str]:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    value = node.slice[0].slice.value
    if isinstance(value, cst.SimpleString):
        return value.evaluated_value if isinstance(value.evaluated_value, str) else None
    return None


@dataclass(frozen=True)
class ChainRule:
    """One access-chain rewrite: ``source`` pattern -> ``target`` template (or a handler)."""

    code: str
    source: str
    root: str  # "runner" (the method's runner parameter) or "self"
    parts: Tuple[Part, ...]
    target: Optional[str]
    note: str
    needs: Tuple[str, ...] = ()
    todo: Optional[str] = None
    todo_in_modes: Dict[str, str] = field(default_factory=dict)
    handler: Optional[str] = None
    table: str = ""

    @property
    def manual(self) -> bool:
        """True when the rule only marks the construct for a human."""
        return self.target is None and self.handler is None


@dataclass(frozen=True)
class ImportRule:
    """One legacy symbol (several spellings) -> its MMEngine module and name, or manual."""

    code: str
    sources: Tuple[str, ...]
    target: Optional[str]
    note: str
    scoped: bool = False

    def target_for(self, scope: Optional[str]) -> Optional[Tuple[str, str]]:
        """``(module, name)`` of the replacement, honouring ``--scope`` for registries."""
        if self.target is None:
            return None
        module, _, name = self.target.rpartition(".")
        if self.scoped and scope:
            module = f"{scope}.registry"
        return module, name


@dataclass(frozen=True)
class Tables:
    """Every table the codemod uses."""

    imports: Dict[str, ImportRule]  # "module.Name" (relative modules start with ".") -> rule
    legacy_modules: Tuple[str, ...]
    chains: Dict[Tuple[str, Tuple[Part, ...]], ChainRule]  # (root, parts) -> rule
    params: Dict[str, Tuple[str, ...]]
    mmcv_stages: Tuple[str, ...]
    imix_stages: Tuple[str, ...]
    generic: Dict[str, dict]
    notes: Dict[str, Tuple[str, str]]  # key -> (code, text template)
    ema_pattern: str
    resume_attrs: Tuple[str, ...]
    codes: Dict[str, str]  # every rule code -> one-line description
    function_notes: Dict[str, str] = field(default_factory=dict)  # runner helpers: key -> text template
    argument_hints: Dict[str, str] = field(default_factory=dict)  # lacking argument -> what to do

    def note(self, key: str, **fields) -> Tuple[str, str]:
        """``(code, text)`` of the note ``key`` with ``fields`` filled in."""
        code, text = self.notes[key]
        return code, text.format(**fields)

    def function_note(self, key: str, rule: "ChainRule", scope, missing, hook: str = "self") -> str:
        """The TODO text of ``rule`` inside the runner helper ``scope`` lacking ``missing``.

        ``hook`` is what a hook helper was called on (``hook.every_n_inner_iters(...)``).
        """
        what = rule.source if rule.root != "self" else hook + rule.source[len("self"):]
        target = (rule.target or "").split("(")[0].replace("{hook}", hook)
        hint = " ".join(self.argument_hints[need] for need in missing)
        return self.function_notes[key].format(what=what, function=scope.method, needs=" and ".join(missing),
                                               hint=hint, target=target)


def _read(name: str) -> dict:
    path = os.path.join(_HERE, name)
    try:
        data = load_table(path)
    except (OSError, yaml.YAMLError) as err:
        raise HookportError(f"cannot read codemod table: {err}", file=path) from None
    if not isinstance(data, dict):
        raise HookportError("codemod table is not a mapping", file=path)
    return data


def _chain_rules(name: str) -> List[ChainRule]:
    data = _read(name)
    rules = []
    for entry in list(data.get("rules", [])) + list(data.get("helpers", [])):
        source = entry["source"]
        try:
            pattern = cst.parse_expression(source.replace("(...)", "()"))
        except cst.ParserSyntaxError:
            raise HookportError(f"bad pattern {source!r}", file=os.path.join(_HERE, name)) from None
        flat = flatten(pattern)
        if flat is None or flat[0] not in ("runner", "self"):
            raise HookportError(f"pattern {source!r} must start at runner or self", file=os.path.join(_HERE, name))
        rules.append(ChainRule(
            code=entry["code"], source=source, root=flat[0], parts=flat[1], target=entry.get("target"),
            note=entry.get("note", ""), needs=tuple(entry.get("needs", ())), todo=entry.get("todo"),
            todo_in_modes=dict(entry.get("todo_in_modes", {})), handler=entry.get("handler"), table=name,
        ))
    return rules


@functools.lru_cache(maxsize=None)
def load() -> Tables:
    """Load and check every table (cached: tables are immutable data)."""
    imports_data = _read("imports.yaml")
    imports: Dict[str, ImportRule] = {}
    codes: Dict[str, str] = {}
    for entry in imports_data["rules"]:
        rule = ImportRule(code=entry["code"], sources=tuple(entry["source"]), target=entry.get("target"),
                          note=entry.get("note", ""), scoped=bool(entry.get("scoped", False)))
        for source in rule.sources:
            if source in imports:
                raise HookportError(f"duplicate import rule for {source}", file=os.path.join(_HERE, "imports.yaml"))
            imports[source] = rule
    codes.update(imports_data["codes"])
    chains: Dict[Tuple[str, Tuple[Part, ...]], ChainRule] = {}
    for table in ("runner_api.yaml", "imix_trainer.yaml"):
        for rule in _chain_rules(table):
            key = (rule.root, rule.parts)
            if key in chains:
                raise HookportError(f"duplicate pattern {rule.source}", file=os.path.join(_HERE, table))
            chains[key] = rule
        codes.update(_read(table)["codes"])
    sigs = _read("signatures.yaml")
    codes.update(sigs["codes"])
    notes_data = _read("notes.yaml")
    notes = {key: (value["code"], value["text"]) for key, value in notes_data["notes"].items()}
    codes.update(notes_data["codes"])
    used = {r.code for r in imports.values()} | {r.code for r in chains.values()} | {c for c, _ in notes.values()}
    undescribed = sorted(used - set(codes))
    if undescribed:
        raise HookportError(f"rule codes without a description: {', '.join(undescribed)}", file=_HERE)
    functions = _read("runner_api.yaml")["functions"]
    return Tables(
        function_notes={k: v for k, v in functions.items() if k != "hints"}, argument_hints=dict(functions["hints"]),
        imports=imports, legacy_modules=tuple(imports_data["legacy_modules"]), chains=chains,
        params={k: tuple(v) for k, v in sigs["params"].items()}, mmcv_stages=tuple(sigs["mmcv_stages"]),
        imix_stages=tuple(sigs["imix_stages"]), generic=dict(sigs["generic"]), notes=notes,
        ema_pattern=notes_data["ema_class_pattern"], resume_attrs=tuple(notes_data["resume_attrs"]),
        codes=dict(sorted(codes.items())),
    )
