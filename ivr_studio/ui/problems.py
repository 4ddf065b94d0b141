"""The Problems panel: the validator's diagnostics, refreshed ~150 ms after the flow last changed.

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

try:
    from ivr_studio.flow.validate import validate_flow
except ImportError:  # the validator is not there yet: the panel says so instead of failing
    validate_flow = None  # type: ignore[assignment]

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

    def __init__(self, document: FlowDocument, validator: Validator | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("problemsPanel")
        self.document = document
        self.validator = validator if validator is not None else validate_flow
        self.diagnostics: list[Diagnostic] = []
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
        self.refresh()

    def _on_event(self, _event: FlowEvent) -> None:
        self.timer.start()  # restarts: validation runs once the edits pause

    def refresh(self) -> None:
        """Validate now and show the result."""
        self.timer.stop()
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
        for d in self.diagnostics:
            node = flow.nodes.get(d.node_id) if d.node_id else None
            text = d.message + (f" — {d.fix}" if d.fix else "")
            item = QTreeWidgetItem(self.tree, [text, node.title if node else "", d.code])
            item.setIcon(0, severity_icon(str(d.severity)))
            item.setToolTip(0, text)
            item.setData(0, Qt.ItemDataRole.UserRole, d.node_id or "")
        self.diagnosticsChanged.emit(self.diagnostics)

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        node_id = item.data(0, Qt.ItemDataRole.UserRole)
        if node_id:
            self.nodeActivated.emit(node_id)

    def title(self) -> str:
        return f"Problems ({len(self.diagnostics)})" if self.diagnostics else "Problems"
