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
from ivr_studio.ui.canvas.curves import Segment, link_segments, loop_segments, segments_box, visible_segments
from ivr_studio.ui.canvas.style import Theme


def path_of(runs: list[list[Segment]]) -> QPainterPath:
    """A path through runs of segments (:mod:`ivr_studio.ui.canvas.curves`), each run one unbroken piece.
    Built from plain numbers: a big flow shapes thousands of links, and every QPointF is an object to make."""
    path = QPainterPath()
    for run in runs:
        path.moveTo(run[0][1], run[0][2])
        for seg in run:
            if seg[0] == "C":
                path.cubicTo(seg[3], seg[4], seg[5], seg[6], seg[7], seg[8])
            else:
                path.lineTo(seg[3], seg[4])
    return path


def loop_path(start: QPointF, end: QPointF, above: float) -> QPainterPath:
    """A link from a node back to itself: out to the right, over the card at ``above``, in from the left."""
    return path_of([loop_segments(start.x(), start.y(), end.x(), end.y(), above)])


def link_path(start: QPointF, end: QPointF) -> QPainterPath:
    """The curve between two ports: leaves to the right, arrives from the left; loops back when needed."""
    return path_of([link_segments(start.x(), start.y(), end.x(), end.y())])


_ARROW_SIZE = 8.0
_ARROW_LEFT = QPointF(math.cos(-0.45) * _ARROW_SIZE, math.sin(-0.45) * _ARROW_SIZE)
_ARROW_RIGHT = QPointF(math.cos(0.45) * _ARROW_SIZE, math.sin(0.45) * _ARROW_SIZE)


_SOLID = Qt.PenStyle.SolidLine
_NO_PEN_STYLE = Qt.PenStyle.NoPen
_NO_BRUSH = Qt.BrushStyle.NoBrush
_ANTIALIASING = QPainter.RenderHint.Antialiasing
_SELECTABLE = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
# What a link has before it is first shaped (shared: each is replaced, never changed in place).
_NO_PATH = QPainterPath()
_NOWHERE = QPointF()
_NO_BOUNDS = QRectF()
#: theme id → (the theme, exit kind → resting pen and arrow colour); see LinkItem._resting_look.
_RESTING_LOOKS: dict[int, tuple[Theme, dict[str, tuple[QPen, QColor]]]] = {}


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
        self.setFlag(_SELECTABLE)
        # The path lives here, not in QGraphicsPathItem (whose setPath would size the item by stroking it);
        # paint(), shape() and boundingRect() are this class's own. A plain curve's path is made from its
        # segments only when first asked for: a big flow shows thousands of links it does not paint yet.
        self._path: QPainterPath | None = _NO_PATH
        self._segments: list[Segment] | None = None  # the plain curve's segments (not when routed)
        self._box = (0.0, 0.0, 0.0, 0.0)  # the plain curve's (left, top, right, bottom)
        self._start = self._end = _NOWHERE
        self._arrow: QPolygonF | None = None  # made on the first paint
        self._bounds = _NO_BOUNDS
        self._hit_area: QPainterPath | None = None  # the stroked curve, made on the first hit test
        self._resting: tuple[QPen, QColor] | None = None  # pen and arrow colour when not highlighted
        self.route: list[tuple[float, float]] | None = None  # corner points when routed round cards
        self._seen: tuple[tuple[float, float, float, float], QPainterPath] | None = None  # see paint()

    @property
    def key(self) -> tuple[str, str]:
        return self.source_id, self.exit_name

    def path(self) -> QPainterPath:
        """The link's path (a plain curve's is made here, the first time it is needed)."""
        if self._path is None:
            self._path = path_of([self._segments])
        return self._path

    def set_ends(self, start: QPointF, end: QPointF, loop_above: float | None = None) -> None:
        """The plain curve between the ports; ``loop_above`` (a scene y) makes it a loop over the cards."""
        sx, sy, ex, ey = start.x(), start.y(), end.x(), end.y()
        if loop_above is not None:
            segments = loop_segments(sx, sy, ex, ey, loop_above)
        else:
            segments = link_segments(sx, sy, ex, ey)
        self.route = None
        self._segments = segments
        left, top, right, bottom = self._box = segments_box(segments)
        self._set_path(start, end, None, QRectF(left, top, right - left, bottom - top))

    def set_route(self, points: list[tuple[float, float]], path: QPainterPath) -> None:
        """A path round the cards through ``points`` (from the exit port to the input port), drawn as ``path``."""
        self.route = points
        self._segments = None
        self._set_path(QPointF(*points[0]), QPointF(*points[-1]), path, path.controlPointRect())

    def _set_path(self, start: QPointF, end: QPointF, path: QPainterPath | None, box: QRectF) -> None:
        self._start, self._end = start, end
        self.prepareGeometryChange()
        self._bounds = box.adjusted(-8, -8, 8, 8)  # the pen, the arrowhead, the hit area
        self._path = path
        self._hit_area = None
        self._seen = None
        self._arrow = None
        self.update()

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

    def _resting_look(self) -> tuple[QPen, QColor]:
        """The pen and arrow colour of a link that is not highlighted: the same for every link of one exit
        kind in one theme, so made once for all of them (a big flow paints thousands on its first frame)."""
        looks = _RESTING_LOOKS.get(id(self.theme))
        if looks is None or looks[0] is not self.theme:
            if len(_RESTING_LOOKS) > 8:  # themes of palettes no longer shown
                _RESTING_LOOKS.clear()
            looks = _RESTING_LOOKS[id(self.theme)] = (self.theme, {})
        look = looks[1].get(self.exit_kind)
        if look is None:
            look = looks[1][self.exit_kind] = (self._pen(False), self.colour())
        return look

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
        painter.setRenderHint(_ANTIALIASING)
        strong = self.hovered or self.isSelected() or self.emphasised or self.taken
        if strong:
            pen, colour = self._pen(strong), self.colour()
        else:  # most links, most of the time: the same pen every paint
            if self._resting is None:
                self._resting = self._resting_look()
            pen, colour = self._resting
        painter.setPen(pen)
        painter.setBrush(_NO_BRUSH)
        # a dash pattern starts where the path does: a dashed link is drawn whole, so its dashes stay put
        painter.drawPath(self._visible_path(painter) if pen.style() == _SOLID else self.path())
        painter.setPen(_NO_PEN_STYLE)
        painter.setBrush(colour)
        if self._arrow is None:
            # At the input port. Every route arrives horizontally from the left (the last control point is
            # level with the port), so the head always points right.
            end = self._end
            self._arrow = QPolygonF([end, end - _ARROW_LEFT, end - _ARROW_RIGHT])
        painter.drawPolygon(self._arrow)

    def _visible_path(self, painter: QPainter) -> QPainterPath:
        """The path, or when the plain curve reaches out of what the painter can show, the part of it that
        can be seen (see :mod:`ivr_studio.ui.canvas.curves`; routed paths stay short and are drawn whole)."""
        if self._segments is None:
            return self.path()
        seen = _seen_by(painter)
        box = self._box
        if seen is None or (
            box[0] >= seen[0] and box[1] >= seen[1] and box[2] <= seen[2] and box[3] <= seen[3]
        ):
            return self.path()
        if self._seen is None or self._seen[0] != seen:
            self._seen = seen, path_of(visible_segments(self._segments, *seen))
        return self._seen[1]


#: The last painter's transform and viewport, and the scene rectangle they show (see _seen_by).
_LAST_SEEN: list = [None, None, None]


def _seen_by(painter: QPainter) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom) of what ``painter`` can show, in the coordinates it is given (a link's are
    the scene's), or None when that cannot be told. Worked out once per frame, not once per link."""
    transform, viewport = painter.worldTransform(), painter.viewport()
    if transform != _LAST_SEEN[0] or viewport != _LAST_SEEN[1]:
        inverse, invertible = transform.inverted()
        seen = inverse.mapRect(QRectF(viewport)).getCoords() if invertible else None
        _LAST_SEEN[:] = [transform, viewport, seen]
    return _LAST_SEEN[2]
