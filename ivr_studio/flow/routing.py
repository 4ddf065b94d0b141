"""Link routing around cards, in plain numbers (no Qt), so the canvas and the tests share one router.

A link leaves its exit port to the right and enters its target's input port from the left. When the plain
curve between the two ports (:func:`curve_controls`, the shape the canvas draws) keeps clear of every card
but its own two, it is kept. Otherwise — a link that would cross a card or pass over another card's ports,
a link back to the left, a loop to its own card — :func:`route` finds an orthogonal path around the cards:
an A* search over the lines that run along the cards' sides (kept ``margin`` away from them) and midway
between them, with a cost for every bend, so the path is short, has few corners and keeps to the middle of
the gaps. Only the cards near the two ports are considered (those in the rectangle around them, widened
until a path is found). When that rectangle holds more than ``max_cards`` cards (a link across a big flow,
such as a last menu's link back to the main menu), the search goes round only the cards in its way: it
starts knowing the cards near the two ports, checks each path it finds against every card, and learns what
lies along a path that ran into cards before it searches again (:func:`_route_lazily`). So routing a link
costs about as much as the cards along its way, not all the cards its rectangle holds, and every link of a
flow of thousands of nodes is routed. A link keeps its plain curve only past the safety net of
:data:`LAZY_ROUNDS` searches or :data:`LAZY_MAX_CARDS` cards learnt.

Such links often share their target: in a tree of menus thousands of links lead back to the main menu. The
paths found to a port across a big flow are kept as a tree rooted at the port (a
:class:`~ivr_studio.flow.trunks.Trunk`, in :attr:`CardIndex.shared` until a card changes), and the next
link to that port searches only the small window round its own exit for the cheapest way onto that tree
(counting the way on along it), then follows it: a few hundred grid crossings instead of a search across
the flow. Only where no path to the port passes near does a link search its own way, which joins the tree.

The grid and its A* search are in :mod:`ivr_studio.flow.orthogonal`.

:class:`CardIndex` files the cards' rectangles in a grid of cells for "which cards are near here" queries.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from ivr_studio.flow.orthogonal import Point, Rect, polyline_hits, simplify
from ivr_studio.flow.orthogonal import grow as _grow
from ivr_studio.flow.orthogonal import inside as _inside
from ivr_studio.flow.orthogonal import search as _search
from ivr_studio.flow.trunks import Trunk, join

__all__ = [
    "MARGIN",
    "MAX_CARDS",
    "CardIndex",
    "Point",
    "Rect",
    "curve_is_clear",
    "polyline_hits",
    "route",
    "simplify",
]

MARGIN = 14.0  # how far a routed link keeps from any card (ports stick out 5.5 units from the edge)
MAX_CARDS = 20
NEAR = 150.0  # the neighbourhood of a port, or of a card in the way, that a search round a big flow learns
LAZY_ROUNDS = 24  # how many times a link across a big flow may search again round the cards it met
LAZY_MAX_CARDS = 600


class CardIndex:
    """Card rectangles by id, filed in a grid of ``cell``-sized squares."""

    def __init__(self, cell: float = 300.0):
        self.cell = cell
        self.rects: dict[str, Rect] = {}
        self._grid: dict[tuple[int, int], set[str]] = {}
        #: work shared between the routes of links across a big flow (the :class:`Trunk` of paths found to
        #: each port), valid for the cards as they are: dropped whenever a card is filed anew or removed
        self.shared: dict[tuple[str, Point, float], Trunk] = {}

    def _cells(self, r: Rect) -> Iterable[tuple[int, int]]:
        c = self.cell
        for cx in range(math.floor(r[0] / c), math.floor(r[2] / c) + 1):
            for cy in range(math.floor(r[1] / c), math.floor(r[3] / c) + 1):
                yield cx, cy

    def put(self, card_id: str, rect: Rect) -> None:
        if self.rects.get(card_id) == rect:
            return
        self.remove(card_id)
        self.shared.clear()
        self.rects[card_id] = rect
        for key in self._cells(rect):
            self._grid.setdefault(key, set()).add(card_id)

    def remove(self, card_id: str) -> None:
        rect = self.rects.pop(card_id, None)
        if rect is None:
            return
        self.shared.clear()
        for key in self._cells(rect):
            ids = self._grid.get(key)
            if ids is not None:
                ids.discard(card_id)
                if not ids:
                    del self._grid[key]

    def near(self, r: Rect, limit: int | None = None) -> list[str]:
        """Ids of the cards whose rectangles intersect ``r`` (touching edges do not count), sorted; with
        ``limit``, as soon as more than that many are found, those found (enough to tell that there are too
        many)."""
        left, top, right, bottom = r
        c = self.cell
        x0, x1 = math.floor(left / c), math.floor(right / c)
        y0, y1 = math.floor(top / c), math.floor(bottom / c)
        rects, grid = self.rects, self._grid
        cells = (x1 - x0 + 1) * (y1 - y0 + 1)
        if cells > 64 and cells > len(rects):
            runs: Iterable[Iterable[str]] = (rects,)  # a huge rectangle: scanning the cards is cheaper
        elif limit is not None:  # cell by cell, to stop as soon as there are too many
            runs = (ids for cx in range(x0, x1 + 1) for cy in range(y0, y1 + 1) if (ids := grid.get((cx, cy))))
        elif cells == 1:
            runs = (grid.get((x0, y0), ()),)
        else:  # the cards of every cell at once (a card may lie in several)
            union: set[str] = set()
            for cx in range(x0, x1 + 1):
                for cy in range(y0, y1 + 1):
                    ids = grid.get((cx, cy))
                    if ids:
                        union |= ids
            runs = (union,)
        found: set[str] = set()
        most = math.inf if limit is None else limit
        for ids in runs:
            for card_id in ids:
                a, b, cc, d = rects[card_id]
                if a < right and left < cc and b < bottom and top < d:
                    found.add(card_id)
                    if len(found) > most:
                        return sorted(found)
        return sorted(found)


def curve_controls(start: Point, end: Point) -> tuple[Point, Point, Point, Point]:
    """The plain link's cubic Bézier (start, two control points, end) for a forward link (``dx >= 40``)."""
    bend = max((end[0] - start[0]) * 0.5, 40.0)
    return start, (start[0] + bend, start[1]), (end[0] - bend, end[1]), end


def curve_is_clear(
    start: Point, end: Point, cards: CardIndex, ends: Iterable[str], margin: float = MARGIN / 2
) -> bool:
    """Whether the plain curve from ``start`` to ``end`` keeps ``margin`` away from every card but ``ends``.

    Only forward links have a plain curve (``end`` at least 40 units right of ``start``); its x grows all the
    way, so it never enters its own two cards.
    """
    if end[0] - start[0] < 40:
        return False
    p0, p1, p2, p3 = curve_controls(start, end)
    box = (p0[0], min(p0[1], p3[1]) - margin, p3[0], max(p0[1], p3[1]) + margin)
    own = set(ends)
    others = [_grow(cards.rects[i], margin) for i in cards.near(box) if i not in own]
    if not others:
        return True

    def at(t: float) -> Point:
        u = 1 - t
        a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
        return (
            a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
            a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
        )

    def t_at_x(x: float, after: bool) -> float:
        lo, hi = 0.0, 1.0  # x grows along the curve, so bisection finds where it reaches x
        for _ in range(18):
            mid = (lo + hi) / 2
            if at(mid)[0] < x:
                lo = mid
            else:
                hi = mid
        return hi if after else lo

    # x and y both change monotonically along the curve (its control points lie level with its ends), so
    # beside an obstacle it runs between the heights it has at the obstacle's two sides: it enters the
    # obstacle exactly when that span of heights overlaps the obstacle's
    # (a table of the curve first brackets those heights, so most obstacles need no closer look)
    table = [at(k / 32) for k in range(33)]
    table_x = [p[0] for p in table]
    for r in others:
        lo = table[max(bisect_left(table_x, r[0]) - 1, 0)][1]
        hi = table[min(bisect_right(table_x, r[2]), 32)][1]
        if not (min(lo, hi) < r[3] and r[1] < max(lo, hi)):
            continue
        a, b = at(t_at_x(r[0], False))[1], at(t_at_x(r[2], True))[1]
        if min(a, b) < r[3] and r[1] < max(a, b):
            return False
    return True


def route(
    start: Point,
    end: Point,
    cards: CardIndex,
    source: str,
    target: str,
    margin: float = MARGIN,
    max_cards: int = MAX_CARDS,
) -> list[Point] | None:
    """Corner points of an orthogonal path from the exit port ``start`` to the input port ``end`` that keeps
    ``margin`` away from every card (the first and last segments leave and enter the ports horizontally).

    None when there is no such path near the two ports, or when too many cards are near them to search.
    """
    s1 = (start[0] + margin, start[1])
    e1 = (end[0] - margin, end[1])
    ends = [cards.rects[i] for i in (source, target) if i in cards.rects]
    left = min([s1[0], e1[0], *(r[0] for r in ends)])
    right = max([s1[0], e1[0], *(r[2] for r in ends)])
    top = min([s1[1], e1[1], *(r[1] for r in ends)])
    bottom = max([s1[1], e1[1], *(r[3] for r in ends)])
    pad = 4 * margin
    for _attempt in range(3):
        window = (left - pad, top - pad, right + pad, bottom + pad)
        # the path may run along the window's edge: a card just outside it is near enough to keep clear of
        ids = cards.near(_grow(window, margin), limit=max_cards)
        if len(ids) > max_cards:
            break  # too many cards to search round them all: only those in the way are
        path = _search(s1, e1, _obstacles(cards, ids, s1, e1, margin), window)
        if path is not None:
            return simplify([start, *path, end])
        pad *= 4
    key = (target, end, margin)
    trunk = cards.shared.get(key)
    if trunk is not None and (points := _join(start, s1, e1, trunk, cards, source, margin)) is not None:
        return points
    points = _route_lazily(start, end, s1, e1, cards, (left, top, right, bottom), margin)
    if points is not None and not _shut_in(s1, cards, margin):
        cards.shared.setdefault(key, Trunk(end)).add(points[1:])
    return points


def _shut_in(s1: Point, cards: CardIndex, margin: float) -> bool:
    """Whether a card comes nearer than ``margin`` to the end ``s1`` of a link's stub at its exit port: its
    path may then pass that card's margin, which other links may not (see :func:`_obstacles`)."""
    return any(_inside(s1, _grow(cards.rects[i], margin)) for i in cards.near(_grow((*s1, *s1), margin)))


def _join(
    start: Point, s1: Point, e1: Point, trunk: Trunk, cards: CardIndex, source: str, margin: float
) -> list[Point] | None:
    """A path that reaches the paths found before to the same port (``trunk``) near the exit port and
    follows them on (see :mod:`ivr_studio.flow.trunks`); None when none is within reach."""
    own = cards.rects.get(source, (*s1, *s1))
    box = (min(own[0], s1[0]), min(own[1], s1[1]), max(own[2], s1[0]), max(own[3], s1[1]))
    pad = 4 * margin
    for _attempt in range(2):
        window = _grow(box, pad)
        pad *= 4
        found = join(s1, trunk, _obstacles(cards, cards.near(_grow(window, margin)), s1, e1, margin), window)
        if found is None:
            continue
        corners, via = found
        corners = simplify(corners)
        if _cards_hit([start, *corners, corners[-1]], cards, s1, e1, margin):
            continue  # cannot happen with every card in the window known; kept as a guard
        if not _shut_in(s1, cards, margin):
            trunk.add(corners, via)
        return simplify([start, *corners, *trunk.path_from(via, corners[-1])[1:]])
    return None


def _obstacles(cards: CardIndex, ids: Iterable[str], s1: Point, e1: Point, margin: float) -> list[Rect]:
    """The cards ``ids`` grown by ``margin``; a card hard against a port would shut it in, so the path may
    pass such a card's margin (but never the card)."""
    grown = (_grow(cards.rects[i], margin) for i in ids)
    return [o for o in grown if not _inside(s1, o) and not _inside(e1, o)]


def _route_lazily(
    start: Point, end: Point, s1: Point, e1: Point, cards: CardIndex, box: Rect, margin: float
) -> list[Point] | None:
    """A path round the cards that are in its way, for a link with too many cards around it to search round
    them all (a link across a big flow).

    The search starts knowing only the cards near the two ports; every path it finds is checked against all
    the cards, and the neighbourhood of each card it ran into joins what it knows before it searches again.
    So the cards it searches round are those along the way, however many the rectangle holds; it gives up
    (None) after :data:`LAZY_ROUNDS` rounds or once it knows :data:`LAZY_MAX_CARDS` cards.
    """
    known: set[str] = set()
    for p in (s1, e1):
        known.update(cards.near((p[0] - NEAR, p[1] - NEAR, p[0] + NEAR, p[1] + NEAR)))
    pad = 4 * margin
    window = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
    for _round in range(LAZY_ROUNDS):
        path = _search(s1, e1, _obstacles(cards, known, s1, e1, margin), window, deepest_first=True)
        if path is None:  # shut in by what it knows within the window: look further out
            pad *= 4
            window = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
            continue
        points = simplify([start, *path, end])
        hit = _cards_hit(points, cards, s1, e1, margin)
        if not hit:
            return points
        # what lies along the whole path, not only what it ran into: a search that knew only those would
        # try the next gap along, and the next, a card at a time
        inner = points[1:-1]
        for a, b in zip(inner, inner[1:], strict=False):
            seg = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
            known.update(cards.near(_grow(seg, NEAR)))
        if len(known) > LAZY_MAX_CARDS:
            return None
    return None


def clear_of_cards(points: list[Point], cards: CardIndex, margin: float) -> bool:
    """Whether a path from an exit port to an input port keeps ``margin`` away from every card between its
    stubs at the two ports (a card hard against a port: out of it)."""
    s1, e1 = points[1], points[-2]
    return len(points) < 3 or not _cards_hit(points, cards, s1, e1, margin)


def _cards_hit(points: list[Point], cards: CardIndex, s1: Point, e1: Point, margin: float) -> set[str]:
    """The cards a path comes nearer than ``margin`` to (between its stubs at the ports; a card hard
    against a port only when the path enters it)."""
    hit: set[str] = set()
    inner = points[1:-1]
    for a, b in zip(inner, inner[1:], strict=False):
        seg = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
        for card_id in cards.near(_grow(seg, margin)):
            if card_id in hit:
                continue
            rect = cards.rects[card_id]
            grown = _grow(rect, margin)
            if _inside(s1, grown) or _inside(e1, grown):
                grown = rect
            if polyline_hits([a, b], grown):
                hit.add(card_id)
    return hit
