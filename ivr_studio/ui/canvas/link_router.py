"""Keeps every link clear of the cards: the canvas side of :mod:`ivr_studio.flow.routing`.

The router holds the cards' rectangles (a :class:`CardIndex` kept in step with the cards) and decides each
link's shape: the plain curve when it keeps clear of every other card, otherwise an orthogonal path around
the cards with rounded corners. Loops and links back to the left are always routed.

Routing a link is quick (well under a millisecond for the examples), but a flow of thousands of nodes has
thousands of links. So in a flow of more than :data:`ROUTE_AT_ONCE_MAX_CARDS` cards a link that must be
shaped again (the flow was opened, a card moved) first gets its plain curve and is routed afterwards, a few
milliseconds at a time between events, while the editor stays responsive: the links in the view first,
then those around it, then the rest; when the view moves, what waits in its new place goes first. A moved
card reroutes its own links and those that pass where it was or where it is now.

Links to one port share the way there (:mod:`ivr_studio.flow.trunks`), so a link's route depends on which
links were routed before it. The links in the view, those around it and the rest are therefore each routed
in reading order (:meth:`LinkRouter.reading_order`: by where their cards are, column by column, top to
bottom), so the same flow seen from the same place is routed and drawn the same way every time it is opened.

Routed links that share a stretch of a gap between cards are given their own lanes (:class:`Lanes`), so
they can be told apart; after each change (or each slice of background routing) the links whose lanes
moved are drawn again.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, QRectF, QTimer
from PySide6.QtGui import QPainterPath

from ivr_studio.flow.lanes import Lanes
from ivr_studio.flow.routing import MARGIN, MAX_CARDS, CardIndex, Point, clear_of_cards, curve_is_clear, route
from ivr_studio.ui.canvas.link_item import LinkItem
from ivr_studio.ui.canvas.node_item import NodeItem

if TYPE_CHECKING:
    from ivr_studio.ui.canvas.scene import FlowScene

#: Up to this many cards, links are routed at once; above, just after each change (see the module docstring).
ROUTE_AT_ONCE_MAX_CARDS = 150
#: How near a link drawn in a lane may come to a card: the ports stick out 5.5 units, plus the pen.
PORT_REACH = 7.0
#: How long one slice of background routing may take, in seconds.
SLICE_SECONDS = 0.012
#: During background routing the lanes are spread at most this often, in seconds (and once more when the
#: last link is routed): a spread draws again every link of each bundle it touched, and the bundle of the
#: hundreds of links back to one port would otherwise be spread again after every slice. A link routed
#: meanwhile is drawn on the line it was routed on, clear of the cards.
SETTLE_SECONDS = 0.5


def rounded_path(points: list[Point], radius: float = 12.0) -> QPainterPath:
    """An orthogonal path through ``points`` with its corners rounded (never wider than half a segment)."""
    path = QPainterPath(QPointF(*points[0]))
    for k in range(1, len(points) - 1):
        (ax, ay), (bx, by), (cx, cy) = points[k - 1], points[k], points[k + 1]
        r = min(radius, abs(bx - ax + by - ay) / 2, abs(cx - bx + cy - by) / 2)
        into = QPointF(bx - r * _sign(bx - ax), by - r * _sign(by - ay))
        out = QPointF(bx + r * _sign(cx - bx), by + r * _sign(cy - by))
        path.lineTo(into)
        path.quadTo(QPointF(bx, by), out)
    path.lineTo(QPointF(*points[-1]))
    return path


def _sign(v: float) -> float:
    return (v > 0) - (v < 0)


def card_rect(item: NodeItem) -> tuple[float, float, float, float]:
    """A card's rectangle in scene units, with its start tag or map-flag badges above it when it has them."""
    top = item.y() - item.reach_above()
    return item.x(), top, item.x() + item.width, item.y() + item.height


class LinkRouter(QObject):
    """Shapes the scene's links so that they go round the cards (see the module docstring)."""

    def __init__(self, scene: FlowScene):
        super().__init__(scene)
        self.scene = scene
        self.cards = CardIndex()
        self.lanes = Lanes(self.cards)
        self.pending: set[tuple[str, str]] = set()
        self._batch = False  # routing many links: lanes are settled once, at the end
        #: links routed in a batch and not drawn yet: each is drawn once, when the batch's lanes are spread
        #: (or at the end of a slice of background routing that does not spread them)
        self._undrawn: dict[tuple[str, str], None] = {}
        self._focus_seen: tuple[float, float, float, float] | None = None  # where the views looked
        self._settled_at = 0.0  # when the lanes were last spread (time.monotonic())
        self._queue: list[tuple[str, str]] = []  # waiting links in and near the view, the next one last
        self._rest: list[tuple[str, str]] = []  # the other waiting links in reading order, the next one last
        #: up to this many cards around a link, the search goes round them all; past it, round those in
        #: its way (see :func:`ivr_studio.flow.routing.route`; the benchmark measures others)
        self.max_cards = MAX_CARDS
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._work)

    # ------------------------------------------------------------------ cards
    def clear(self) -> None:
        self.cards = CardIndex()
        self.lanes = Lanes(self.cards)
        self.pending.clear()
        self._undrawn.clear()
        self._queue.clear()
        self._rest.clear()
        self._focus_seen = None

    def link_dropped(self, key: tuple[str, str]) -> None:
        """A link was removed from the scene: its lanes are free for the others."""
        self.pending.discard(key)
        self.lanes.set(key, None)
        self._settle()

    def card_placed(self, item: NodeItem) -> list[LinkItem]:
        """File the card where it is now; returns the links (not its own) that pass where it was or is."""
        before = self.cards.rects.get(item.node_id)
        after = card_rect(item)
        if before == after:
            return []
        self.cards.put(item.node_id, after)
        if self.scene.rebuilding():
            return []  # the links are made after the cards
        crossing: dict[tuple[str, str], LinkItem] = {}
        for r in (before, after):
            if r is not None:
                crossing.update((link.key, link) for link in self._links_near(r, item.node_id))
        return list(crossing.values())

    def card_removed(self, node_id: str) -> list[LinkItem]:
        """Forget a card; returns the links that went round it (they may take a shorter way now)."""
        rect = self.cards.rects.get(node_id)
        self.cards.remove(node_id)
        return [] if rect is None else self._links_near(rect, node_id)

    def _links_near(self, r: tuple[float, float, float, float], node_id: str) -> list[LinkItem]:
        area = QRectF(r[0], r[1], r[2] - r[0], r[3] - r[1]).adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        return [
            other
            for other in self.scene.items(area)
            if isinstance(other, LinkItem) and node_id not in (other.source_id, other.target_id)
        ]

    # ------------------------------------------------------------------ links
    def shape(
        self, link: LinkItem, start: QPointF, end: QPointF, loop_above: float | None, now: bool
    ) -> None:
        """Give ``link`` its path from ``start`` (its exit port) to ``end`` (the input port).

        ``loop_above`` is where a loop or a link back to the left arcs over the cards when no way round them
        is found. With ``now`` false the link gets its plain curve and is routed later, in the background.
        """
        points = self._find_route(link, start, end, now)
        self.lanes.set(link.key, points)
        if points is None:
            self._undrawn.pop(link.key, None)
            link.set_ends(start, end, loop_above)
        elif self._batch:  # drawn once the batch's lanes are spread
            self._undrawn[link.key] = None
        else:
            self._draw_route(link)
        if not self._batch:
            self._settle()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Shape many links at once: the lanes that changed are settled once, at the end."""
        if self._batch:
            yield
            return
        self._batch = True
        try:
            yield
        finally:
            self._batch = False
        self._settle()

    def _find_route(self, link: LinkItem, start: QPointF, end: QPointF, now: bool) -> list[Point] | None:
        """The corner points of ``link``'s way round the cards, or None when it keeps its plain curve (or
        waits to be routed: ``now`` false)."""
        if not now:
            self.pending.add(link.key)
            self._focus_seen = None  # a new link waits: look again at what is in view
            self._timer.start()
            return None
        self.pending.discard(link.key)
        s, e = (start.x(), start.y()), (end.x(), end.y())
        ends = (link.source_id, link.target_id)
        forward = link.source_id != link.target_id and e[0] - s[0] >= 40
        if forward and curve_is_clear(s, e, self.cards, ends):
            return None
        return route(s, e, self.cards, *ends, max_cards=self.max_cards)

    def _draw_route(self, link: LinkItem) -> None:
        points = self.lanes.path(link.key)
        base = self.lanes.base.get(link.key)
        if base is not None and points != base and not clear_of_cards(points, self.cards, PORT_REACH):
            # more links share a gap than lanes fit in, and its lane would take this one over a card or a
            # port: it keeps the line it was routed on, clear of them
            points = base
        if points != link.route:
            link.set_route(points, rounded_path(points))

    def _settle(self) -> None:
        """Spread the lanes that changed and draw the links routed meanwhile and those whose lanes moved."""
        moved = self.lanes.settle()
        self._draw(moved)
        self._settled_at = time.monotonic()

    def _draw(self, moved: Iterable[tuple[str, str]] = ()) -> None:
        """Draw the links routed and not drawn yet, and the links ``moved``."""
        keys = dict.fromkeys(chain(self._undrawn, moved))
        self._undrawn.clear()
        for key in keys:
            link = self.scene.link_items.get(key)
            if link is not None and key in self.lanes.base:
                self._draw_route(link)

    def route_pending(self) -> None:
        """Route every link still waiting (tests, and pictures taken straight after opening), those in view
        first."""
        self._timer.stop()
        self._batch = True
        try:
            while (key := self._next()) is not None:
                self._route_key(key)
        finally:
            self._batch = False
        self._settle()

    def _work(self) -> None:
        deadline = time.monotonic() + SLICE_SECONDS
        self._batch = True
        try:
            while time.monotonic() < deadline and (key := self._next()) is not None:
                self._route_key(key)
        finally:
            self._batch = False
        if not self.pending or time.monotonic() - self._settled_at >= SETTLE_SECONDS:
            self._settle()
        else:
            self._draw()  # what this slice routed shows on the line it was routed on
        if self.pending:
            self._timer.start()

    def _route_key(self, key: tuple[str, str]) -> None:
        link = self.scene.link_items.get(key)
        if (
            link is not None
        ):  # a link dropped meanwhile, or whose item is not made yet (it will be shaped then)
            self.scene.route_link(link, now=True)
        else:
            self.pending.discard(key)

    # ------------------------------------------------------------------ what the user sees first
    def _next(self) -> tuple[str, str] | None:
        """The waiting link to route next: one in a view of the scene, then one near it, then the others in
        reading order (see :meth:`reading_order`).

        Where the views look is read again before each link, so a scroll re-orders what is left at once;
        the links in and around the view are looked up (in the scene's index) only when the view moved.
        """
        if not self.pending:
            return None
        focus = self._focus()
        if focus != self._focus_seen:
            self._focus_seen = focus
            self._queue = self._near_first(focus)
        while self._queue or self._rest:
            key = (self._queue or self._rest).pop()
            if key in self.pending:
                self.pending.discard(key)
                return key
        # the links that started waiting since (all of them, the first time) in reading order, never in the
        # set's own order: that changes from run to run, as strings hash differently in every process
        self._rest = sorted(self.pending, key=self.reading_order, reverse=True)
        key = self._rest.pop()
        self.pending.discard(key)
        return key

    def reading_order(self, key: tuple[str, str]) -> tuple[float, float, float, str, str]:
        """Where the link ``key`` comes in the order waiting links are routed (smallest first): by its source
        card's left edge, then its top, then the height of its exit port on the card; its key breaks ties."""
        card = self.scene.node_items.get(key[0])
        if card is None:  # its card was removed meanwhile: the link is dropped when it comes
            return (-math.inf, -math.inf, -math.inf, *key)
        return (card.x(), card.y(), card.exit_port_y(key[1]), *key)

    def _focus(self) -> tuple[float, float, float, float] | None:
        """The part of the scene the views show (their bounding rectangle), or None with no view."""
        rect = QRectF()
        for view in self.scene.views():
            if view.isVisible() or not rect.isValid():
                rect = rect.united(view.mapToScene(view.viewport().rect()).boundingRect())
        return None if rect.isEmpty() else (rect.left(), rect.top(), rect.right(), rect.bottom())

    def _near_first(self, focus: tuple[float, float, float, float] | None) -> list[tuple[str, str]]:
        """The waiting links in ``focus`` and then in the band of one view's size around it, as a stack (the
        first to route last)."""
        if focus is None:
            return []
        left, top, right, bottom = focus
        seen = QRectF(left, top, right - left, bottom - top)
        around = seen.adjusted(-seen.width(), -seen.height(), seen.width(), seen.height())
        order: dict[tuple[str, str], None] = {}
        for rect in (seen, around):
            items = self.scene.items(rect)
            cards = {item.node_id for item in items if isinstance(item, NodeItem)}
            links = [item for item in items if isinstance(item, LinkItem) and item.key in self.pending]
            # the links of the cards there first, then those that only pass (a long link's curve crosses
            # much of a big flow, and such links are the slowest to route); each in reading order
            def first(link: LinkItem, cards: set[str] = cards) -> tuple[bool, tuple]:
                passing = link.source_id not in cards and link.target_id not in cards
                return passing, self.reading_order(link.key)

            for link in sorted(links, key=first):
                order.setdefault(link.key, None)
        return list(reversed(order))
