"""The badges of a mapped node's flags (:mod:`ivr_studio.flow.map_flags`): a pill above the card's top
right corner per flag — ``⚠ error`` in red, ``dead end`` in amber, ``not explored`` in slate — each
with its word, so the badge reads without its colour. The card (:class:`~.node_item.NodeItem`) paints them
in its own coordinates, so they scale with the card and stay legible down to the zoom where the card's
text does; the card's tooltip (its problems, IVR034) says what was observed and where.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from ivr_studio.flow.map_flags import MapFlag
from ivr_studio.ui.canvas.style import ERROR_COLOUR, WARNING_COLOUR

#: Each flag kind's (fill, text colour, words on the badge).
FLAG_STYLES: dict[str, tuple[str, str, str]] = {
    "error": (ERROR_COLOUR, "#ffffff", "⚠ error"),
    "dead_end": (WARNING_COLOUR, "#1d1d1d", "⊘ dead end"),
    "stopped": ("#5b6b7a", "#ffffff", "… not explored"),
}
#: The badges' height and how far above the card's top edge they start (card coordinates).
HEIGHT = 18.0
TOP = -HEIGHT - 3.0


def badge_font() -> QFont:
    font = QFont()
    font.setPointSizeF(9.0)
    font.setBold(True)
    return font


def badge_rects(width: float, flags: Sequence[MapFlag]) -> list[tuple[QRectF, MapFlag]]:
    """Where each flag's badge goes: right-aligned above the card, the first flag rightmost."""
    fm = QFontMetricsF(badge_font())
    out = []
    right = width
    for flag in flags:
        text = FLAG_STYLES.get(flag.kind, (ERROR_COLOUR, "#ffffff", flag.label))[2]
        w = fm.horizontalAdvance(text) + 14
        out.append((QRectF(right - w, TOP, w, HEIGHT), flag))
        right -= w + 4
    return out


def paint_flags(painter: QPainter, width: float, flags: Sequence[MapFlag]) -> None:
    """Paint the badges of ``flags`` on a card ``width`` wide (the painter in card coordinates)."""
    painter.setFont(badge_font())
    for rect, flag in badge_rects(width, flags):
        fill, ink, text = FLAG_STYLES.get(flag.kind, (ERROR_COLOUR, "#ffffff", flag.label))
        painter.setPen(QPen(QColor("#ffffff"), 1.2))
        painter.setBrush(QColor(fill))
        painter.drawRoundedRect(rect, 5, 5)
        painter.setPen(QColor(ink))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
