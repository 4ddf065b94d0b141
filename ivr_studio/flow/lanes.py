"""Lanes for parallel links: routed links that share a stretch of a gap between cards are spread a few units
apart, so they can be told apart. Plain numbers (no Qt), like :mod:`ivr_studio.flow.routing`, whose paths it
takes."""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import cmp_to_key

from ivr_studio.flow.routing import MARGIN, CardIndex, Point, simplify

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
        return simplify(out)

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
