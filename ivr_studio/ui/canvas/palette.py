"""The node palette: every node kind, dragged onto the canvas to add one (or double-clicked)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem

from ivr_studio.flow.kinds import NodeKind, kind_title, spec_of
from ivr_studio.ui.canvas.style import KIND_STYLES, contrast_text

MIME_KIND = "application/x-ivr-studio-node-kind"


def kind_icon(kind: NodeKind, size: int = 22) -> QIcon:
    """A rounded square in the kind's colour with its glyph (drawn at 2x for HiDPI screens)."""
    pix = QPixmap(size * 2, size * 2)
    pix.setDevicePixelRatio(2.0)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(KIND_STYLES[kind].colour)
    painter.setBrush(colour)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(1, 1, size - 2, size - 2, 5, 5)
    painter.setPen(contrast_text(colour))
    painter.drawText(
        pix.rect().adjusted(0, 0, -size, -size), Qt.AlignmentFlag.AlignCenter, KIND_STYLES[kind].icon
    )
    painter.end()
    return QIcon(pix)


class NodePalette(QListWidget):
    """Lists node kinds; dragging one carries its kind to the canvas, double-clicking asks to add it."""

    addRequested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("nodePalette")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for kind in NodeKind:
            if not spec_of(kind).addable:
                continue
            item = QListWidgetItem(kind_icon(kind), kind_title(kind))
            item.setToolTip(
                f"{kind_title(kind)}: {spec_of(kind).description}. Drag onto the canvas, or double-click."
            )
            item.setData(Qt.ItemDataRole.UserRole, kind.value)
            self.addItem(item)
        self.itemDoubleClicked.connect(
            lambda item: self.addRequested.emit(item.data(Qt.ItemDataRole.UserRole))
        )

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:  # noqa: N802
        mime = QMimeData()
        if items:
            mime.setData(MIME_KIND, items[0].data(Qt.ItemDataRole.UserRole).encode())
        return mime

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_KIND]
