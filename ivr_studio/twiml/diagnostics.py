"""Diagnostics: the one shape every check in IVR Studio reports problems in.

The TwiML parser, the attribute rules, the flow validator and the runtime all speak in diagnostics, so the
editor's Problems panel, ``ivr-studio validate --json`` and a call trace show the same codes and words.
Codes are Twilio's where Twilio has one (``12100``, ``13313`` …) and ``IVR…`` for IVR Studio's own graph rules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """One problem: what (code, message), how bad (severity), where (node id, path) and what to do (fix)."""

    code: str
    severity: Severity
    message: str
    node_id: str | None = None
    path: str | None = None
    fix: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def to_dict(self) -> dict[str, str | None]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        return d

    def located(self, node_id: str | None = None, path: str | None = None) -> Diagnostic:
        """The same diagnostic, attached to a node and/or a path."""
        return Diagnostic(
            self.code,
            self.severity,
            self.message,
            node_id if node_id is not None else self.node_id,
            path if path is not None else self.path,
            self.fix,
        )

    def __str__(self) -> str:
        where = f" [{self.node_id}]" if self.node_id else ""
        where += f" at {self.path}" if self.path else ""
        return f"{self.severity} {self.code}{where}: {self.message}"


def error(code: str | int, message: str, **kw: str | None) -> Diagnostic:
    return Diagnostic(str(code), Severity.ERROR, message, **kw)


def warning(code: str | int, message: str, **kw: str | None) -> Diagnostic:
    return Diagnostic(str(code), Severity.WARNING, message, **kw)
