"""Lanes for parallel links: routed links that share a stretch of a gap between cards are spread a few units
apart, so they can be told apart. Plain numbers (no Qt), like :mod:`ivr_studio.flow.routing`, whose paths it
takes.

The rule a user sees: two links never run side by side (parallel, overlapping by more than a unit) nearer
than :data:`LANE_GAP` units, except where the cards on either side leave too little room for all the lanes
of that stretch :data:`PORT_CLEAR` away from them; there the lanes share the room evenly, but never come
nearer one another than :data:`MIN_LANE_GAP`. A group that needs more room than that (more links through one
narrow gap than it holds at :data:`MIN_LANE_GAP`) keeps :data:`MIN_LANE_GAP` apart, centred in the gap, and
comes nearer the cards than :data:`PORT_CLEAR` (over their edges, with more links than the whole gap holds at
that spacing). No group spreads wider than :data:`MAX_SPREAD`: more links than that holds at
:data:`MIN_LANE_GAP` (such as hundreds of links back to a main menu) run nearer, as one bundle. Links into
one input port share its stub."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from itertools import repeat

from ivr_studio.flow.lane_groups import LinkKey, Member, Span, by_low, in_order, near_pairs
from ivr_studio.flow.routing import MARGIN, CardIndex, Point, simplify

#: How far apart parallel links run when they share a stretch of a gap between cards.
LANE_GAP = 6.0
#: How near lanes may come where the cards leave too little room for LANE_GAP: a highlighted link's pen.
MIN_LANE_GAP = 3.0
#: The widest a group of lanes spreads: more links than it holds MIN_LANE_GAP apart (21) are drawn as a bundle.
MAX_SPREAD = 60.0
#: How close a lane may come to a card: its ports stick out 5.5 units from the edge, plus the pen.
PORT_CLEAR = 8.0
#: Segments whose lines are closer than this (in units) share a corridor and are given lanes.
SAME_LINE = 1.0
#: Two segments on one line that overlap by less than this only touch (one ends where the other begins).
TOUCH = 1.0
#: Lanes this much less than LANE_GAP apart count as LANE_GAP apart (the sums of floats laying them out).
NEAR_ENOUGH = 1e-6
#: Corridors at least this far apart that are spread together (a group grown wide reached the other) keep
#: their sides: the lanes of each stay on its side of the other's.
KEEP_SIDES = 2 * LANE_GAP
#: How many times :meth:`Lanes.settle` may lay out the changed corridors while their lanes still move.
SETTLE_PASSES = 4


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
    at the two ports (:func:`with_stubs`) lies in a corridor (its axis and its line, to the unit). Two
    segments of one axis whose spans overlap and whose lines are nearer than :data:`LANE_GAP` — on one line,
    or on two lines a few units apart — are spread together as a group, :data:`LANE_GAP` units apart
    around the middle of their lines; a group that grows wider may come near another segment, whose group
    then joins it, until no two segments of different groups run nearer than :data:`LANE_GAP`. Lanes come
    less than :data:`LANE_GAP` apart only where the cards on either side leave less room, and never nearer
    a card than :data:`PORT_CLEAR`, so a lane neither enters a card nor passes over a port. Their order
    across the gap follows where each segment turns off at its ends, so that lanes do not cross needlessly;
    ties go by their lines and then by the links' keys, so the order is stable. :meth:`path` is a link's
    path with its lanes.
    """

    def __init__(self, cards: CardIndex):
        self.cards = cards
        self.base: dict[LinkKey, list[Point]] = {}
        self._corridors: dict[tuple[int, int], set[Member]] = {}  # (axis, line) → members
        self._lines: dict[Member, float] = {}  # where each member's segment runs, once spread
        self._dirty: set[tuple[int, int]] = set()
        self._displaced: dict[tuple[int, int], set[Member]] = {}  # (axis, lane) → members moved there
        #: (axis, line) → the jogs there: where a segment beside a port's stub moved into a lane, the path
        #: steps across at the stub's corner, a short segment of the crossing axis (line, low, high)
        self._jogs: dict[tuple[int, int], dict[Member, tuple[float, float, float]]] = {}
        self._jogs_moved: set[tuple[int, int]] = set()
        #: each member's span as last measured (dropped when its path or a neighbour's lane changes)
        self._spans: dict[Member, Span] = {}
        #: the lanes of the groups laid out during one :meth:`settle` (the cards do not move meanwhile), by
        #: their segments: a region laid out again lays out its unchanged groups as before, for free
        self._laid: dict[tuple, list[float]] = {}
        #: every (axis, line) that a corridor, a lane or a jog is filed under, to skip the empty ones
        self._filed: set[tuple[int, int]] = set()
        #: whether the last :meth:`settle` ended with every lane it laid out staying put (False: it stopped
        #: after SETTLE_PASSES passes with lanes still moving)
        self.settled = True

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
            for k in range(len(old)):
                self._spans.pop((key, k), None)
            for k, axis, line in self._segments(old):
                corridor = (axis, round(line / SAME_LINE))
                members = self._corridors.get(corridor)
                if members is not None:
                    members.discard((key, k))
                    self._dirty.add(corridor)
                    if not members:
                        del self._corridors[corridor]
                        self._unfile(corridor)
                self._move((key, k), axis, line, line, old)
        if points is not None:
            points = with_stubs(points)
            self.base[key] = points
            for k, axis, line in self._segments(points):
                corridor = (axis, round(line / SAME_LINE))
                self._corridors.setdefault(corridor, set()).add((key, k))
                self._filed.add(corridor)
                self._dirty.add(corridor)

    def settle(self) -> set[LinkKey]:
        """Spread the corridors that changed since the last call; returns the links whose lanes moved."""
        moved: set[LinkKey] = set()
        self._laid.clear()
        # In a fixed order, and again while lanes still move (at most SETTLE_PASSES times): where two
        # segments run side by side into the same corner, their order follows their neighbours' lanes in the
        # crossing corridor, which an earlier corridor's pass may only have used before they were laid out.
        # Only the corridors beside a segment that moved are laid out again. The passes come to rest because
        # the order of a group's segments does not depend on the order they come in (which followed the
        # crossing corridors' lanes), and corridors that a wide group reached keep their sides (see
        # lane_groups.in_order); before, clusters of links back to a main menu swapped lanes in every pass.
        corridors = sorted(self._dirty)
        self._dirty.clear()
        self.settled = False
        for _pass in range(SETTLE_PASSES):
            shifted: list[tuple[Member, int]] = []
            done: set[tuple[int, int]] = set()
            for axis, bucket in corridors:
                if (axis, bucket) not in done:
                    shifted += self._settle_around(axis, bucket, done)
            moved.update(key for (key, _k), _axis in shifted)
            beside: set[tuple[int, int]] = set()
            for (key, k), axis in shifted:
                points = self.base[key]
                for n in (k - 1, k + 1):
                    if 1 <= n < len(points) - 2:  # a neighbour in a corridor, not a stub
                        beside.add((1 - axis, round(points[n][axis] / SAME_LINE)))
            beside |= self._jogs_moved
            self._jogs_moved = set()
            if not beside:
                self.settled = True
                break
            corridors = sorted(beside)
        return moved

    def _settle_around(self, axis: int, bucket: int, done: set[tuple[int, int]]) -> list[tuple[Member, int]]:
        """Lay out the segments near ``bucket`` together with every segment their lanes come near, and
        those theirs come near, until no lane of the region is nearer than a lane's width to a segment
        outside it; adds the region's corridors to ``done`` and returns the segments that moved (with their
        axis).

        A group of n lanes is (n - 1) lane widths wide, so a group that grows may reach a corridor further
        away, or a lane that another group moved towards it: the region gathers the segments whose lines,
        or whose lanes, lie within a lane's width of its lines and lanes."""
        lo, hi = bucket, bucket
        spans: list[tuple[Span, Member]] = []  # the region's segments, by where they begin
        gathered: set[Member] = set()
        jogs: list[tuple[float, float, float]] = []  # the jogs of other segments across the region
        at: list[float] = []
        lines_lo, lines_hi = math.inf, -math.inf  # where the region's segments run, before their lanes
        seen_lo, seen_hi = bucket + 1, bucket  # the buckets gathered so far (none yet)
        reach = math.ceil(LANE_GAP / SAME_LINE)
        while True:
            want_lo, want_hi = lo - reach, hi + reach
            fresh = []
            filed = self._filed
            for b in range(want_lo, want_hi + 1):
                if seen_lo <= b <= seen_hi or (axis, b) not in filed:
                    continue
                for index in (self._corridors, self._displaced):
                    for m in index.get((axis, b), ()):
                        if m not in gathered:
                            gathered.add(m)
                            fresh.append(m)
                jogs += self._jogs.get((axis, b), {}).values()
            seen_lo, seen_hi = min(seen_lo, want_lo), max(seen_hi, want_hi)
            if not fresh:
                break
            known = self._spans
            for m in fresh:
                span = known.get(m)
                if span is None:
                    span = known[m] = self._span(m, axis)
                spans.append((span, m))
                lines_lo, lines_hi = min(lines_lo, span[2]), max(lines_hi, span[2])
            spans.sort(key=by_low)
            at = self._layout(axis, spans, jogs)
            lo = min(lo, round(min(lines_lo, *at) / SAME_LINE))
            hi = max(hi, round(max(lines_hi, *at) / SAME_LINE))
        done.update(zip(repeat(axis), range(seen_lo, seen_hi + 1)))
        moved: list[tuple[Member, int]] = []
        for (span, member), lane in zip(spans, at, strict=True):
            if self._lines.get(member, span[2]) != lane:
                moved.append((member, axis))
                self._move(member, axis, span[2], lane)
        return moved

    def _move(
        self, member: Member, axis: int, base: float, at: float, points: list[Point] | None = None
    ) -> None:
        """Put ``member`` (its line ``base``) on the lane ``at``, filed by where it runs (and its jog at a
        stub's corner by where that runs)."""
        points = self.base[member[0]] if points is None else points
        k, along, across = member[1], axis, 1 - axis
        corners = []
        if k == 1 and points[0][across] == points[1][across]:
            corners.append(points[1][along])
        if k == len(points) - 3 and points[-1][across] == points[-2][across]:
            corners.append(points[-2][along])
        for corner in corners:
            where = (across, round(corner / SAME_LINE))
            jogs = self._jogs.get(where)
            if jogs is not None and jogs.pop(member, None) is not None:
                self._jogs_moved.add(where)
                if not jogs:
                    del self._jogs[where]
                    self._unfile(where)
            if at != base:
                self._jogs.setdefault(where, {})[member] = (corner, min(at, base), max(at, base))
                self._filed.add(where)
                self._jogs_moved.add(where)
        self._spans.pop((member[0], k - 1), None)
        self._spans.pop((member[0], k + 1), None)
        was = self._lines.pop(member, None)
        if was is not None:
            here = (axis, round(was / SAME_LINE))
            self._displaced[here].discard(member)
            if not self._displaced[here]:
                del self._displaced[here]
                self._unfile(here)
        if at != base:
            self._lines[member] = at
            lane = (axis, round(at / SAME_LINE))
            self._displaced.setdefault(lane, set()).add(member)
            self._filed.add(lane)

    def _unfile(self, where: tuple[int, int]) -> None:
        if where not in self._corridors and where not in self._displaced and where not in self._jogs:
            self._filed.discard(where)

    def clear(self) -> None:
        self.base.clear()
        self._corridors.clear()
        self._lines.clear()
        self._dirty.clear()
        self._displaced.clear()
        self._jogs.clear()
        self._jogs_moved.clear()
        self._spans.clear()
        self._laid.clear()
        self._filed.clear()

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

    def _span(self, member: Member, axis: int) -> Span:
        """A member's segment as a :data:`~ivr_studio.flow.lane_groups.Span`. A side is where the neighbouring segment goes from that
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

    def _layout(
        self, axis: int, spans: list[tuple[Span, Member]], jogs: list[tuple[float, float, float]]
    ) -> list[float]:
        """Where each of ``spans`` (segments of corridors of one axis, in the order of their low ends)
        runs: on its own line, unless it runs beside another for more than :data:`TOUCH` units nearer
        than :data:`LANE_GAP`; then the two, with all that each is already laid out with, are spread
        together as one group — again, round by round, until no two segments of different groups run
        that near. A group that runs that near a jog (which stays where its stub is) moves aside, a lane's
        width past it, as far as the cards leave room."""
        at = [span[2] for span, _member in spans]
        group = list(range(len(spans)))  # each segment's group, by the index of one of its members
        groups: dict[int, list[int]] = {}
        joined: set[int] = set()

        def join(i: int, j: int) -> None:
            keep, gone = group[i], group[j]
            if len(groups[keep]) < len(groups[gone]):
                keep, gone = gone, keep
            for k in groups[gone]:
                group[k] = keep
            groups[keep] += groups.pop(gone)
            joined.discard(gone)
            joined.add(keep)

        # First the segments on one line whose spans overlap, directly or through one another (most
        # groups are these) ...
        reach: dict[float, float] = {}  # line → how far its chain of overlapping spans reaches
        chain: dict[float, list[int]] = {}  # line → the members of its chain so far
        for i, (span, _member) in enumerate(spans):
            line, low, high = span[2], span[0], span[1]
            far = reach.get(line)
            if far is not None and low < far - TOUCH:
                ks = chain[line]
                group[i] = ks[0]
                ks.append(i)
                joined.add(ks[0])
                if high > far:
                    reach[line] = high
            else:
                chain[line] = groups[i] = [i]
                reach[line] = high if far is None or high > far else far
        # ... then, round by round, every two groups with segments that overlap nearer than a lane's width
        # (none where all run on one line, or on lines a lane's width apart and none was spread)
        lines_apart = sorted(reach)
        if not jogs and (
            len(lines_apart) == 1
            or (
                not joined
                and all(b - a >= LANE_GAP for a, b in zip(lines_apart, lines_apart[1:], strict=False))
            )
        ):
            self._lay_joined(axis, spans, at, groups, joined)
            return at
        self._join_near(axis, spans, at, group, groups, joined, join)
        for _attempt in range(SETTLE_PASSES):
            if not self._step_aside(axis, spans, at, groups, jogs):
                break
            joined = set()
            self._join_near(axis, spans, at, group, groups, joined, join, lay_first=False)
        return at

    def _step_aside(
        self,
        axis: int,
        spans: list[tuple[Span, Member]],
        at: list[float],
        groups: dict[int, list[int]],
        jogs: list[tuple[float, float, float]],
    ) -> bool:
        """Move each group that runs nearer than a lane's width beside a jog past it, to the nearer side
        the cards leave room on; whether any moved."""
        near = LANE_GAP - NEAR_ENOUGH
        stepped = False
        # the jogs by their lines: a group looks only at those within a lane's width of its band of lanes
        # (a little wider, for the sums of floats), in their order
        by_line = sorted(range(len(jogs)), key=lambda j: jogs[j][0])
        jog_lines = [jogs[j][0] for j in by_line]
        jog_lows = [jogs[j][1] for j in by_line]
        jog_highs = [jogs[j][2] for j in by_line]
        reach = near + NEAR_ENOUGH
        for ks in groups.values():
            if len(ks) == 1:
                lo = hi = at[ks[0]]
            else:
                lo, hi = min(at[k] for k in ks), max(at[k] for k in ks)
            first = bisect_right(jog_lines, lo - reach)
            last = bisect_left(jog_lines, hi + reach, first)
            if first >= last:
                continue
            lanes = [at[k] for k in ks]
            start = min(spans[k][0][0] for k in ks)
            end = max(spans[k][0][1] for k in ks)
            along = [  # the jogs whose stretch overlaps the group's
                by_line[n]
                for n in range(first, last)
                if (end if end < jog_highs[n] else jog_highs[n])
                - (start if start > jog_lows[n] else jog_lows[n])
                > TOUCH
            ]
            for j in sorted(along):
                line, low, high = jogs[j]
                if not any(
                    abs(at[k] - line) < near and min(spans[k][0][1], high) - max(spans[k][0][0], low) > TOUCH
                    for k in ks
                ):
                    continue
                up, down = line + LANE_GAP - min(lanes), line - LANE_GAP - max(lanes)
                middle = sum(spans[k][0][2] for k in ks) / len(ks)
                lo_room, hi_room = self._room(
                    axis, middle, start, end, max(abs(up), abs(down)) + LANE_GAP * len(ks)
                )
                for delta in sorted((up, down), key=abs):
                    if min(lanes) + delta >= middle - lo_room and max(lanes) + delta <= middle + hi_room:
                        for k in ks:
                            at[k] += delta
                        stepped = True
                        break
                break
        return stepped

    def _join_near(
        self,
        axis: int,
        spans: list[tuple[Span, Member]],
        at: list[float],
        group: list[int],
        groups: dict[int, list[int]],
        joined: set[int],
        join: Callable[[int, int], None],
        lay_first: bool = True,
    ) -> None:
        """Round by round: lay out the groups ``joined``, then join every two groups with segments that
        overlap nearer than a lane's width, until none do."""
        first = True
        while True:
            if lay_first or not first:
                self._lay_joined(axis, spans, at, groups, joined)
            # the groups just laid out: only they can have come near another (the others did not move,
            # and were not near one another when last looked at), but all of them in the first round
            fresh = None if first else set(joined)
            first = False
            joined.clear()
            for i, j in near_pairs(spans, at, group, groups, fresh, LANE_GAP - NEAR_ENOUGH, TOUCH):
                if group[i] != group[j]:
                    join(i, j)
            if not joined:
                break

    def _lay_joined(
        self,
        axis: int,
        spans: list[tuple[Span, Member]],
        at: list[float],
        groups: dict[int, list[int]],
        joined: set[int],
    ) -> None:
        """Lay out each group of ``joined`` around the middle of its segments' lines, into ``at``."""
        for g in joined:
            ks = sorted(groups[g])
            group = [spans[k] for k in ks]
            key = (axis, *group)
            lanes = self._laid.get(key)
            if lanes is None:
                middle = sum(span[2] for span, _member in group) / len(ks)
                lines = self._lanes(axis, group, middle)
                lanes = self._laid[key] = [lines[member] for _span, member in group]
            for k, lane in zip(ks, lanes, strict=True):
                at[k] = lane

    def _lanes(self, axis: int, group: list[tuple[Span, Member]], line: float) -> dict[Member, float]:
        base = self.base

        def as_routed(span: tuple[Span, Member]) -> tuple[float, Member]:
            key, k = span[1]
            return min(base[key][k][axis], base[key][k + 1][axis]), span[1]

        ordered = in_order(group, KEEP_SIDES, as_routed)
        low, high = min(s[0][0] for s in group), max(s[0][1] for s in group)
        n = len(group)
        lo_room, hi_room = self._room(axis, line, low, high, min(LANE_GAP * (n - 1), MAX_SPREAD))
        room = lo_room + hi_room
        width = min(LANE_GAP * (n - 1), room, MAX_SPREAD)
        if width < MIN_LANE_GAP * (n - 1):  # too many for the room: MIN_LANE_GAP apart, in its middle
            width = min(MIN_LANE_GAP * (n - 1), MAX_SPREAD)
            first = line - lo_room + (room - width) / 2
        else:
            first = line - width / 2
            first = max(first, line - lo_room)  # keep clear of the cards on the - side …
            first = min(first, line + hi_room - width)  # … and on the + side
        step = width / (n - 1)
        return {member: first + i * step for i, (_span, member) in enumerate(ordered)}

    def _room(self, axis: int, line: float, low: float, high: float, want: float) -> tuple[float, float]:
        """How far (up to ``want``) a segment on ``line`` from ``low`` to ``high`` may move to either side
        and stay :data:`PORT_CLEAR` away from every card."""
        reach = max(want, MARGIN + LANE_GAP)
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
