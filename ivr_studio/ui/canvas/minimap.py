"""The overview in the canvas's corner: every node as a small coloured block, and the visible area.

It draws rectangles from the node items (not a render of the scene), so it stays cheap on large flows.
Clicking or dragging in it moves the view there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ivr_studio.ui.canvas.style import KIND_STYLES

if TYPE_CHECKING:
    from ivr_studio.ui.canvas.view import FlowView


class Minimap(QWidget):
    """Overview of the whole flow; a child widget of the view, kept in its bottom-right corner."""

    def __init__(self, view: FlowView):
        super().__init__(view)
        self.setObjectName("minimap")
        self.view = view
        self.setFixedSize(200, 130)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self.update)

    def schedule_update(self) -> None:
        self._timer.start()

    def _mapping(self) -> tuple[QRectF, float, QPointF]:
        scene = self.view.flow_scene()
        world = scene.nodes_rect().united(self.view.visible_scene_rect())
        world = world.adjusted(-40, -40, 40, 40)
        inner = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        scale = min(inner.width() / max(world.width(), 1), inner.height() / max(world.height(), 1))
        offset = QPointF(
            inner.left() + (inner.width() - world.width() * scale) / 2,
            inner.top() + (inner.height() - world.height() * scale) / 2,
        )
        return world, scale, offset

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        scene = self.view.flow_scene()
        theme = scene.theme
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        bg = QColor(theme.card)
        bg.setAlpha(225)
        painter.setPen(QPen(theme.card_border, 1))
        painter.setBrush(bg)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        world, scale, offset = self._mapping()

        def to_map(r: QRectF) -> QRectF:
            return QRectF(
                offset.x() + (r.left() - world.left()) * scale,
                offset.y() + (r.top() - world.top()) * scale,
                max(r.width() * scale, 2),
                max(r.height() * scale, 2),
            )

        painter.setPen(Qt.PenStyle.NoPen)
        for item in scene.node_items.values():
            painter.setBrush(QColor(KIND_STYLES[item.kind].colour))
            painter.drawRect(to_map(QRectF(item.pos().x(), item.pos().y(), item.width, item.height)))
        painter.setPen(QPen(theme.highlight, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(to_map(self.view.visible_scene_rect()))

    def _centre_at(self, pos: QPointF) -> None:
        world, scale, offset = self._mapping()
        self.view.centerOn(
            QPointF(
                world.left() + (pos.x() - offset.x()) / scale, world.top() + (pos.y() - offset.y()) / scale
            )
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._centre_at(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._centre_at(event.position())
        event.accept()
