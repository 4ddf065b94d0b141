"""Link routing around cards, in plain numbers (no Qt), so the canvas and the tests share one router.

A link leaves its exit port to the right and enters its target's input port from the left. When the plain
curve between the two ports (:func:`curve_controls`, the shape the canvas draws) keeps clear of every card
but its own two, it is kept. Otherwise — a link that would cross a card or pass over another card's ports,
a link back to the left, a loop to its own card — :func:`route` finds an orthogonal path around the cards:
an A* search over the lines that run along the cards' sides (kept ``margin`` away from them) and midway
between them, with a cost for every bend, so the path is short, has few corners and keeps to the middle of
the gaps. Only the cards near the two ports are considered (those in the rectangle around them, widened
until a path is found), and a link whose neighbourhood holds more than ``max_cards`` cards keeps its curve:
routing stays cheap on flows of thousands of nodes.

:class:`CardIndex` files the cards' rectangles in a grid of cells for "which cards are near here" queries.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import cmp_to_key

Rect = tuple[float, float, float, float]  # left, top, right, bottom
Point = tuple[float, float]

MARGIN = 14.0  # how far a routed link keeps from any card (ports stick out 5.5 units from the edge)
BEND_COST = 40.0  # a corner costs as much as this many units of length
EDGE_COST = 0.3  # running along a card's side costs this much more per unit than the middle of a gap
MAX_CARDS = 40
MAX_STEPS = 20_000  # states the search may expand before it gives up (a link then keeps its curve)


class CardIndex:
    """Card rectangles by id, filed in a grid of ``cell``-sized squares."""

    def __init__(self, cell: float = 300.0):
        self.cell = cell
        self.rects: dict[str, Rect] = {}
        self._grid: dict[tuple[int, int], set[str]] = {}

    def _cells(self, r: Rect) -> Iterable[tuple[int, int]]:
        c = self.cell
        for cx in range(math.floor(r[0] / c), math.floor(r[2] / c) + 1):
            for cy in range(math.floor(r[1] / c), math.floor(r[3] / c) + 1):
                yield cx, cy

    def put(self, card_id: str, rect: Rect) -> None:
        if self.rects.get(card_id) == rect:
            return
        self.remove(card_id)
        self.rects[card_id] = rect
        for key in self._cells(rect):
            self._grid.setdefault(key, set()).add(card_id)

    def remove(self, card_id: str) -> None:
        rect = self.rects.pop(card_id, None)
        if rect is None:
            return
        for key in self._cells(rect):
            ids = self._grid.get(key)
            if ids is not None:
                ids.discard(card_id)
                if not ids:
                    del self._grid[key]

    def near(self, r: Rect) -> list[str]:
        """Ids of the cards whose rectangles intersect ``r`` (touching edges do not count)."""
        found: set[str] = set()
        area = (r[2] - r[0]) * (r[3] - r[1])
        if area > 64 * self.cell * self.cell and len(self.rects) < area / (self.cell * self.cell):
            candidates: Iterable[str] = self.rects  # a huge rectangle: scanning the cards is cheaper
        else:
            candidates = (i for key in self._cells(r) for i in self._grid.get(key, ()))
        for card_id in candidates:
            if card_id in found:
                continue
            c = self.rects[card_id]
            if c[0] < r[2] and r[0] < c[2] and c[1] < r[3] and r[1] < c[3]:
                found.add(card_id)
        return sorted(found)


def curve_controls(start: Point, end: Point) -> tuple[Point, Point, Point, Point]:
    """The plain link's cubic Bézier (start, two control points, end) for a forward link (``dx >= 40``)."""
    bend = max((end[0] - start[0]) * 0.5, 40.0)
    return start, (start[0] + bend, start[1]), (end[0] - bend, end[1]), end


def _inside(p: Point, r: Rect) -> bool:
    return r[0] < p[0] < r[2] and r[1] < p[1] < r[3]


def _grow(r: Rect, by: float) -> Rect:
    return r[0] - by, r[1] - by, r[2] + by, r[3] + by


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

    def t_at_x(x: float) -> float:
        lo, hi = 0.0, 1.0  # x grows along the curve, so bisection finds where it reaches x
        for _ in range(18):
            mid = (lo + hi) / 2
            if at(mid)[0] < x:
                lo = mid
            else:
                hi = mid
        return lo

    # only the stretch of the curve beside each obstacle is sampled, about every 4 units
    for r in others:
        t0, t1 = t_at_x(r[0]), t_at_x(r[2])
        a, b = at(t0), at(t1)
        steps = 2 + math.ceil((b[0] - a[0] + abs(b[1] - a[1])) / 4.0)
        for k in range(steps + 1):
            if _inside(at(t0 + (t1 - t0) * k / steps), r):
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
        ids = cards.near(window)
        if len(ids) > max_cards:
            return None
        obstacles = [_grow(cards.rects[i], margin) for i in ids]
        # a card hard against a port would shut it in: the path may then pass that card's margin
        obstacles = [o for o in obstacles if not _inside(s1, o) and not _inside(e1, o)]
        path = _search(s1, e1, obstacles, window)
        if path is not None:
            return _simplify([start, *path, end])
        pad *= 4
    return None


def _lines(
    values: list[float], low: float, high: float, extra: Iterable[float]
) -> tuple[list[float], set[float]]:
    """Grid lines along one axis: the obstacles' sides, the middle of every gap, the ports' own lines."""
    sides = sorted({v for v in values if low <= v <= high} | {low, high})
    middles = {(a + b) / 2 for a, b in zip(sides, sides[1:], strict=False)}
    return sorted(set(sides) | middles | set(extra)), set(sides) - {low, high}


def _search(s: Point, e: Point, obstacles: list[Rect], window: Rect) -> list[Point] | None:
    xs, x_sides = _lines([v for o in obstacles for v in (o[0], o[2])], window[0], window[2], (s[0], e[0]))
    ys, y_sides = _lines([v for o in obstacles for v in (o[1], o[3])], window[1], window[3], (s[1], e[1]))
    nx, ny = len(xs), len(ys)
    # segment (i, j)→(i+1, j) is blocked when it runs through an obstacle; likewise (i, j)→(i, j+1)
    h_blocked: set[tuple[int, int]] = set()
    v_blocked: set[tuple[int, int]] = set()
    for o in obstacles:
        i0, i1 = bisect_left(xs, o[0]), bisect_right(xs, o[2]) - 1  # lines within [left, right]
        j0, j1 = bisect_left(ys, o[1]), bisect_right(ys, o[3]) - 1
        inner_i = [i for i in range(i0, i1 + 1) if o[0] < xs[i] < o[2]]
        inner_j = [j for j in range(j0, j1 + 1) if o[1] < ys[j] < o[3]]
        for j in inner_j:
            for i in range(i0, i1):
                h_blocked.add((i, j))
        for i in inner_i:
            for j in range(j0, j1):
                v_blocked.add((i, j))
    si, sj = xs.index(s[0]), ys.index(s[1])
    ei, ej = xs.index(e[0]), ys.index(e[1])
    ex, ey = e

    def h(i: int, j: int) -> float:
        return abs(xs[i] - ex) + abs(ys[j] - ey)

    # directions: 0 east, 1 west, 2 south, 3 north
    steps = ((1, 0), (-1, 0), (0, 1), (0, -1))
    start = (si, sj, 0)  # leaving the exit port eastwards
    best = {start: 0.0}
    came: dict[tuple[int, int, int], tuple[int, int, int]] = {}
    heap = [(h(si, sj), 0.0, start)]
    goal: tuple[int, int, int] | None = None
    steps_left = MAX_STEPS
    while heap and steps_left:
        steps_left -= 1
        _f, g, state = heapq.heappop(heap)
        if g > best.get(state, math.inf):
            continue
        i, j, d = state
        if (i, j) == (ei, ej):
            if d == 0:
                goal = state
                break
            g += BEND_COST  # it still has to turn east into the port
            final = (i, j, 0)
            if g < best.get(final, math.inf):
                best[final] = g
                came[final] = state
                heapq.heappush(heap, (g, g, final))
            continue
        for nd, (di, dj) in enumerate(steps):
            if nd ^ 1 == d:  # no U-turns (0↔1, 2↔3)
                continue
            ni, nj = i + di, j + dj
            if not (0 <= ni < nx and 0 <= nj < ny):
                continue
            if di and (min(i, ni), j) in h_blocked:
                continue
            if dj and (i, min(j, nj)) in v_blocked:
                continue
            if di:
                length = abs(xs[ni] - xs[i]) * (1 + EDGE_COST if ys[j] in y_sides else 1)
            else:
                length = abs(ys[nj] - ys[j]) * (1 + EDGE_COST if xs[i] in x_sides else 1)
            cost = g + length + (BEND_COST if nd != d else 0.0)
            nxt = (ni, nj, nd)
            if cost < best.get(nxt, math.inf):
                best[nxt] = cost
                came[nxt] = state
                heapq.heappush(heap, (cost + h(ni, nj), cost, nxt))
    if goal is None:
        return None
    cells = [goal]
    while cells[-1] in came:
        cells.append(came[cells[-1]])
    cells.reverse()
    points: list[Point] = []
    for i, j, _d in cells:
        p = (xs[i], ys[j])
        if not points or points[-1] != p:
            points.append(p)
    return points


def _simplify(points: list[Point]) -> list[Point]:
    """Drop repeated points and the middle of three points on one line."""
    out: list[Point] = []
    for p in points:
        if out and out[-1] == p:
            continue
        if len(out) >= 2:
            a, b = out[-2], out[-1]
            if (a[0] == b[0] == p[0]) or (a[1] == b[1] == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return out


def polyline_hits(points: list[Point], rect: Rect) -> bool:
    """Whether a path of straight segments passes through the inside of ``rect``."""
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        dx, dy = x1 - x0, y1 - y0
        t0, t1 = 0.0, 1.0
        for p, q in ((-dx, x0 - rect[0]), (dx, rect[2] - x0), (-dy, y0 - rect[1]), (dy, rect[3] - y0)):
            if p == 0:
                if q <= 0:
                    break
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 >= t1:
                break
        else:
            return True
    return False


# ---------------------------------------------------------------------------------------------- lanes
#: How far apart parallel links run when they share a stretch of a gap between cards.
LANE_GAP = 6.0
#: How close a lane may come to a card: its ports stick out 5.5 units from the edge, plus the pen.
PORT_CLEAR = 8.0
#: Segments whose lines are closer than this (in units) share a corridor and are given lanes.
SAME_LINE = 1.0
#: Two segments on one line that overlap by less than this only touch (one ends where the other begins).
TOUCH = 1.0
#: How many times :meth:`Lanes.settle` may lay out the changed corridors while their lanes still move.
SETTLE_PASSES = 4

LinkKey = tuple[str, str]
_Member = tuple[LinkKey, int]  # a link and the index of one of its segments
#: A segment in its corridor: (low end, high end, line, side at the low end, side at the high end, where
#: the neighbour at the low end runs, where the neighbour at the high end runs) — see Lanes._span.
_Span = tuple[float, float, float, int, int, float, float]


def with_stubs(points: list[Point], margin: float = MARGIN) -> list[Point]:
    """``points`` with a corner ``margin`` after the exit port and ``margin`` before the input port (where
    the path runs straight there), so that the stretch between can move into a lane while the stubs stay
    on the ports."""
    if len(points) < 2:
        return list(points)
    out = list(points)
    (x0, y0), (x1, y1) = out[0], out[1]
    if y0 == y1 and x1 - x0 > margin + TOUCH:
        out.insert(1, (x0 + margin, y0))
    (xa, ya), (xb, yb) = out[-2], out[-1]
    if ya == yb and xb - xa > margin + TOUCH and len(out) > 2:
        out.insert(len(out) - 1, (xb - margin, yb))
    return out


class Lanes:
    """Gives parallel links their own lanes where they share a stretch of a gap between cards.

    The router finds each link's path alone, so links through the same gap between cards take the same line
    and would be drawn on top of each other. :meth:`set` files a link's path; every segment but the stubs
    at the two ports (:func:`with_stubs`) lies in a corridor (its axis and its line, to the unit), and the
    segments of a corridor whose spans overlap, directly or through one another, are spread apart
    :data:`LANE_GAP` units — less when the cards on either side leave less room, and never nearer a card
    than :data:`PORT_CLEAR`, so a lane neither enters a card nor passes over a port. Their order across the
    gap follows where each segment turns off at its ends, so that lanes do not cross needlessly; ties go by
    the links' keys, so the order is stable. :meth:`path` is a link's path with its lanes.
    """

    def __init__(self, cards: CardIndex):
        self.cards = cards
        self.base: dict[LinkKey, list[Point]] = {}
        self._corridors: dict[tuple[int, int], set[_Member]] = {}  # (axis, line) → members
        self._lines: dict[_Member, float] = {}  # where each member's segment runs, once spread
        self._dirty: set[tuple[int, int]] = set()

    @staticmethod
    def _segments(points: list[Point]) -> Iterable[tuple[int, int, float]]:
        """(index, axis, line) of each segment between the stubs: axis 0 runs along x at y = line, 1 along
        y at x = line."""
        for k in range(1, len(points) - 2):
            (x0, y0), (x1, y1) = points[k], points[k + 1]
            if y0 == y1 and x0 != x1:
                yield k, 0, y0
            elif x0 == x1 and y0 != y1:
                yield k, 1, x0

    def set(self, key: LinkKey, points: list[Point] | None) -> None:
        """File (or, with None, forget) ``key``'s path; :meth:`settle` then spreads the corridors it
        left and joined."""
        old = self.base.pop(key, None)
        if old is not None:
            for k, axis, line in self._segments(old):
                corridor = (axis, round(line / SAME_LINE))
                members = self._corridors.get(corridor)
                if members is not None:
                    members.discard((key, k))
                    self._dirty.add(corridor)
                    if not members:
                        del self._corridors[corridor]
                self._lines.pop((key, k), None)
        if points is not None:
            points = with_stubs(points)
            self.base[key] = points
            for k, axis, line in self._segments(points):
                corridor = (axis, round(line / SAME_LINE))
                self._corridors.setdefault(corridor, set()).add((key, k))
                self._dirty.add(corridor)

    def settle(self) -> set[LinkKey]:
        """Spread the corridors that changed since the last call; returns the links whose lanes moved."""
        moved: set[LinkKey] = set()
        # In a fixed order, and again while lanes still move (at most SETTLE_PASSES times): where two
        # segments run side by side into the same corner, their order follows their neighbours' lanes in the
        # crossing corridor, which an earlier corridor's pass may only have used before they were laid out.
        corridors = sorted(self._dirty)
        self._dirty.clear()
        for _pass in range(SETTLE_PASSES):
            now_moved: set[LinkKey] = set()
            for axis, bucket in corridors:
                members = self._near(axis, bucket)
                if members:
                    now_moved |= self._spread(axis, members)
            moved |= now_moved
            if not now_moved:
                break
        return moved

    def _near(self, axis: int, bucket: int) -> set[_Member]:
        """The members of a corridor and of those less than a lane's width beside it: segments on lines a
        unit or two apart are drawn over one another as surely as those on one line, and a lane moved a few
        units may land on a neighbouring corridor's line."""
        reach = math.ceil(LANE_GAP / SAME_LINE)
        members: set[_Member] = set()
        for near in range(bucket - reach + 1, bucket + reach):
            members |= self._corridors.get((axis, near), set())
        return members

    def clear(self) -> None:
        self.base.clear()
        self._corridors.clear()
        self._lines.clear()
        self._dirty.clear()

    def path(self, key: LinkKey) -> list[Point]:
        """``key``'s path with its segments moved into their lanes (corners follow; a stub gets a jog), as
        of the last :meth:`settle`."""
        points = self.base[key]
        lines: dict[int, float] = {}
        for k, _axis, line in self._segments(points):
            lines[k] = self._lines.get((key, k), line)
        if not lines or all(lines[k] == line for k, _a, line in self._segments(points)):
            return list(points)
        # each segment as (axis, line); corners are where consecutive segments' lines meet
        segs: list[tuple[int, float]] = []
        for k in range(len(points) - 1):
            (x0, y0), (_x1, y1) = points[k], points[k + 1]
            axis = 0 if y0 == y1 else 1
            segs.append((axis, lines.get(k, y0 if axis == 0 else x0)))
        out: list[Point] = [points[0]]
        for k in range(len(segs) - 1):
            (a0, l0), (a1, l1) = segs[k], segs[k + 1]
            corner = points[k + 1]
            if a0 == a1:  # a stub and its moved neighbour: a short jog where they meet
                if a0 == 0:
                    out += [(corner[0], l0), (corner[0], l1)]
                else:
                    out += [(l0, corner[1]), (l1, corner[1])]
            elif a0 == 0:
                out.append((l1, l0))
            else:
                out.append((l0, l1))
        out.append(points[-1])
        return _simplify(out)

    def _span(self, member: _Member, axis: int) -> _Span:
        """A member's segment as a :data:`_Span`. A side is where the neighbouring segment goes from that
        end across the corridor (-1, 0 or +1); where a neighbour runs is its line (in its lane)."""
        key, k = member
        points = self.base[key]
        a, b = points[k], points[k + 1]
        along, across = (0, 1) if axis == 0 else (1, 0)
        line = a[across]

        def side(p: Point, q: Point) -> int:  # the neighbour runs from the corner p to q
            d = q[across] - p[across]
            return (d > 0) - (d < 0)

        before, after = side(a, points[k - 1]), side(b, points[k + 2])
        # The segment runs between its neighbours' lanes: once a crossing corridor has moved them, two
        # segments that only met at a corner may overlap by a lane's width, and then need lanes too.
        at_a = self._lines.get((key, k - 1), a[along])
        at_b = self._lines.get((key, k + 1), b[along])
        if a[along] <= b[along]:
            return at_a, at_b, line, before, after, at_a, at_b
        return at_b, at_a, line, after, before, at_b, at_a

    def _spread(self, axis: int, members: set[_Member]) -> set[LinkKey]:
        """Lay out one corridor's lanes; returns the links whose lanes moved."""
        spans = sorted(((self._span(m, axis), m) for m in members), key=lambda s: (s[0][0], s[1]))
        moved: set[LinkKey] = set()
        group: list[tuple[_Span, _Member]] = []
        reach = -math.inf
        for span in spans:
            if group and span[0][0] >= reach - TOUCH:
                moved |= self._lay(axis, group)
                group, reach = [], -math.inf
            group.append(span)
            reach = max(reach, span[0][1])
        if group:
            moved |= self._lay(axis, group)
        return moved

    def _lay(self, axis: int, group: list[tuple[_Span, _Member]]) -> set[LinkKey]:
        """Give each segment of ``group`` (overlapping, on one line) its own lane, across the corridor."""
        middle = sum(span[2] for span, _member in group) / len(group)
        lines = self._lanes(axis, group, middle) if len(group) > 1 else {}
        moved = set()
        for (_low, _high, base, *_ends), member in group:
            at = lines.get(member, base)
            if self._lines.get(member, base) != at:
                moved.add(member[0])
            if at == base:
                self._lines.pop(member, None)
            else:
                self._lines[member] = at
        return moved

    def _lanes(self, axis: int, group: list[tuple[_Span, _Member]], line: float) -> dict[_Member, float]:
        ordered = sorted(group, key=cmp_to_key(_across))
        low, high = min(s[0][0] for s in group), max(s[0][1] for s in group)
        lo_room, hi_room = self._room(axis, line, low, high)
        n = len(group)
        width = min(LANE_GAP * (n - 1), max(0.0, lo_room + hi_room))
        first = line - width / 2
        first = max(first, line - lo_room)  # keep clear of the cards on the - side …
        first = min(first, line + hi_room - width)  # … and on the + side
        step = width / (n - 1)
        return {member: first + i * step for i, (_span, member) in enumerate(ordered)}

    def _room(self, axis: int, line: float, low: float, high: float) -> tuple[float, float]:
        """How far a segment on ``line`` from ``low`` to ``high`` may move to either side and stay
        :data:`PORT_CLEAR` away from every card."""
        reach = MARGIN + LANE_GAP
        far = reach + PORT_CLEAR
        if axis == 0:
            probe = (low, line - far, high, line + far)
        else:
            probe = (line - far, low, line + far, high)
        lo_room = hi_room = reach
        for card_id in self.cards.near(probe):
            r = self.cards.rects[card_id]
            near_side, far_side = (r[1], r[3]) if axis == 0 else (r[0], r[2])
            if far_side <= line:
                lo_room = min(lo_room, line - far_side - PORT_CLEAR)
            elif near_side >= line:
                hi_room = min(hi_room, near_side - line - PORT_CLEAR)
        return max(0.0, lo_room), max(0.0, hi_room)


def _across(a: tuple[_Span, _Member], b: tuple[_Span, _Member]) -> int:
    """Which of two overlapping segments of a corridor lies further to the + side (positive: ``a``).

    At each end, the segment whose end lies within the other's span turns off there to one side; it must lie
    on that side of the other, or it crosses it. Where both end together, the one turning to + lies on the
    + side; where both turn the same way there, they keep the order of the lanes they turn into (mirrored
    where they turn at their high ends). Ends that disagree, or nothing to go by, leave the links' keys to
    decide (a stable order)."""
    (a_low, a_high, _al, a_from, a_to, a_at_low, a_at_high) = a[0]
    (b_low, b_high, _bl, b_from, b_to, b_at_low, b_at_high) = b[0]
    vote = 0  # an end that would cross counts twice; following the crossing corridor's lanes, once
    if a_high < b_high:
        vote += 2 * a_to
    elif b_high < a_high:
        vote -= 2 * b_to
    elif a_to != b_to:
        vote += 2 * (a_to - b_to)
    else:
        vote -= a_to * _sign(a_at_high - b_at_high)
    if a_low > b_low:
        vote += 2 * a_from
    elif b_low > a_low:
        vote -= 2 * b_from
    elif a_from != b_from:
        vote += 2 * (a_from - b_from)
    else:
        vote += a_from * _sign(a_at_low - b_at_low)
    if vote:
        return _sign(vote)
    return (a[1] > b[1]) - (a[1] < b[1])


def _sign(v: float) -> int:
    return (v > 0) - (v < 0)
