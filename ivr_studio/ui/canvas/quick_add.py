"""The quick-add box: type a few letters of a node kind, press Enter, and the node appears there.

It opens on Tab, on a double-click on empty canvas, and when a link is dropped on empty canvas (then the new
node is linked from that exit). It is a child of the view rather than a top-level popup, so it never outlives
the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ivr_studio.flow.kinds import NodeKind, kind_title, spec_of
from ivr_studio.ui.canvas.style import KIND_STYLES


class QuickAddBox(QFrame):
    """A search field over a list of node kinds; emits :attr:`chosen` with the kind picked."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("quickAddBox")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Add a node: type to search…")
        self.list = QListWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        for kind in NodeKind:
            item = QListWidgetItem(
                f"{KIND_STYLES[kind].icon}  {kind_title(kind)} — {spec_of(kind).description}"
            )
            item.setData(Qt.ItemDataRole.UserRole, kind.value)
            self.list.addItem(item)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._accept_current)
        self.list.itemActivated.connect(lambda item: self._choose(item.data(Qt.ItemDataRole.UserRole)))
        self.search.installEventFilter(self)
        self.resize(340, 250)
        self.hide()

    def popup(self, at: QPoint) -> None:
        """Show at ``at`` (parent coordinates), cleared and focused."""
        self.search.clear()
        self._filter("")
        parent = self.parentWidget()
        x = max(0, min(at.x(), parent.width() - self.width()))
        y = max(0, min(at.y(), parent.height() - self.height()))
        self.move(x, y)
        self.show()
        self.raise_()
        self.search.setFocus()

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hay = item.text().lower() + " " + item.data(Qt.ItemDataRole.UserRole)
            visible = all(w in hay for w in words)
            item.setHidden(not visible)
            if visible and first is None:
                first = item
        self.list.setCurrentItem(first)

    def _accept_current(self) -> None:
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            self._choose(item.data(Qt.ItemDataRole.UserRole))

    def _choose(self, kind: str) -> None:
        self.hide()
        self.chosen.emit(kind)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Escape:
                self.hide()
                self.parentWidget().setFocus()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = self.list.currentRow()
                for _ in range(self.list.count()):
                    row = (row + step) % self.list.count()
                    if not self.list.item(row).isHidden():
                        self.list.setCurrentRow(row)
                        break
                return True
        return super().eventFilter(obj, event)
