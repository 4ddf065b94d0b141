"""The quick-add box: type a few letters of a node kind, press Enter, and the node appears there.

It opens on Tab, on a double-click on empty canvas, and when a link is dropped on empty canvas (then the new
node is linked from that exit). It is a child of the view rather than a top-level popup, so it never outlives
the window.

Matches on a kind's name come before matches on its description (typing "say" lists Say first, not the menu
whose description mentions saying something). Each entry shows the name over its description, wrapped to
the box's width, so nothing is cut off and there is no sideways scrolling.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ivr_studio.flow.kinds import NodeKind, kind_title, spec_of
from ivr_studio.ui.canvas.palette import kind_icon

DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 1
ICON_SIZE = 22
MAX_ROWS = 7


def rank_kinds(query: str) -> list[NodeKind]:
    """The kinds matching ``query`` (every word somewhere in the name or the description), best first.

    Best are kinds whose name (label, verb or id) has a word starting with the query's first word, then
    kinds whose name holds every word, then kinds found only through their description; ties keep the
    palette's order.
    """
    words = query.lower().split()
    ranked: list[tuple[int, int, NodeKind]] = []
    for order, kind in enumerate(NodeKind):
        spec = spec_of(kind)
        if not spec.addable:
            continue
        name = f"{spec.label} {spec.verb} {kind.value}".lower()
        hay = f"{name} {spec.description.lower()}"
        if not all(w in hay for w in words):
            continue
        if not words:
            tier = 0
        elif all(w in name for w in words):
            tier = 0 if any(part.startswith(words[0]) for part in name.split()) else 1
        else:
            tier = 2
        ranked.append((tier, order, kind))
    return [kind for _tier, _order, kind in sorted(ranked)]


class _KindDelegate(QStyledItemDelegate):
    """Draws an entry as the kind's icon, its name in bold and its description underneath."""

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        title = QFont(option.font)
        title.setBold(True)
        return title, QFont(option.font)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        title, body = self._fonts(option)
        height = QFontMetrics(title).height() + QFontMetrics(body).height() + 10
        return QSize(120, max(height, ICON_SIZE + 10))  # as wide as the list: the text is elided to fit

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        style = option.widget.style() if option.widget else None
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget)
        rect = option.rect.adjusted(6, 5, -6, -5)
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        if icon is not None:
            icon.paint(painter, QRect(rect.left(), rect.top() + 2, ICON_SIZE, ICON_SIZE))
        text_rect = rect.adjusted(ICON_SIZE + 8, 0, 0, 0)
        title, body = self._fonts(option)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(role))
        painter.setFont(title)
        title_height = QFontMetrics(title).height()
        painter.drawText(
            QRect(text_rect.left(), text_rect.top(), text_rect.width(), title_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(title).elidedText(
                index.data(Qt.ItemDataRole.DisplayRole), Qt.TextElideMode.ElideRight, text_rect.width()
            ),
        )
        if not selected:
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        painter.setFont(body)
        painter.drawText(
            QRect(text_rect.left(), text_rect.top() + title_height, text_rect.width(), text_rect.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            QFontMetrics(body).elidedText(
                index.data(DESCRIPTION_ROLE), Qt.TextElideMode.ElideRight, text_rect.width()
            ),
        )
        painter.restore()


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
        self.list.setObjectName("quickAddList")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setUniformItemSizes(True)
        self._delegate = _KindDelegate(self.list)
        self.list.setItemDelegate(self._delegate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._accept_current)
        self.list.itemActivated.connect(lambda item: self._choose(item.data(Qt.ItemDataRole.UserRole)))
        self.search.installEventFilter(self)
        self.resize(360, 300)
        self._filter("")
        self.hide()

    def popup(self, at: QPoint) -> None:
        """Show at ``at`` (parent coordinates), cleared and focused, kept inside the parent."""
        self.search.clear()
        self._filter("")
        parent = self.parentWidget()
        self.resize(min(self._natural_width(), max(parent.width() - 8, 200)), self.height())
        x = max(0, min(at.x(), parent.width() - self.width()))
        y = max(0, min(at.y(), parent.height() - self.height()))
        self.move(x, y)
        self.show()
        self.raise_()
        self.search.setFocus()

    def _natural_width(self) -> int:
        """Wide enough for the longest description beside its icon, with room for a scroll bar."""
        metrics = QFontMetrics(self.list.font())
        longest = max(
            metrics.horizontalAdvance(spec_of(k).description.capitalize())
            for k in NodeKind
            if spec_of(k).addable
        )
        scroll_bar = self.list.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return max(320, longest + ICON_SIZE + 8 + 12 + scroll_bar + 24)

    def kinds_shown(self) -> list[str]:
        """The kinds listed, top to bottom (what the user sees)."""
        return [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]

    def _filter(self, text: str) -> None:
        self.list.clear()
        for kind in rank_kinds(text):
            item = QListWidgetItem(kind_icon(kind), kind_title(kind))
            item.setData(Qt.ItemDataRole.UserRole, kind.value)
            item.setData(DESCRIPTION_ROLE, spec_of(kind).description.capitalize())
            item.setToolTip(f"{kind_title(kind)}: {spec_of(kind).description}")
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
            self.list.scrollToTop()
        self._fit_height()

    def _fit_height(self) -> None:
        """As tall as the entries shown (at most :data:`MAX_ROWS` of them), so the box hides little canvas."""
        row = self.list.sizeHintForRow(0) if self.list.count() else 0
        rows = min(max(self.list.count(), 1), MAX_ROWS)
        frame = 2 * self.list.frameWidth()
        margins = self.layout().contentsMargins()
        height = (
            self.search.sizeHint().height()
            + self.layout().spacing()
            + margins.top()
            + margins.bottom()
            + rows * max(row, 30)
            + frame
            + 4
        )
        parent = self.parentWidget()
        if parent is not None:
            height = min(height, parent.height() - 8)
        self.resize(self.width(), height)

    def _accept_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
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
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.list.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                self.list.setCurrentRow((self.list.currentRow() + step) % self.list.count())
                return True
        return super().eventFilter(obj, event)
