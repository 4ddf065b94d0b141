"""The import report: what each piece of an imported flow became, and why.

An import never stops at the first thing it cannot map. Each widget (Studio) or verb (TwiML) gets one
:class:`ReportEntry` saying whether it *mapped* onto a node, became a *placeholder* (a node that keeps the
original and stops a local call there), was *skipped*, or only raised a *warning*. The command line prints
the report as text; the editor shows the same entries in a dialog.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAPPED = "mapped"
PLACEHOLDER = "placeholder"
SKIPPED = "skipped"
WARNING = "warning"
OUTCOMES = (MAPPED, PLACEHOLDER, SKIPPED, WARNING)


def short(text: str, limit: int = 120) -> str:
    """``text`` on one line, cut to about ``limit`` characters (a report never echoes a whole input)."""
    text = " ".join(str(text)[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class ReportEntry:
    """One line of the report: the source item (``widget gather_1`` / ``menu.xml <Gather>``), what it
    became, and a note for people (the node ids it mapped onto, or why it could not be mapped)."""

    source: str
    kind: str
    outcome: str
    note: str = ""
    node: str | None = None


@dataclass
class ImportReport:
    """Every entry of one import, in source order, plus the name of what was imported."""

    origin: str
    entries: list[ReportEntry] = field(default_factory=list)

    def add(self, source: str, kind: str, outcome: str, note: str = "", node: str | None = None) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown report outcome {outcome!r}")
        self.entries.append(ReportEntry(source, kind, outcome, note, node))

    def counts(self) -> dict[str, int]:
        c = Counter(e.outcome for e in self.entries)
        return {o: c.get(o, 0) for o in OUTCOMES}

    def of(self, outcome: str) -> list[ReportEntry]:
        return [e for e in self.entries if e.outcome == outcome]

    def summary(self) -> str:
        c = self.counts()
        placeholders = f"{c[PLACEHOLDER]} placeholder{'' if c[PLACEHOLDER] == 1 else 's'}"
        warnings = f"{c[WARNING]} warning{'' if c[WARNING] == 1 else 's'}"
        return f"{c[MAPPED]} mapped, {placeholders}, {c[SKIPPED]} skipped, {warnings}"

    def to_text(self) -> str:
        """The report as lines for a terminal: mapped items first, then what needs a person's attention."""
        lines = [f"Import of {self.origin}: {self.summary()}"]
        for outcome in OUTCOMES:
            for e in self.of(outcome):
                where = f" -> {e.node}" if e.node else ""
                note = f": {e.note}" if e.note else ""
                lines.append(f"  {outcome:<11} {e.source} ({e.kind}){where}{note}")
        return "\n".join(lines)
