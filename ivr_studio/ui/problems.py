"""The Problems panel: the validator's diagnostics, refreshed ~150 ms after the flow last changed.

A flow that was just opened is checked the same way, a moment after it is shown: the validator (and the
graph library behind it) is loaded then, not before the window's first frame. Until the check has run the
panel reports that it is checking (:attr:`ProblemsPanel.checking`), never the previous flow's problems.

Clicking a problem selects and centres its node (the main window connects :attr:`ProblemsPanel.nodeActivated`).
The same diagnostics go to the canvas as badges and to the status bar as a summary.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ivr_studio.flow.events import FlowEvent
from ivr_studio.twiml.diagnostics import Diagnostic
from ivr_studio.ui.canvas.style import ERROR_COLOUR, WARNING_COLOUR
from ivr_studio.ui.document import FlowDocument

Validator = Callable[..., list[Diagnostic]]
DEBOUNCE_MS = 150


def severity_icon(severity: str) -> QIcon:
    colour = {"error": ERROR_COLOUR, "warning": WARNING_COLOUR}.get(severity, "#5b8def")
    pix = QPixmap(28, 28)
    pix.setDevicePixelRatio(2.0)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(2, 2, 10, 10)
    painter.end()
    return QIcon(pix)


def summary(diagnostics: list[Diagnostic]) -> str:
    """ "No problems", or "2 errors, 1 warning"."""
    errors = sum(1 for d in diagnostics if str(d.severity) == "error")
    warnings = sum(1 for d in diagnostics if str(d.severity) == "warning")
    if not errors and not warnings:
        return "No problems"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


class ProblemsPanel(QWidget):
    """Lists diagnostics; re-validates (debounced) whenever the document's flow changes."""

    nodeActivated = Signal(str)
    diagnosticsChanged = Signal(list)

    def __init__(
        self, document: FlowDocument, validator: Validator | None = None, parent=None, *, wait: bool = False
    ):
        """``wait``: check nothing until :meth:`resume` (the main window resumes it after its first frame)."""
        super().__init__(parent)
        self._waiting = wait
        self.setObjectName("problemsPanel")
        self.document = document
        self.validator = validator
        self.diagnostics: list[Diagnostic] = []
        self.checking = False  # a flow was opened and has not been checked yet
        self._icons: dict[str, QIcon] = {}  # one icon per severity, shared by the rows
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Problem", "Node", "Code"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        # The message takes whatever width the node and code columns leave; they are as wide as their text.
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.refresh)
        document.flow_events.connect(self._on_event)
        document.flowReplaced.connect(self._flow_replaced)
        self._flow_replaced()

    def _flow_replaced(self) -> None:
        """Another flow is open: drop the old one's problems and check the new one shortly."""
        self.checking = True
        self.diagnostics = []
        self.tree.clear()
        self.diagnosticsChanged.emit([])
        if not self._waiting:
            self.timer.start()

    def resume(self) -> None:
        """Start checking (a flow opened while waiting is checked at once)."""
        self._waiting = False
        if self.checking:
            self.timer.start(0)

    def _on_event(self, _event: FlowEvent) -> None:
        if not self._waiting:
            self.timer.start(DEBOUNCE_MS)  # restarts: validation runs once the edits pause

    def refresh(self) -> None:
        """Validate now and show the result."""
        self.timer.stop()
        self.checking = False
        if self.validator is None:
            try:
                from ivr_studio.flow.validate import validate_flow
            except ImportError:  # the validator is not in this build: the panel says so instead of failing
                validate_flow = None  # type: ignore[assignment]
            self.validator = validate_flow
        if self.validator is None:
            self.diagnostics = []
            self.tree.clear()
            QTreeWidgetItem(self.tree, ["The validator is not available in this build.", "", ""])
            self.diagnosticsChanged.emit([])
            return
        try:
            self.diagnostics = list(self.validator(self.document.flow))
        except Exception as exc:  # a validator bug must not take the editor down; show it as a problem
            self.diagnostics = []
            self.tree.clear()
            QTreeWidgetItem(self.tree, [f"Validation failed: {exc}", "", ""])
            self.diagnosticsChanged.emit([])
            return
        order = {"error": 0, "warning": 1, "info": 2}
        self.diagnostics.sort(key=lambda d: order.get(str(d.severity), 3))
        self.tree.clear()
        flow = self.document.flow
        rows = []
        for d in self.diagnostics:
            node = flow.nodes.get(d.node_id) if d.node_id else None
            text = d.message + (f" — {d.fix}" if d.fix else "")
            item = QTreeWidgetItem([text, node.title if node else "", d.code])
            item.setIcon(0, self._icon(str(d.severity)))
            item.setToolTip(0, text)
            item.setData(0, Qt.ItemDataRole.UserRole, d.node_id or "")
            rows.append(item)
        self.tree.addTopLevelItems(rows)  # one insertion, not one layout pass per row
        self.diagnosticsChanged.emit(self.diagnostics)

    def _icon(self, severity: str) -> QIcon:
        icon = self._icons.get(severity)
        if icon is None:
            icon = self._icons[severity] = severity_icon(severity)
        return icon

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        node_id = item.data(0, Qt.ItemDataRole.UserRole)
        if node_id:
            self.nodeActivated.emit(node_id)

    def title(self) -> str:
        """The dock's tab: "Problems (n)" counting errors and warnings, as the status bar does; notes (info,
        such as "the call ends after …") are listed but not counted, so a sound flow reads "Problems"."""
        count = sum(1 for d in self.diagnostics if str(d.severity) in ("error", "warning"))
        return f"Problems ({count})" if count else "Problems"
