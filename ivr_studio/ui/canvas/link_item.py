"""A link on the canvas: a smooth cubic curve from an exit port to a node's input port.

Links sit behind the node cards (negative z), so a curve never covers a card's labels. The link under the
mouse and the links of the selected node are drawn thicker in the highlight colour; during a test call the
path taken is traced in green.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from ivr_studio.ui.canvas import style
from ivr_studio.ui.canvas.style import Theme


# The paths are built from plain numbers: a big flow routes thousands of links, and every QPointF made
# along the way is an object to create.
def loop_path(start: QPointF, end: QPointF, above: float) -> QPainterPath:
    """A link from a node back to itself: out to the right, over the card at ``above``, in from the left."""
    sx, sy, ex, ey = start.x(), start.y(), end.x(), end.y()
    path = QPainterPath(start)
    path.cubicTo(sx + 36, sy, sx + 36, above, sx, above)
    path.lineTo(ex, above)
    path.cubicTo(ex - 36, above, ex - 36, ey, ex, ey)
    return path


def link_path(start: QPointF, end: QPointF) -> QPainterPath:
    """The curve between two ports: leaves to the right, arrives from the left; loops back when needed."""
    sx, sy, ex, ey = start.x(), start.y(), end.x(), end.y()
    path = QPainterPath(start)
    dx = ex - sx
    if dx >= 40:
        bend = max(dx * 0.5, 40.0)
        path.cubicTo(sx + bend, sy, ex - bend, ey, ex, ey)
    else:
        # A back-edge: swing out to the right of the source and in from the left of the target.
        bend = 80.0 + min(abs(dx), 600.0) * 0.25
        lift = 60.0 if ey <= sy else -60.0
        path.cubicTo(sx + bend, sy, ex - bend, ey + (lift if abs(ey - sy) < 40 else 0), ex, ey)
    return path


_ARROW_SIZE = 8.0
_ARROW_LEFT = QPointF(math.cos(-0.45) * _ARROW_SIZE, math.sin(-0.45) * _ARROW_SIZE)
_ARROW_RIGHT = QPointF(math.cos(0.45) * _ARROW_SIZE, math.sin(0.45) * _ARROW_SIZE)


class LinkItem(QGraphicsPathItem):
    """One exit's link. Knows its ends by id; the scene calls :meth:`set_ends` when either end moves."""

    def __init__(self, source_id: str, exit_name: str, exit_kind: str, target_id: str, theme: Theme):
        super().__init__()
        self.source_id, self.exit_name, self.exit_kind, self.target_id = (
            source_id,
            exit_name,
            exit_kind,
            target_id,
        )
        self.theme = theme
        self.hovered = False
        self.emphasised = False  # a link of the selected node
        self.taken = False
        self.setZValue(-1)
        self.setAcceptHoverEvents(True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        # paint() strokes the curve itself. With a pen set, QGraphicsPathItem would size the item by
        # stroking its shape on every change, which is most of the cost of routing thousands of links.
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self._start = QPointF()
        self._end = QPointF()
        self._arrow = QPolygonF()
        self._bounds = QRectF()
        self._hit_area: QPainterPath | None = None  # the stroked curve, made on the first hit test
        self._resting: tuple[QPen, QColor] | None = None  # pen and arrow colour when not highlighted
        self.route: list[tuple[float, float]] | None = None  # corner points when routed round cards

    @property
    def key(self) -> tuple[str, str]:
        return self.source_id, self.exit_name

    def set_ends(self, start: QPointF, end: QPointF, loop_above: float | None = None) -> None:
        """The plain curve between the ports; ``loop_above`` (a scene y) makes it a loop over the cards."""
        path = loop_path(start, end, loop_above) if loop_above is not None else link_path(start, end)
        self.route = None
        self._set_path(start, end, path)

    def set_route(self, points: list[tuple[float, float]], path: QPainterPath) -> None:
        """A path round the cards through ``points`` (from the exit port to the input port), drawn as ``path``."""
        self.route = points
        self._set_path(QPointF(*points[0]), QPointF(*points[-1]), path)

    def _set_path(self, start: QPointF, end: QPointF, path: QPainterPath) -> None:
        self._start, self._end = start, end
        self.prepareGeometryChange()
        self._bounds = path.controlPointRect().adjusted(-8, -8, 8, 8)  # the pen, the arrowhead, the hit area
        self._hit_area = None
        self.setPath(path)
        # Arrowhead at the input port. Every route arrives horizontally from the left (the last control
        # point is level with the port), so the head always points right.
        self._arrow = QPolygonF([end, end - _ARROW_LEFT, end - _ARROW_RIGHT])

    def end_point(self) -> QPointF:
        return self._end

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._resting = None
        self.update()

    def set_emphasised(self, on: bool) -> None:
        if on != self.emphasised:
            self.emphasised = on
            self.setZValue(-0.5 if on else -1)
            self.update()

    def set_taken(self, taken: bool) -> None:
        if taken != self.taken:
            self.taken = taken
            self.update()

    def colour(self) -> QColor:
        if self.taken:
            return QColor(style.ACTIVE_COLOUR)
        if self.hovered or self.isSelected() or self.emphasised:
            return self.theme.highlight
        if self.exit_kind in style.EXIT_COLOURS:
            return style.mix(QColor(style.EXIT_COLOURS[self.exit_kind]), self.theme.background, 0.2)
        return self.theme.link

    def _pen(self, strong: bool) -> QPen:
        pen = QPen(self.colour(), 3.0 if strong else 1.8)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        if self.exit_kind == "no_input" and not strong:
            pen.setStyle(Qt.PenStyle.DashLine)
        return pen

    def shape(self) -> QPainterPath:
        # Qt asks for it for every link whose box holds the mouse; a link into a busy menu has thousands.
        if self._hit_area is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(12)
            self._hit_area = stroker.createStroke(self.path())
        return self._hit_area

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def hoverEnterEvent(self, event) -> None:  # noqa: N802
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802
        self.hovered = False
        self.update()

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        strong = self.hovered or self.isSelected() or self.emphasised or self.taken
        if strong:
            pen, colour = self._pen(strong), self.colour()
        else:  # most links, most of the time: the same pen every paint
            if self._resting is None:
                self._resting = (self._pen(False), self.colour())
            pen, colour = self._resting
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(self._arrow)
