"""The call's variables, live beside the timeline: what the handler holds for the call after each request.

An IVR Studio handler serving a local call reports, with each answer, the call's variables and the kept
results of its Look ups (read into the trace's request events by the runtime's ``handler_report``, and read
back from them with it, as the call debugger does). This view shows them under the names templates read them by — ``vars.tier``,
``steps.balance.status``, ``steps.balance.body.amount`` —, declared variables the call has not set yet
with their default (greyed), and marks in bold what the latest request changed.

:func:`values_at` gives the values as they were at any point of a trace, so a view of a past moment (the
call debugger stepping back through the timeline) shows what the call held then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from ivr_studio.runtime.handler_report import latest_values, values_of

#: Rows shown at most (a flow declares a handful; a Look up keeps a few values).
MAX_ROWS = 300
VALUE_CHARS = 200


def _cut(text: str, limit: int = VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def flatten(prefix: str, value: Any, out: dict[str, str], depth: int = 0) -> None:
    """``value`` (a kept Look up body, nested mappings and lists) as ``prefix.key.0…`` → text rows."""
    if len(out) >= MAX_ROWS:
        return
    if isinstance(value, Mapping) and depth < 8:
        for key, inner in value.items():
            flatten(f"{prefix}.{key}", inner, out, depth + 1)
    elif isinstance(value, list) and depth < 8:
        for i, inner in enumerate(value[:50]):
            flatten(f"{prefix}.{i}", inner, out, depth + 1)
    else:
        out[prefix] = _cut("" if value is None else str(value))


def call_values(variables: Mapping[str, Any], results: Mapping[str, Any]) -> dict[str, str]:
    """The rows for a call's variables and step results, by the name a template reads them with."""
    out: dict[str, str] = {}
    for name, value in variables.items():
        flatten(f"vars.{name}", value, out)
    for node, result in results.items():
        flatten(f"steps.{node}", result, out)
    return out


def values_at(trace: Sequence[Mapping[str, Any]], upto: int | None = None) -> dict[str, str] | None:
    """The call's values after the last request (among ``trace[: upto + 1]``) that reported them; None
    when none did (a call of a URL, or before the first answer)."""
    values = latest_values(trace, upto)
    return None if values is None else call_values(values.vars, values.results)


class CallVariablesView(QTreeWidget):
    """Two columns, name and value; fed the trace's request events (:meth:`feed`) or values directly."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callVariables")
        self.setColumnCount(2)
        self.setHeaderLabels(["Variable", "Value"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setToolTip(
            "The call's variables and Look up results after the latest answer — bold: changed by it; "
            "grey: not set yet (the declared default)"
        )
        header = self.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # steps.balance.body.…currency
        self._declared: dict[str, str] = {}
        self._shown: dict[str, str] | None = None
        self._show_rows({}, set())

    def set_declared(self, defaults: Mapping[str, str]) -> None:
        """The flow's declared variables and their defaults (shown greyed until the call sets them)."""
        self._declared = {str(k): str(v) for k, v in defaults.items()}
        self._show_rows(self._shown or {}, set())

    def clear_call(self) -> None:
        """A new call (or none): nothing is known yet."""
        self._shown = None
        self._show_rows({}, set())

    def feed(self, event: Mapping[str, Any]) -> None:
        """Take a trace event: a request that reports the call's values updates the view."""
        values = values_of(event)
        if values is not None:
            self.show_values(call_values(values.vars, values.results))

    def show_values(self, values: Mapping[str, str]) -> None:
        """Show ``values`` (name → text, from :func:`call_values`), bold where they differ from before."""
        before = self._shown or {}
        changed = {name for name, value in values.items() if before.get(name) != value}
        self._shown = dict(values)
        self._show_rows(self._shown, changed)

    def values(self) -> dict[str, str]:
        """What the rows say: name → value, the defaults of unset declared variables included."""
        return {self.topLevelItem(i).text(0): self.topLevelItem(i).text(1) for i in range(self._rows)}

    def _show_rows(self, values: Mapping[str, str], changed: set[str]) -> None:
        self.clear()
        grey = QBrush(self.palette().color(QPalette.ColorRole.PlaceholderText))
        rows: list[tuple[str, str, bool]] = [(name, value, True) for name, value in values.items()]
        for name, default in self._declared.items():
            if f"vars.{name}" not in values:
                rows.append((f"vars.{name}", default, False))
        rows.sort(key=lambda r: (not r[0].startswith("vars."), r[0]))
        self._rows = 0
        bold = QFont(self.font())
        bold.setBold(True)
        for name, value, is_set in rows[:MAX_ROWS]:
            item = QTreeWidgetItem([name, _cut(value, 80)])
            item.setToolTip(0, name)
            item.setToolTip(1, value or "(empty)")
            if not is_set:
                item.setForeground(0, grey)
                item.setForeground(1, grey)
                item.setToolTip(0, "not set by the call yet: its declared default")
            elif name in changed:
                item.setFont(0, bold)
                item.setFont(1, bold)
            item.setData(0, Qt.ItemDataRole.UserRole, is_set)
            self.addTopLevelItem(item)
            self._rows += 1
        self._fit_names()
        if not rows:
            note = "no variables yet" if self._shown is None else "the call holds no variables"
            item = QTreeWidgetItem(["", note])
            item.setForeground(1, grey)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addTopLevelItem(item)

    def _fit_names(self) -> None:
        """The name column as wide as its names, but never more than 60 % of the view: values stay read."""
        wanted = self.sizeHintForColumn(0) + 8 if self.topLevelItemCount() else 80
        self.setColumnWidth(0, max(60, min(wanted, int(self.viewport().width() * 0.6))))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_names()
