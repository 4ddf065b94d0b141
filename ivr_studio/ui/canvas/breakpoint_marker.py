"""Breakpoints on the canvas: a red dot in a card's left margin, like a code editor's gutter.

A click in a card's left margin (the strip along its left edge, below the header) toggles the node's
breakpoint; the scene turns that into :attr:`FlowScene.breakpointToggled`. A marker is a small child item of
the card, made only for nodes that have a breakpoint, so cards without one cost nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ivr_studio.ui.canvas.style import METRICS

BREAKPOINT_COLOUR = "#d64545"
RADIUS = 6.0
#: The margin a click toggles a breakpoint in, in card coordinates: left of the text, below the header.
MARGIN_LEFT, MARGIN_RIGHT = -9.0, 6.0


def marker_centre() -> QPointF:
    """Where a marker sits on its card (card coordinates): the left edge, just below the header."""
    return QPointF(0.0, METRICS.header + 12.0)


#: The dot's centre relative to :func:`marker_centre`, in screen pixels: mostly outside the card's edge,
#: so it covers no text at any zoom.
DOT_OFFSET = QPointF(-RADIUS + 2.0, 0.0)


def in_margin(card: QGraphicsItem, scene_pos: QPointF, height: float) -> bool:
    """Whether ``scene_pos`` is in ``card``'s breakpoint margin (``height`` is the card's)."""
    p = card.mapFromScene(scene_pos)
    return MARGIN_LEFT <= p.x() <= MARGIN_RIGHT and METRICS.header + 2 <= p.y() <= height


class BreakpointMarker(QGraphicsItem):
    """The red dot of a node's breakpoint; a child of the node's card."""

    def __init__(self, card: QGraphicsItem) -> None:
        super().__init__(card)
        self.setPos(marker_centre())
        # the same size on screen at any zoom: a dot that shrinks with the cards would vanish in an overview
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(2)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # the scene handles clicks in the margin
        self.setToolTip("Breakpoint: a test call pauses when it reaches this node (click to remove, or F9)")

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        r = RADIUS + 1.5
        return QRectF(DOT_OFFSET.x() - r, DOT_OFFSET.y() - r, 2 * r, 2 * r)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#ffffff"), 1.5))
        painter.setBrush(QColor(BREAKPOINT_COLOUR))
        painter.drawEllipse(DOT_OFFSET, RADIUS, RADIUS)
