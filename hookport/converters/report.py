"""Findings and per-file outcomes of a conversion, and the report folded from them (.json / .md).

Every file ends as an :class:`Outcome` (changed / unchanged / failed); the
report is a fold over those values. Findings that need a human (errors, TODOs,
warnings, approximate schedules) come first, under "needs attention".
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Iterable, List, Optional

#: severities in the order a reader should see them; the first four "need attention"
SEVERITIES = ("error", "todo", "warning", "deviation", "note", "change")
ATTENTION = frozenset(("error", "todo", "warning", "deviation"))
STATUSES = ("changed", "unchanged", "failed")


@dataclass
class Finding:
    """One thing the converter did or noticed: code (HPCxxx), severity, location, message."""

    code: str
    severity: str
    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    key: Optional[str] = None

    def where(self) -> str:
        """``file:line`` (or what is known of it)."""
        if self.file is None:
            return "-"
        return self.file if self.line is None else f"{self.file}:{self.line}"

    @property
    def needs_attention(self) -> bool:
        """True for errors, TODOs, warnings and deviations."""
        return self.severity in ATTENTION


@dataclass
class Outcome:
    """The result for one input file."""

    path: str
    status: str  # one of STATUSES
    findings: List[Finding] = field(default_factory=list)
    output: Optional[str] = None  # converted text (None when failed)
    error: Optional[str] = None  # the one-line `file:line: message` of a failure
    verification: Optional[dict] = None


@dataclass
class Report:
    """The fold over all outcomes of one ``hookport convert`` run."""

    outcomes: List[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        """Fold in one more outcome."""
        self.outcomes.append(outcome)

    def counts(self) -> dict:
        """Number of files per status."""
        out = {status: 0 for status in STATUSES}
        for outcome in self.outcomes:
            out[outcome.status] += 1
        return out

    def findings(self) -> Iterable[Finding]:
        """All findings, file by file."""
        for outcome in self.outcomes:
            yield from outcome.findings

    def attention(self) -> List[Finding]:
        """Findings that need a human, most severe first."""
        items = [f for f in self.findings() if f.needs_attention]
        return sorted(items, key=lambda f: SEVERITIES.index(f.severity))

    def to_json(self) -> dict:
        """The JSON document written by ``--report x.json``."""
        return {
            "summary": self.counts(),
            "needs_attention": [asdict(f) for f in self.attention()],
            "files": [
                {
                    "path": o.path,
                    "status": o.status,
                    "error": o.error,
                    "verification": o.verification,
                    "findings": [asdict(f) for f in o.findings],
                }
                for o in self.outcomes
            ],
        }

    def to_markdown(self) -> str:
        """The Markdown report: summary, "needs attention" first, then the full change log per file."""
        counts = self.counts()
        lines = ["# hookport convert report", ""]
        lines.append(" · ".join(f"{counts[s]} {s}" for s in STATUSES))
        lines += ["", "## Needs attention", ""]
        attention = self.attention()
        if not attention:
            lines.append("Nothing: every change is mechanical and verified.")
        for finding in attention:
            lines.append(f"- **{finding.severity}** `{finding.where()}` {finding.code}: {finding.message}")
        lines += ["", "## Change log", ""]
        for outcome in self.outcomes:
            lines.append(f"### `{outcome.path}` ({outcome.status})")
            lines.append("")
            if outcome.error:
                lines.append(f"- failed: {outcome.error}")
            if outcome.verification:
                lines.append(f"- verification: {outcome.verification.get('summary', '')}")
            for finding in outcome.findings:
                lines.append(f"- {finding.severity} `{finding.where()}` {finding.code}: {finding.message}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    def write(self, path: str) -> None:
        """Write the report atomically as .json or .md (by extension)."""
        from hookport.converters.atomic import write_text

        if path.endswith(".json"):
            text = json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n"
        elif path.endswith(".md"):
            text = self.to_markdown()
        else:
            from hookport.errors import HookportError

            raise HookportError(f"--report must end in .json or .md, not {os.path.basename(path)}")
        write_text(path, text)
