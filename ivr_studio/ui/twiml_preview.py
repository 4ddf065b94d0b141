"""The TwiML preview: the document the selected node exports to, read-only and syntax-highlighted."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRegularExpression, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from ivr_studio.flow.events import FlowEvent
from ivr_studio.ui.canvas.style import is_dark
from ivr_studio.ui.document import FlowDocument


class XmlHighlighter(QSyntaxHighlighter):
    """Colours tags, attribute names, attribute values and comments."""

    def __init__(self, document: QTextDocument):
        super().__init__(document)
        dark = is_dark()

        def fmt(light: str, darkc: str, bold: bool = False) -> QTextCharFormat:
            f = QTextCharFormat()
            f.setForeground(QColor(darkc if dark else light))
            if bold:
                f.setFontWeight(QFont.Weight.Bold)
            return f

        self.rules = [
            (QRegularExpression(r"</?[A-Za-z][\w.-]*|/?>"), fmt("#1f4fbf", "#7fa6ff", True)),
            (QRegularExpression(r"\b[A-Za-z_:][\w.:-]*(?==)"), fmt("#8a3fa0", "#d59cf0")),
            (QRegularExpression(r'"[^"]*"'), fmt("#2f7d32", "#8fd694")),
            (QRegularExpression(r"<\?.*\?>"), fmt("#777777", "#999999")),
            (QRegularExpression(r"<!--.*-->"), fmt("#888888", "#888888")),
        ]

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt API)
        for pattern, f in self.rules:
            it = pattern.globalMatch(text)
            while it.hasNext():
                m = it.next()
                self.setFormat(m.capturedStart(), m.capturedLength(), f)


class TwimlPreview(QWidget):
    """Shows the TwiML of one node; follows the selection and (debounced) the flow's changes."""

    def __init__(self, document: FlowDocument, render: Callable[..., bytes] | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("twimlPreview")
        self.document = document
        self.render = render  # None: the exporter's node_document, imported when a node is first shown
        self.node_id: str | None = None
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        # Long lines (a prompt's text, hints) wrap at the panel's width instead of scrolling sideways;
        # a long word or URL breaks anywhere rather than overflowing.
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = XmlHighlighter(self.text.document())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(120)
        self.timer.timeout.connect(self.refresh)
        document.flow_events.connect(self._on_event)
        document.flowReplaced.connect(self._flow_replaced)
        self._flow_replaced()

    def _flow_replaced(self) -> None:
        self.show_node(None)

    def _on_event(self, _event: FlowEvent) -> None:
        if self.node_id is not None:
            self.timer.start()

    def show_node(self, node_id: str | None) -> None:
        self.node_id = node_id
        self.refresh()

    def refresh(self) -> None:
        flow = self.document.flow
        if self.node_id is None or self.node_id not in flow.nodes:
            self.text.setPlainText("Select a node to see the TwiML it exports to.")
            return
        if self.render is None:
            try:
                from ivr_studio.bundle.export import node_document
            except ImportError:  # the exporter is not in this build
                node_document = None  # type: ignore[assignment]
            self.render = node_document
        if self.render is None:
            self.text.setPlainText("The exporter is not available in this build.")
            return
        try:
            body = self.render(flow, self.node_id)
        except Exception as exc:  # show why instead of a stale document
            self.text.setPlainText(f"<!-- This node cannot be exported yet: {exc} -->")
            return
        self.text.setPlainText(body.decode("utf-8") if isinstance(body, bytes) else str(body))
