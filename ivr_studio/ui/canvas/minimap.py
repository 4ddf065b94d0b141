"""The overview in the canvas's corner: every node as a small coloured block, and the visible area.

It draws rectangles from the node items (not a render of the scene), so it stays cheap on large flows.
Clicking or dragging in it moves the view there. It keeps out of the way: dragging its grip (the strip
along its top) moves it to another corner of the canvas; View ▸ Overview map hides it (the editor
remembers both); it is see-through until the mouse is over it; it steps aside while a popup of the canvas
(the quick-add box, the rename field) overlaps it; and it keeps off the cards: when cards lie under it in its
corner it moves to the corner with the least of them (the user's corner stays remembered, and it goes back
there once that is clear), and when the selected card or the card a test call is at would be under it
wherever it went, it hides until that is no longer so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ivr_studio.ui.canvas.node_item import NodeItem
from ivr_studio.ui.canvas.style import KIND_STYLES

if TYPE_CHECKING:
    from ivr_studio.ui.canvas.view import FlowView


CORNERS = ("bottom-right", "bottom-left", "top-right", "top-left")
GRIP = 12  # height of the strip along the top that moves the overview
INSET = 22  # distance from the canvas's edges
RESTING_OPACITY = 0.55  # while the mouse is elsewhere
FULL_SIZE = (200, 130)  # on a canvas with room for it
SHARE = (0.22, 0.25)  # at most this share of the canvas's width and height …
SMALLEST = 0.5  # … but never smaller than this share of the full size
STAY = 0.5  # moves from one covered corner to another only if that covers less than this share of the cards


class Minimap(QWidget):
    """Overview of the whole flow; a child widget of the view, kept in one of its corners."""

    cornerChanged = Signal(str)

    def __init__(self, view: FlowView):
        super().__init__(view)
        self.setObjectName("minimap")
        self.view = view
        self.setFixedSize(*FULL_SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMouseTracking(True)
        self.corner = CORNERS[0]  # the user's choice
        self.where = self.corner  # where it is now: the user's corner unless cards are under it there
        self.in_the_way = False  # the selected or active card would be under it in every corner
        self.wanted = True  # the user's choice (View ▸ Overview map); popups hide it for a while only
        self.hovered = False
        self._drag_from: QPoint | None = None
        self._watched: list[QWidget] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(60)
        self._timer.timeout.connect(self._refresh)

    # ------------------------------------------------------------------ where it is, whether it shows
    def set_corner(self, corner: str) -> None:
        """Keep the overview in ``corner`` (one of :data:`CORNERS`; anything else means bottom-right)."""
        corner = corner if corner in CORNERS else CORNERS[0]
        changed = corner != self.corner
        self.corner = self.where = corner
        self.place()
        if changed:
            self.cornerChanged.emit(corner)

    def corner_position(self, corner: str) -> QPoint:
        """Top-left of the overview when it sits in ``corner`` of the canvas's viewport."""
        area = self.view.viewport().geometry()  # in the view's coordinates, without the scroll bars
        x = area.left() + INSET if corner.endswith("left") else area.right() - self.width() - INSET + 1
        y = area.top() + INSET if corner.startswith("top") else area.bottom() - self.height() - INSET + 1
        return QPoint(x, y)

    def fitting_size(self) -> tuple[int, int]:
        """The overview's size for the canvas as it is now: its full size, or smaller on a small canvas (a
        small screen with the Test call panel open), so that it covers little of what the user works on."""
        area = self.view.viewport().size()
        scale = min(1.0, SHARE[0] * area.width() / FULL_SIZE[0], SHARE[1] * area.height() / FULL_SIZE[1])
        scale = max(scale, SMALLEST)
        return round(FULL_SIZE[0] * scale), round(FULL_SIZE[1] * scale)

    def cards_under(self, corner: str) -> tuple[int, float]:
        """What the overview would cover in ``corner``: how many of the cards the user is working with (the
        selected ones, the one a test call is at), and the area of all the cards under it (in pixels)."""
        area = QRect(self.corner_position(corner), self.size()).translated(-self.view.viewport().pos())
        scene_rect = self.view.mapToScene(area).boundingRect()
        scale = self.view.transform().m11()
        working, covered = 0, 0.0
        for item in self.view.scene().items(
            scene_rect, Qt.ItemSelectionMode.IntersectsItemBoundingRect, Qt.SortOrder.AscendingOrder
        ):
            if isinstance(item, NodeItem):
                under = item.sceneBoundingRect().intersected(scene_rect)
                covered += under.width() * under.height() * scale * scale
                working += item.isSelected() or item.active
        return working, covered

    def choose_corner(self) -> tuple[str, bool]:
        """The corner to sit in now, and whether it would still cover a card the user is working with."""
        under = {corner: self.cards_under(corner) for corner in CORNERS}
        if under[self.corner] == (0, 0.0):
            return self.corner, False
        order = [self.corner] + [c for c in CORNERS if c != self.corner]
        best = min(order, key=lambda c: under[c])
        now = self.where
        if best != now and under[best][0] == under[now][0] and under[best][1] > STAY * under[now][1]:
            best = now  # hardly better: do not jump about while the view scrolls
        return best, under[best][0] > 0

    def place(self) -> None:
        size = self.fitting_size()
        if (self.width(), self.height()) != size:
            self.setFixedSize(*size)
        if self._drag_from is None and not self.hovered:  # never away from under the mouse
            self.where, self.in_the_way = self.choose_corner()
        self.move(self.corner_position(self.where))
        self.refresh_visibility()

    def _refresh(self) -> None:
        self.place()
        self.update()

    def set_wanted(self, on: bool) -> None:
        """Show or hide the overview for good (View ▸ Overview map)."""
        self.wanted = on
        self.refresh_visibility()

    def watch(self, popup: QWidget) -> None:
        """Step aside whenever ``popup`` (a sibling over the canvas) is shown over the overview."""
        self._watched.append(popup)
        popup.installEventFilter(self)

    def covered(self) -> bool:
        return any(w.isVisible() and w.geometry().intersects(self.geometry()) for w in self._watched)

    def refresh_visibility(self) -> None:
        self.setVisible(self.wanted and not self.covered() and not self.in_the_way)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.Move, QEvent.Type.Resize):
            self.refresh_visibility()
        return False

    def enterEvent(self, event) -> None:  # noqa: N802
        self.hovered = True
        self.update()

    def leaveEvent(self, event) -> None:  # noqa: N802
        self.hovered = False
        self.schedule_update()  # it may have to step off cards it stayed over while the mouse was on it

    def hideEvent(self, event) -> None:  # noqa: N802
        self.hovered = False  # no leave event follows once hidden
        super().hideEvent(event)

    def schedule_update(self) -> None:
        self._timer.start()

    def _mapping(self) -> tuple[QRectF, float, QPointF]:
        scene = self.view.flow_scene()
        world = scene.nodes_rect().united(self.view.visible_scene_rect())
        world = world.adjusted(-40, -40, 40, 40)
        inner = QRectF(self.rect()).adjusted(4, GRIP, -4, -4)
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
        painter.setOpacity(1.0 if self.hovered or self._drag_from is not None else RESTING_OPACITY)
        bg = QColor(theme.card)
        bg.setAlpha(225)
        painter.setPen(QPen(theme.card_border, 1))
        painter.setBrush(bg)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.muted)
        for k in range(5):  # the grip: a row of dots along the top
            painter.drawEllipse(QPointF(self.width() / 2 - 16 + 8 * k, GRIP / 2 + 1), 1.4, 1.4)
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
        if event.position().y() < GRIP:
            self._drag_from = event.position().toPoint()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        else:
            self._centre_at(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag_from is not None:
            self.move(self.mapToParent(event.position().toPoint()) - self._drag_from)
        elif event.buttons() & Qt.MouseButton.LeftButton:
            self._centre_at(event.position())
        else:
            grip = event.position().y() < GRIP
            self.setCursor(Qt.CursorShape.OpenHandCursor if grip else Qt.CursorShape.PointingHandCursor)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag_from is not None:
            self._drag_from = None
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            centre = self.geometry().center()
            nearest = min(
                CORNERS,
                key=lambda c: (
                    self.corner_position(c) + QPoint(self.width() // 2, self.height() // 2) - centre
                ).manhattanLength(),
            )
            self.set_corner(nearest)
            self.update()
        event.accept()
