"""The ``--report`` document: a fold over :class:`FileOutcome` values, as JSON or Markdown.

A TODO's ``line`` is the line of its construct in the *input* file, where the user looks
for it (the file is unchanged with ``--check`` / ``--diff``, and is what they wrote);
``output_line`` is where the ``# TODO(hookport HPxxx)`` comment is in the converted file.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Dict, Iterable, List

from hookport.converters.codemod import tables as rule_tables
from hookport.converters.codemod.outcome import FileOutcome, Status


def summary(outcomes: Iterable[FileOutcome]) -> Dict[str, int]:
    """Counts: files per status, rewrites applied, TODOs left."""
    outcomes = list(outcomes)
    counts = Counter(o.status.value for o in outcomes)
    return {
        "files": len(outcomes),
        **{status.value: counts.get(status.value, 0) for status in Status},
        "fixes": sum(sum(o.fixes.values()) for o in outcomes),
        "todos": sum(len(o.todos) for o in outcomes if o.status is Status.CHANGED),
    }


def as_dict(outcomes: Iterable[FileOutcome], root: str = "") -> dict:
    """The JSON report: summary, rule descriptions used, and one entry per file."""
    outcomes = list(outcomes)
    codes = rule_tables.load().codes
    used = sorted({c for o in outcomes for c in o.fixes} | {t.code for o in outcomes for t in o.todos})
    files = []
    for o in outcomes:
        entry = {"path": o.path, "status": o.status.value}
        if o.fixes:
            entry["fixes"] = dict(sorted(o.fixes.items()))
        if o.todos and o.status is Status.CHANGED:
            entry["todos"] = [{"line": t.line, "output_line": t.output_line, "code": t.code, "message": t.message}
                              for t in o.todos]
        if o.reason:
            entry["reason"] = o.reason
        if o.line is not None:
            entry["line"] = o.line
        files.append(entry)
    return {"summary": summary(outcomes), "rules": {c: codes.get(c, "") for c in used}, "files": files}


def to_json(outcomes: Iterable[FileOutcome]) -> str:
    """The report as JSON text (stable key order, trailing newline)."""
    return json.dumps(as_dict(outcomes), indent=2) + "\n"


def to_markdown(outcomes: Iterable[FileOutcome]) -> str:
    """The report as Markdown: summary, what needs a human, then per-file rewrites."""
    doc = as_dict(outcomes)
    s = doc["summary"]
    lines: List[str] = [
        "# hookport codemod report", "",
        f"{s['files']} files: {s['changed']} changed, {s['unchanged']} unchanged, {s['skipped']} skipped, "
        f"{s['failed']} failed; {s['fixes']} rewrites, {s['todos']} TODOs.", "",
    ]
    attention = [(f, t) for f in doc["files"] for t in f.get("todos", ())]
    failed = [f for f in doc["files"] if f["status"] == "failed"]
    if attention or failed:
        lines += ["## Needs a human", "", "`file:line` is the construct in the input file; `(converted: N)` is the "
                  "line of its TODO comment in the converted file.", ""]
        for f in failed:
            where = f["path"] + (f":{f['line']}" if "line" in f else "")
            lines.append(f"- `{where}` failed: {f['reason']}")
        for f, t in attention:
            lines.append(f"- `{f['path']}:{t['line']}` (converted: {t['output_line']}) {t['code']}: {t['message']}")
        lines.append("")
    changed = [f for f in doc["files"] if f.get("fixes")]
    if changed:
        lines += ["## Rewrites", "", "| file | rule | count |", "| --- | --- | --- |"]
        for f in changed:
            for code, count in f["fixes"].items():
                lines.append(f"| `{f['path']}` | {code} | {count} |")
        lines.append("")
    if doc["rules"]:
        lines += ["## Rules", ""]
        lines += [f"- {code}: {text}" for code, text in doc["rules"].items()]
        lines.append("")
    return "\n".join(lines)
