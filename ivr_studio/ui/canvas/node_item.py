"""A node's card on the canvas: coloured header, title, a preview of its prompt, one row per exit.

The item shows model state; it never owns it. :meth:`NodeItem.show_node` copies what it needs to draw
from a :class:`Node` (title, preview, exit rows) and the scene calls it again whenever the model's events
say the node changed. Ports are not separate items: their positions are computed here, and
:meth:`NodeItem.port_at` answers which port (if any) is under a point, which keeps 500-node flows light.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ivr_studio.flow.kinds import CAPTURED, NodeKind
from ivr_studio.flow.model import Node
from ivr_studio.ui.canvas import style
from ivr_studio.ui.canvas.map_flag_badge import TOP as FLAG_TOP
from ivr_studio.ui.canvas.map_flag_badge import paint_flags
from ivr_studio.ui.canvas.style import METRICS, Theme

#: The height of the "▶ start" tag above the start node's card.
START_TAG = 18.0

INPUT_PORT = "__input__"
# Looked up once: Qt calls itemChange about eight times per card as a flow is shown, and reading an enum
# member through its class costs more than the rest of the call.
_POSITION_CHANGE = QGraphicsItem.GraphicsItemChange.ItemPositionChange
_POSITION_HAS_CHANGED = QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged
_SELECTED_HAS_CHANGED = QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged
_CARD_FLAGS = (
    QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
    | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
    | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
)
_DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


@dataclass(frozen=True)
class ExitRow:
    """What one exit row shows."""

    name: str
    label: str
    kind: str
    keys: str = ""


def exit_rows(node: Node) -> list[ExitRow]:
    rows = []
    for b in node.branches:
        phrases = ", ".join(f'"{p}"' for p in b.phrases)
        rows.append(ExitRow(b.exit_name, phrases, "branch", b.keys))
    if node.spec.item_exits == "branches":
        # Node.exits() without its item exits, which are the branches above (their labels are not needed)
        others = ([CAPTURED] if node.capture else []) + node.fixed_exits()
    else:
        others = node.exits()
    for e in others:
        if e.kind != "branch":
            rows.append(ExitRow(e.name, e.label, e.kind))
    return rows


class NodeItem(QGraphicsItem):
    """The card of one node. ``node_id`` is the only link back to the model."""

    def __init__(self, node: Node, theme: Theme):
        super().__init__()
        self.node_id = node.id
        self.theme = theme
        self.problems: list[tuple[str, str]] = []  # (severity, message)
        self.active = False
        self.is_start = False
        self.untaken: set[str] = set()
        self.hover_port: str | None = None
        self._from_model = False  # True while show_node places the card where the model has it
        self.show_node(node)
        # after the first show_node, whose move to the node's position need not call itemChange
        self.setFlags(_CARD_FLAGS)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(_DEVICE_CACHE)

    # ------------------------------------------------------------------ setters (model → item)
    def show_node(self, node: Node) -> None:
        """Copy what the card draws from the model node, and relayout."""
        self.prepareGeometryChange()
        self.kind = node.kind
        self.family = node.spec.family
        self.logic = node.spec.is_logic
        self.title = node.title
        self.preview = style.preview_text(node)
        self.preview_line_count = style.preview_lines(node)
        self.rows = exit_rows(node)
        self._port_y = {row.name: self.row_centre_y(i) for i, row in enumerate(self.rows)}
        self.linked = set(node.links)
        self.flags = node.flags  # what a map saw here: badges above the card
        self.width, self.height = style.node_size(node)
        self._from_model = True  # the model's position is exact: only the user's drags snap to the grid
        try:
            self.setPos(QPointF(*node.position))
        finally:
            self._from_model = False
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def set_start(self, is_start: bool) -> None:
        if is_start != self.is_start:
            self.prepareGeometryChange()
            self.is_start = is_start
            self.update()

    def set_problems(self, problems: list[tuple[str, str]]) -> None:
        """Show a badge (red for errors, amber for warnings) whose tooltip names the problems."""
        self.problems = problems
        self.setToolTip("\n".join(f"{sev.capitalize()}: {msg}" for sev, msg in problems))
        self.update()

    def set_active(self, active: bool) -> None:
        if active != self.active:
            self.active = active
            self.update()

    def set_untaken_exits(self, untaken: set[str]) -> None:
        self.untaken = untaken
        self.update()

    # ------------------------------------------------------------------ geometry
    def body_top(self) -> float:
        return METRICS.header + METRICS.pad

    def rows_top(self) -> float:
        body = self.preview_line_count * METRICS.line
        return self.body_top() + body + (METRICS.pad / 2 if body and self.rows else 0)

    def row_centre_y(self, index: int) -> float:
        return self.rows_top() + index * METRICS.row + METRICS.row / 2

    # A card is never rotated, scaled or parented: its scene coordinates are its position plus the offset.
    def exit_port_pos(self, exit_name: str) -> QPointF:
        """Scene position of an exit's port (right edge of its row)."""
        return QPointF(self.x() + self.width, self.y() + self._port_y.get(exit_name, METRICS.header / 2))

    def exit_port_y(self, exit_name: str) -> float:
        """How far below the card's top an exit's port is (the header's middle for an exit not shown)."""
        return self._port_y.get(exit_name, METRICS.header / 2)

    def input_port_pos(self) -> QPointF:
        return QPointF(self.x(), self.y() + METRICS.header / 2)

    def port_at(self, scene_pos: QPointF) -> str | None:
        """The exit name (or :data:`INPUT_PORT`) whose port is under ``scene_pos``."""
        p = self.mapFromScene(scene_pos)
        grab = METRICS.port_radius + 5
        for i, row in enumerate(self.rows):
            if abs(p.x() - self.width) <= grab and abs(p.y() - self.row_centre_y(i)) <= METRICS.row / 2:
                return row.name
        if abs(p.x()) <= grab and abs(p.y() - METRICS.header / 2) <= grab:
            return INPUT_PORT
        return None

    def title_rect(self) -> QRectF:
        return self.mapRectToScene(QRectF(26, 0, self.width - 52, METRICS.header))

    def reach_above(self) -> float:
        """How far above its top edge the card draws: its map-flag badges, or its start tag (scene units).
        Links keep off that strip as they keep off the card."""
        return -FLAG_TOP if self.flags else START_TAG if self.is_start else 0.0

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt API)
        top = FLAG_TOP - 2.0 if self.flags else -18.0 if self.is_start else -8.0
        return QRectF(-10.0, top, self.width + 20.0, self.height - top + 10.0)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(-8, 0, self.width + 16, self.height), METRICS.corner, METRICS.corner)
        return path

    # ------------------------------------------------------------------ events
    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value):  # noqa: N802
        if change in (_POSITION_CHANGE, _POSITION_HAS_CHANGED, _SELECTED_HAS_CHANGED):
            scene = self.scene()
            if scene is None:
                pass
            elif change == _POSITION_CHANGE:
                if getattr(scene, "snap_to_grid", False) and not self._from_model:
                    g = style.GRID
                    return QPointF(round(value.x() / g) * g, round(value.y() / g) * g)
            elif change == _POSITION_HAS_CHANGED:
                scene.node_item_moved(self)
            else:
                scene.node_selection_changed(self)
        return super().itemChange(change, value)

    def hoverMoveEvent(self, event) -> None:  # noqa: N802
        port = self.port_at(event.scenePos())
        if port != self.hover_port:
            self.hover_port = port
            self.setCursor(Qt.CursorShape.CrossCursor if port else Qt.CursorShape.ArrowCursor)
            self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802
        self.hover_port = None
        self.unsetCursor()
        self.update()

    # ------------------------------------------------------------------ painting
    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        m, t = METRICS, self.theme
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        title_font, body_font, small_font = style.fonts()
        header_colour = t.header(self.kind)
        gather = self.kind == NodeKind.GATHER

        family = style.FAMILY_STYLES[self.family]
        outline = style.card_outline(self.family, self.width, self.height)
        if self.active:
            painter.setPen(QPen(QColor(style.ACTIVE_COLOUR), 6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(outline)

        border = t.highlight if self.isSelected() else (header_colour if gather else t.card_border)
        pen = QPen(border, 2.2 if (self.isSelected() or gather) else 1.0)
        if self.kind == NodeKind.PLACEHOLDER and not self.isSelected():
            pen = QPen(QColor(style.WARNING_COLOUR), 2.4, Qt.PenStyle.DotLine)  # a widget not run here
        elif family.dashed and not self.isSelected():
            pen = QPen(header_colour, 1.6, Qt.PenStyle.DashLine)  # decided by the handler, not heard
        painter.setPen(pen)
        painter.setBrush(t.card)
        painter.drawPath(outline)

        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(header_colour)
        painter.drawPath(style.header_outline(self.family, self.width))

        if option.levelOfDetailFromTransform(painter.worldTransform()) < 0.2:
            return  # far out, text would be unreadable anyway: cards and colours are enough
        fg = t.header_text(self.kind)
        painter.setPen(fg)
        painter.setFont(title_font)
        painter.drawText(
            QRectF(8, 0, 18, m.header), Qt.AlignmentFlag.AlignCenter, style.KIND_STYLES[self.kind].icon
        )
        fm = QFontMetricsF(title_font)
        title_w = self.width - 34 - (20 if self.problems else 6)
        painter.drawText(
            QRectF(30, 0, title_w, m.header),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            fm.elidedText(self.title, Qt.TextElideMode.ElideRight, title_w),
        )

        if self.preview_line_count:
            painter.setFont(body_font)
            painter.setPen(t.muted)
            bfm = QFontMetricsF(body_font)
            lines = _wrap(self.preview, bfm, self.width - 2 * m.pad, self.preview_line_count)
            for i, line in enumerate(lines):
                painter.drawText(
                    QRectF(m.pad, self.body_top() + i * m.line, self.width - 2 * m.pad, m.line),
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    line,
                )

        self._paint_rows(painter, body_font, small_font)
        self._paint_ports(painter)
        if self.is_start:
            self._paint_start_tag(painter, small_font)
        if self.flags:
            paint_flags(painter, self.width, self.flags)
        if self.problems:
            self._paint_badge(painter, small_font)

    def _paint_rows(self, painter: QPainter, body_font, small_font) -> None:
        m, t = METRICS, self.theme
        bfm = QFontMetricsF(body_font)
        if self.rows:
            painter.setPen(QPen(style.mix(t.card, t.text, 0.12), 1))
            y0 = self.rows_top()
            painter.drawLine(QPointF(m.pad / 2, y0), QPointF(self.width - m.pad / 2, y0))
        for i, row in enumerate(self.rows):
            top = self.rows_top() + i * m.row
            rect = QRectF(m.pad, top, self.width - 2 * m.pad - m.port_radius - 4, m.row)
            if row.name in self.untaken:
                painter.fillRect(
                    QRectF(1, top + 1, self.width - 2, m.row - 2), QColor(214, 69, 69, 60 if t.dark else 38)
                )
            x = rect.left()
            painter.setFont(body_font)
            if row.kind == "branch":
                if row.keys:
                    key_w = max(bfm.horizontalAdvance(row.keys) + 10, 20)
                    key_rect = QRectF(x, top + 3, key_w, m.row - 6)
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(style.mix(t.card, t.header(NodeKind.GATHER), 0.18))
                    painter.drawRoundedRect(key_rect, 4, 4)
                    painter.setPen(t.text)
                    painter.drawText(key_rect, Qt.AlignmentFlag.AlignCenter, row.keys)
                    x += key_w + 4
                    painter.drawText(QRectF(x, top, 16, m.row), Qt.AlignmentFlag.AlignVCenter, "→")
                    x += 18
                label = row.label or ("(no key or phrase)" if not row.keys else "")
                painter.setPen(t.text if row.label else t.muted)
            else:
                label = row.label
                painter.setPen(t.exit_colour(row.kind) if row.kind != "next" else t.muted)
            avail = rect.right() - x
            painter.drawText(
                QRectF(x, top, avail, m.row),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                bfm.elidedText(label, Qt.TextElideMode.ElideRight, avail),
            )

    def _paint_ports(self, painter: QPainter) -> None:
        m, t = METRICS, self.theme
        r = m.port_radius
        port = _diamond if style.FAMILY_STYLES[self.family].diamond_ports else _circle
        for i, row in enumerate(self.rows):
            colour = t.exit_colour(row.kind) if row.kind not in ("branch", "next") else t.link
            centre = QPointF(self.width, self.row_centre_y(i))
            hovered = self.hover_port == row.name
            painter.setPen(QPen(colour, 1.6))
            painter.setBrush(colour if row.name in self.linked else t.card)
            port(painter, centre, r + (1.5 if hovered else 0))
        painter.setPen(QPen(t.link, 1.6))
        painter.setBrush(t.card if self.hover_port != INPUT_PORT else t.link)
        port(painter, QPointF(0, m.header / 2), r)

    def _paint_start_tag(self, painter: QPainter, font) -> None:
        painter.setFont(font)
        fm = QFontMetricsF(font)
        text = "▶ start"
        rect = QRectF(0, -17, fm.horizontalAdvance(text) + 12, 15)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(style.ACTIVE_COLOUR))
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_badge(self, painter: QPainter, font) -> None:
        errors = sum(1 for sev, _ in self.problems if sev == "error")
        colour = QColor(style.ERROR_COLOUR if errors else style.WARNING_COLOUR)
        centre = QPointF(self.width - 13, METRICS.header / 2)
        painter.setPen(QPen(QColor("#ffffff"), 1.5))
        painter.setBrush(QBrush(colour))
        painter.drawEllipse(centre, 8.5, 8.5)
        painter.setFont(font)
        painter.drawText(
            QRectF(centre.x() - 8.5, centre.y() - 8.5, 17, 17),
            Qt.AlignmentFlag.AlignCenter,
            str(len(self.problems)) if len(self.problems) < 10 else "!",
        )


def _circle(painter: QPainter, centre: QPointF, r: float) -> None:
    painter.drawEllipse(centre, r, r)


def _diamond(painter: QPainter, centre: QPointF, r: float) -> None:
    """A logic node's port: a diamond a little larger than a verb's circle, so it reads as the same size."""
    r *= 1.15
    x, y = centre.x(), centre.y()
    points = [QPointF(x, y - r), QPointF(x + r, y), QPointF(x, y + r), QPointF(x - r, y)]
    painter.drawPolygon(QPolygonF(points))


def _wrap(text: str, fm: QFontMetricsF, width: float, max_lines: int) -> list[str]:
    """Word-wrap ``text`` into at most ``max_lines`` lines, eliding the last one."""
    words = text.split()
    lines: list[str] = []
    current = ""
    while words and len(lines) < max_lines - 1:
        trial = f"{current} {words[0]}".strip()
        if fm.horizontalAdvance(trial) <= width or not current:
            current = trial
            words.pop(0)
        else:
            lines.append(current)
            current = ""
    rest = " ".join([current, *words]).strip() if current or words else ""
    if rest:
        lines.append(fm.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return lines[:max_lines]
