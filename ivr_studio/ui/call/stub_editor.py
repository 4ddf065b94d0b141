"""The test-call panel's back-end: stub answers for the flow's Look ups, or real requests.

Each row answers requests of a method (or any) whose URL matches a pattern (a glob such as
``https://api.example.com/balance*``, or ``/regex/``) with a status and a JSON (or plain text) answer,
after a delay — or fails them (a timeout, a refused connection). The first row that matches answers.
"Let other requests go out" decides what happens to a request no row matches: made for real, or failed.
"Stub each Look up" adds a row for every Look up of the flow, its URL template turned into a pattern.

The rows are checked with the very parser scenario files go through (``backend.parse_stubs``), so what
the panel accepts is what a saved test replays; a bad row is named under the table and the call waits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ivr_studio.files import StructuredDataError, load_json
from ivr_studio.ui.canvas.style import ERROR_COLOUR
from ivr_studio.ui.wheel_guard import ComboBox

METHODS = ("*", "GET", "POST", "PUT", "PATCH", "DELETE")
#: As many rows as a scenario's ``backend:`` takes (``backend.MAX_STUB_RULES``; the handler's code, with
#: flask, is loaded with the first call, not with the editor's first frame).
MAX_STUB_RULES = 500
FAILURES = {"answer": None, "time out": "timeout", "refuse": "connection"}
COLUMNS = ("Method", "URL pattern", "Status", "Answer (JSON or text)", "Delay s", "Then")
#: The longest text a cell keeps (a URL pattern: 2,000; an answer: what a stub may answer).
CELL_LIMIT = 256 * 1024
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
#: How deep a stub's JSON answer may nest (a back-end's answer is a few levels; a saved test is YAML).
MAX_DEPTH = 32


def _depth(value: Any) -> int:
    """How deep ``value`` nests, counting no further than MAX_DEPTH + 1."""
    deepest, todo = 0, [(value, 0)]
    while todo:
        item, depth = todo.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(item, dict):
            todo.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, depth + 1) for v in item)
    return deepest


def _cut(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pattern_for(url_template: str, has_query: bool) -> str:
    """A glob matching the URLs a Look up's URL template makes: each template part becomes ``*``; with
    query templates the URL gets a query string, so the pattern ends in ``*``."""
    pattern = _TEMPLATE.sub("*", url_template.strip())
    pattern = re.sub(r"\*+", "*", pattern)
    if has_query and not pattern.endswith("*"):
        pattern += "*"
    return pattern


class StubError(ValueError):
    """A stub row that cannot be used; the message names the row (from 1) and the field."""


class StubEditor(QWidget):
    """Edits the stub rows; :meth:`stubs` gives them in their file form, or raises StubError."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, flow: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("stubEditor")
        self.flow = flow  # the flow whose Look ups "Stub each Look up" reads (set by the panel)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("stubTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMinimumHeight(self.fontMetrics().height() * 4 + 12)
        header = self.table.horizontalHeader()
        for column, mode in enumerate(
            (
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.ResizeToContents,
            )
        ):
            header.setSectionResizeMode(column, mode)
        self.table.itemChanged.connect(lambda _item: self._edited())
        self.go_out = QCheckBox("Let other requests go out", self)
        self.go_out.setObjectName("requestsGoOut")
        self.go_out.setChecked(True)
        self.go_out.setToolTip(
            "On: a Look up request no row answers is made for real. Off: it fails, as if the back-end "
            "could not be reached"
        )
        self.go_out.toggled.connect(lambda _on: self.changed.emit())
        self.add_button = self._button("+ Stub", "addStub", "Add a stub answer", self.add_row)
        self.remove_button = self._button("−", "removeStub", "Remove the selected stub", self.remove_row)
        self.up_button = self._button("↑", "stubUp", "Try the selected stub earlier", lambda: self.move(-1))
        self.down_button = self._button("↓", "stubDown", "Try the selected stub later", lambda: self.move(1))
        self.from_flow = self._button(
            "Stub each Look up", "stubLookups", "Add a stub for every Look up of the flow", self.stub_lookups
        )
        self.message = QLabel(self)
        self.message.setObjectName("stubProblem")
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.message.setWordWrap(True)
        self.message.hide()

        buttons = QHBoxLayout()
        buttons.setSpacing(2)
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button, self.from_flow):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.go_out)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

    def _button(self, text: str, name: str, tip: str, slot: Any) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # ----- rows -----
    def add_row(self, stub: Mapping[str, Any] | None = None) -> int:
        """Append a row (blank: any method, status 200, ``{}``); returns its index."""
        stub = dict(stub or {})
        if self.table.rowCount() >= MAX_STUB_RULES:
            self.show_problem(f"At most {MAX_STUB_RULES} stubs")
            return self.table.rowCount() - 1
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        method = ComboBox(self.table)
        method.addItems(list(METHODS))
        method.setCurrentText(str(stub.get("method", "*")).upper())
        method.currentIndexChanged.connect(lambda _i: self._edited())
        self.table.setCellWidget(row, 0, method)
        self.table.setItem(row, 1, QTableWidgetItem(str(stub.get("url", ""))))
        self.table.setItem(row, 2, QTableWidgetItem(str(stub.get("status", 200))))
        if "text" in stub:
            answer = str(stub["text"])
        else:
            answer = json.dumps(stub.get("json", {}), ensure_ascii=False)
        self.table.setItem(row, 3, QTableWidgetItem(answer))
        self.table.setItem(row, 4, QTableWidgetItem(str(stub.get("delay", 0))))
        then = ComboBox(self.table)
        then.addItems(list(FAILURES))
        then.setCurrentText(next((k for k, v in FAILURES.items() if v == stub.get("fail")), "answer"))
        then.setToolTip("Answer with the status and body, or fail: time out, or refuse the connection")
        then.currentIndexChanged.connect(lambda _i: self._edited())
        self.table.setCellWidget(row, 5, then)
        self.table.blockSignals(False)
        self.table.selectRow(row)
        self._edited()
        return row

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._edited()

    def move(self, step: int) -> None:
        """Move the selected row up (-1) or down (+1): the first matching row answers."""
        row = self.table.currentRow()
        other = row + step
        if row < 0 or not 0 <= other < self.table.rowCount():
            return
        rows = [self._row_form(r) for r in range(self.table.rowCount())]
        rows[row], rows[other] = rows[other], rows[row]
        self.set_stubs(rows, self.go_out.isChecked())
        self.table.selectRow(other)

    def set_stubs(self, stubs: list[Mapping[str, Any]], requests_go_out: bool = True) -> None:
        """Show ``stubs`` (their file form) in place of the rows there are."""
        self.table.setRowCount(0)
        for stub in stubs[:MAX_STUB_RULES]:
            self.add_row(stub)
        self.go_out.setChecked(requests_go_out)
        self._edited()

    def stub_lookups(self) -> int:
        """Add a row for every Look up of the flow not yet matched by a row; returns how many were added."""
        from ivr_studio.flow.logic import LookupConfig

        if self.flow is None:
            return 0
        have = {self._cell(r, 1) for r in range(self.table.rowCount())}
        added = 0
        for node in self.flow:
            config = node.config
            if not isinstance(config, LookupConfig):
                continue
            pattern = pattern_for(config.url, bool(config.query))
            if pattern and pattern not in have:
                self.add_row({"method": config.method, "url": pattern, "status": 200, "json": {}})
                have.add(pattern)
                added += 1
        return added

    # ----- reading -----
    def _cell(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text()[:CELL_LIMIT] if item is not None else ""

    def _row_form(self, row: int) -> dict[str, Any]:
        """A row in the file form, as written (unchecked: :meth:`stubs` checks)."""
        method = self.table.cellWidget(row, 0)
        then = self.table.cellWidget(row, 5)
        out: dict[str, Any] = {"url": self._cell(row, 1).strip()}
        if method is not None and method.currentText() != "*":
            out["method"] = method.currentText()
        status = self._cell(row, 2).strip()
        out["status"] = int(status) if re.fullmatch(r"-?\d{1,6}", status) else status
        answer = self._cell(row, 3)
        stripped = answer.strip()
        if stripped[:1] in ("{", "[", '"') or stripped in ("", "true", "false", "null"):
            try:
                value = load_json(stripped, "answer") if stripped else {}
            except StructuredDataError as exc:
                out["json"] = _BadJson(exc.problem)
            else:
                out["json"] = value if _depth(value) <= MAX_DEPTH else _BadJson("it is nested too deeply")
        else:
            out["text"] = answer
        delay = self._cell(row, 4).strip() or "0"
        try:
            out["delay"] = float(delay)
        except ValueError:
            out["delay"] = delay
        if not out["delay"]:
            del out["delay"]
        fail = FAILURES.get(then.currentText()) if then is not None else None
        if fail:
            out["fail"] = fail
        return out

    def stubs(self) -> list[dict[str, Any]]:
        """The rows in their file form, checked as a scenario's ``backend:`` is; raises StubError naming
        the row (from 1) and the field."""
        rows = []
        for row in range(self.table.rowCount()):
            form = self._row_form(row)
            where = f"Stub {row + 1}"
            if isinstance(form.get("json"), _BadJson):
                raise StubError(f"{where}: the answer is not JSON ({_cut(form['json'].why, 60)})")
            if isinstance(form.get("status"), str):
                raise StubError(f"{where}: status: {_cut(form['status'])!r} is not an HTTP status (100–599)")
            if isinstance(form.get("delay"), str):
                raise StubError(f"{where}: delay: {_cut(form['delay'])!r} is not a number of seconds")
            rows.append(form)
        from ivr_studio.bundle.handler.backend import StubError as ParseError
        from ivr_studio.bundle.handler.backend import parse_stubs

        try:
            parse_stubs(rows, "stubs")
        except ParseError as exc:
            raise StubError(_readable(str(exc))) from None
        return rows

    def problem(self) -> str | None:
        """Why the rows cannot be used, or None."""
        try:
            self.stubs()
        except StubError as exc:
            return str(exc)
        return None

    def show_problem(self, text: str | None) -> None:
        self.message.setText(text or "")
        self.message.setVisible(bool(text))

    def _edited(self) -> None:
        self.show_problem(self.problem())
        self.changed.emit()


class _BadJson(str):
    """An answer that looks like JSON but does not parse (kept apart so the message can say so)."""

    def __new__(cls, why: str) -> _BadJson:
        made = super().__new__(cls, why)
        made.why = why  # type: ignore[attr-defined]
        return made

    why: str


def _readable(message: str) -> str:
    """``stubs[1].status: …`` (the parser's words) as ``Stub 2: status: …``."""
    found = re.match(r"stubs\[(\d+)\](?:\.(\w+))?:?\s*(.*)", message, re.S)
    if not found:
        return _cut(message, 200)
    index, field_name, rest = found.groups()
    label = f"Stub {int(index) + 1}: " + (f"{field_name}: " if field_name else "")
    return _cut(label + rest, 200)
