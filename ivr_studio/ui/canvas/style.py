"""The canvas's look: kind colours, exit colours, fonts and node metrics, derived from the app palette.

Colours are computed from the current :class:`QPalette`, so the canvas follows the system's light or dark
theme; header text is black or white, whichever contrasts more with the header, so it stays legible in both.
Metrics live here (not in the items) because the auto-layout needs node sizes before any item exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QGuiApplication, QPainterPath, QPalette

from ivr_studio.flow.kinds import Family, NodeKind
from ivr_studio.flow.logic import WEEKDAYS
from ivr_studio.flow.model import Node
from ivr_studio.flow.placeholder import PlaceholderConfig


def _menu_preview(node: Node) -> str:
    for p in node.prompts:
        if p.kind == "say" and p.text:
            return p.text
        if p.kind == "play" and p.text:
            return f"♪ {p.text}"
    return "(no prompt yet)" if not node.prompts else ""


def _placeholder_preview(node: Node) -> str:
    cfg = node.config
    follow = cfg.transition(cfg.follow) if isinstance(cfg, PlaceholderConfig) and cfg.follow else None
    kind = cfg.type if isinstance(cfg, PlaceholderConfig) else "widget"
    return f"{kind} · not run here: " + (f"goes on by {follow.event}" if follow else "the call ends")


def _text_preview(node: Node) -> str:
    return node.text or f"(no {(node.spec.text_label or 'text').lower()} yet)"


def _hours_preview(node: Node) -> str:
    cfg = node.config
    days = [d for d in WEEKDAYS if getattr(cfg, "week", {}).get(d)]
    span = f"{days[0].capitalize()}–{days[-1].capitalize()}" if days else "never open"
    source = getattr(cfg, "holidays", None)
    extra = ""
    if source is not None and source.country:
        extra = f" · {source.country}{'-' + source.subdivision if source.subdivision else ''} holidays"
    elif source is not None and source.ical:
        extra = " · calendar holidays"
    return f"{span} · {getattr(cfg, 'zone', 'UTC')}{extra}"


def _decide_preview(node: Node) -> str:
    cases = getattr(node.config, "cases", ())
    return f"{len(cases)} case{'s' if len(cases) != 1 else ''}, else otherwise"


def _set_preview(node: Node) -> str:
    names = [a.name for a in getattr(node.config, "assignments", ())]
    return "Sets " + ", ".join(names) if names else "(nothing to set yet)"


def _lookup_preview(node: Node) -> str:
    url = getattr(node.config, "url", "")
    return f"{getattr(node.config, 'method', 'GET')} {url}" if url else "(no URL yet)"


@dataclass(frozen=True)
class KindStyle:
    """How a kind looks on the canvas: its header colour, its glyph, and the line of content under its title."""

    colour: str
    icon: str
    preview: Callable[[Node], str] = _text_preview


#: One calm hue per kind; the menu (Gather) is the most saturated so it reads as the hub.
KIND_STYLES: dict[NodeKind, KindStyle] = {
    NodeKind.GATHER: KindStyle("#3f63d8", "☰", _menu_preview),
    NodeKind.SAY: KindStyle("#4f9c94", "❝"),
    NodeKind.PLAY: KindStyle("#7f7cc0", "♪"),
    NodeKind.PAUSE: KindStyle("#8b93a1", "‖", lambda n: f"Wait {n.attributes.get('length', 1)} s"),
    NodeKind.DIAL: KindStyle("#5a9a5c", "☎", lambda n: f"Dial {n.text}" if n.text else "(no number yet)"),
    NodeKind.RECORD: KindStyle(
        "#b5834f", "●", lambda n: f"Records up to {n.attributes.get('maxLength', 3600)} s"
    ),
    NodeKind.REDIRECT: KindStyle("#8d72ad", "↪"),
    NodeKind.HANGUP: KindStyle("#b86262", "✕", lambda n: "Ends the call"),
    NodeKind.REJECT: KindStyle(
        "#a8587a", "⊘", lambda n: f"Rejects the call ({n.attributes.get('reason', 'rejected')})"
    ),
    NodeKind.ENQUEUE: KindStyle("#5f8fa8", "⋯", lambda n: f"Queue {n.text}" if n.text else "(no queue yet)"),
    # Logic nodes share one muted slate family (and a dashed card border), so they read as "decided by
    # the handler" rather than "heard by the caller".
    NodeKind.HOURS: KindStyle("#5f7a8a", "◷", _hours_preview),
    NodeKind.DECIDE: KindStyle("#6b6f8f", "◇", _decide_preview),
    NodeKind.SET: KindStyle("#6f7f6a", "≔", _set_preview),
    NodeKind.LOOKUP: KindStyle("#7d6f8f", "⇄", _lookup_preview),
    # A kept widget IVR Studio cannot run: a neutral grey header and a dotted warning-coloured border.
    NodeKind.PLACEHOLDER: KindStyle("#7a7a72", "⚠", _placeholder_preview),
}

#: Exit kinds that are set apart from ordinary choices (ux.md "Nodes").
EXIT_COLOURS: dict[str, str] = {
    "no_input": "#8a9099",
    "no_match": "#d99a1e",
    "max_attempts": "#d64545",
    "outcome": "#c47f2c",
    "failed": "#d64545",
    "case": "#4a6fa5",
}

ERROR_COLOUR = "#d64545"
WARNING_COLOUR = "#d99a1e"
ACTIVE_COLOUR = "#2fbf71"
GRID = 20.0


@dataclass(frozen=True)
class Metrics:
    """Sizes of a node card, in scene units."""

    width: float = 236.0
    header: float = 30.0
    line: float = 17.0
    row: float = 22.0
    pad: float = 8.0
    port_radius: float = 5.5
    corner: float = 7.0


METRICS = Metrics()


@dataclass(frozen=True)
class FamilyStyle:
    """How a family of kinds looks: a verb's card is a rounded card with a solid border (the caller hears
    it); a logic node's is cut at the corners, with a dashed border and diamond ports (the handler decides
    it, the caller never hears it), so the two read apart at any zoom."""

    chamfer: float  # 0: rounded corners; else the size of the cut corners
    dashed: bool
    diamond_ports: bool


FAMILY_STYLES: dict[Family, FamilyStyle] = {
    Family.VERB: FamilyStyle(chamfer=0.0, dashed=False, diamond_ports=False),
    Family.LOGIC: FamilyStyle(chamfer=9.0, dashed=True, diamond_ports=True),
}


def _chamfered(rect: QRectF, cut: float, bottom: bool = True) -> QPainterPath:
    """``rect`` with its top corners cut (and its bottom ones too, when ``bottom``)."""
    left, top, right, low = rect.left(), rect.top(), rect.right(), rect.bottom()
    points = [QPointF(left + cut, top), QPointF(right - cut, top), QPointF(right, top + cut)]
    if bottom:
        points += [QPointF(right, low - cut), QPointF(right - cut, low)]
        points += [QPointF(left + cut, low), QPointF(left, low - cut)]
    else:
        points += [QPointF(right, low), QPointF(left, low)]
    points.append(QPointF(left, top + cut))
    path = QPainterPath(points[0])
    for p in points[1:]:
        path.lineTo(p)
    path.closeSubpath()
    return path


@lru_cache(maxsize=256)
def card_outline(family: Family, width: float, height: float) -> QPainterPath:
    """The outline of a card of ``family`` (cached per size: cards are drawn often, built rarely)."""
    style = FAMILY_STYLES[family]
    rect = QRectF(0, 0, width, height)
    if style.chamfer:
        return _chamfered(rect, style.chamfer)
    path = QPainterPath()
    path.addRoundedRect(rect, METRICS.corner, METRICS.corner)
    return path


@lru_cache(maxsize=16)
def header_outline(family: Family, width: float) -> QPainterPath:
    """The filled header of a card of ``family``: the card's top corners, square at the bottom."""
    style = FAMILY_STYLES[family]
    rect = QRectF(0, 0, width, METRICS.header)
    if style.chamfer:
        return _chamfered(rect, style.chamfer, bottom=False)
    header = QPainterPath()
    header.addRoundedRect(rect, METRICS.corner, METRICS.corner)
    square = QPainterPath()
    square.addRect(QRectF(0, METRICS.header / 2, width, METRICS.header / 2))
    return header.united(square)


@lru_cache(maxsize=4)
def fonts(point_size: float = 9.0) -> tuple[QFont, QFont, QFont]:
    """(title, body, small) fonts for node cards."""
    title = QFont()
    title.setPointSizeF(point_size + 1)
    title.setBold(True)
    body = QFont()
    body.setPointSizeF(point_size)
    small = QFont()
    small.setPointSizeF(point_size - 0.5)
    return title, body, small


def preview_text(node: Node) -> str:
    """The one or two lines of content shown under a node's title."""
    return KIND_STYLES[node.kind].preview(node)


def preview_lines(node: Node) -> int:
    """How many lines the preview takes: two when it does not fit on one."""
    return _lines_of(preview_text(node))


@lru_cache(maxsize=16_384)
def _lines_of(text: str) -> int:
    # Measuring text is the costly part of sizing a card; the item, the layout and every change of the
    # node ask again, so each text is measured once.
    if not text:
        return 0
    _, body, _ = fonts()
    width = QFontMetricsF(body).horizontalAdvance(text)
    return 1 if width <= METRICS.width - 2 * METRICS.pad else 2


def node_size(node: Node) -> tuple[float, float]:
    """(width, height) of a node's card; used by the items and by the auto-layout."""
    m = METRICS
    body = preview_lines(node) * m.line
    rows = len(node.exit_names())
    height = m.header + m.pad + body + (m.pad / 2 if body and rows else 0) + rows * m.row + m.pad
    return m.width, max(height, m.header + 2 * m.row)


def is_dark(palette: QPalette | None = None) -> bool:
    pal = palette or QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` blended towards ``b`` by ``t`` (0 → a, 1 → b)."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        1.0,
    )


def luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast_text(background: QColor) -> QColor:
    """Black or white, whichever reads better on ``background`` (WCAG contrast)."""
    lum = luminance(background)
    return QColor("#ffffff") if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else QColor("#111111")


@dataclass
class Theme:
    """Colours of the canvas for the current palette."""

    dark: bool
    background: QColor
    grid: QColor
    card: QColor
    card_border: QColor
    text: QColor
    muted: QColor
    link: QColor
    highlight: QColor

    def header(self, kind: NodeKind) -> QColor:
        base = QColor(KIND_STYLES[kind].colour)
        return base.darker(125) if self.dark else base

    def header_text(self, kind: NodeKind) -> QColor:
        return contrast_text(self.header(kind))

    def exit_colour(self, exit_kind: str) -> QColor:
        if exit_kind in EXIT_COLOURS:
            return QColor(EXIT_COLOURS[exit_kind])
        return self.text


def current_theme(palette: QPalette | None = None) -> Theme:
    pal = palette or QGuiApplication.palette()
    dark = is_dark(pal)
    base = pal.color(QPalette.ColorRole.Base)
    window = pal.color(QPalette.ColorRole.Window)
    text = pal.color(QPalette.ColorRole.Text)
    background = mix(window, QColor("#000000"), 0.25) if dark else mix(window, QColor("#ffffff"), 0.35)
    card = mix(base, QColor("#ffffff"), 0.06) if dark else base
    return Theme(
        dark=dark,
        background=background,
        grid=mix(background, text, 0.07),
        card=card,
        card_border=mix(card, text, 0.25),
        text=text,
        muted=mix(text, card, 0.4),
        link=mix(text, background, 0.35),
        highlight=pal.color(QPalette.ColorRole.Highlight),
    )
