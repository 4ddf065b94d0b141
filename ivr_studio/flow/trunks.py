"""Paths already found to one input port, shared by the links routed to it after them.

In a big flow thousands of links can lead to the same port (every last menu's links back to the main menu),
and each would otherwise search its own way across the flow. A :class:`Trunk` keeps the paths found to one
port as a tree rooted at the port: every corner knows the next corner on its way to the port, and what the
rest of that way costs (length plus :data:`~ivr_studio.flow.orthogonal.BEND_COST` a corner). A new link to
the port searches only the small window round its own exit (:func:`join`) for the cheapest way onto any
stretch of the tree, counting what the way on along the tree costs, and follows the tree from there. Its
own part of the path joins the tree for the links after it.

Every stretch of the tree keeps clear of the cards (each path was checked against all of them when it was
found), so a path made of a clear way onto the tree and the tree's way on is clear too. The trunks are
dropped whenever a card moves (see :attr:`ivr_studio.flow.routing.CardIndex.shared`).
"""

from __future__ import annotations

import heapq
import itertools
import math
from bisect import bisect_left, bisect_right

from ivr_studio.flow.orthogonal import BEND_COST, MAX_STEPS, Grid, Point, Rect, path_to

CELL = 400.0  # the side of the squares the stretches are filed in


def _direction(a: Point, b: Point) -> int:
    """The direction from ``a`` to ``b`` (on one line) as the search numbers them: 0 east, 1 west, 2 south,
    3 north."""
    if a[1] == b[1]:
        return 0 if b[0] > a[0] else 1
    return 2 if b[1] > a[1] else 3


def _length(a: Point, b: Point) -> float:
    return abs(b[0] - a[0]) + abs(b[1] - a[1])


class Trunk:
    """The paths found so far to the input port ``end``, as a tree of corners rooted at the port.

    Corner ``n`` lies at ``points[n]``; its stretch runs to corner ``next[n]`` in direction ``out[n]``, and
    ``rest[n]`` is the cost of the way from ``points[n]`` on to the port, moving in ``out[n]``.
    """

    def __init__(self, end: Point):
        self.points: list[Point] = [end]
        self.next: list[int] = [-1]
        self.out: list[int] = [0]  # the port is entered eastwards
        self.rest: list[float] = [0.0]
        self._cells: dict[tuple[int, int], list[int]] = {}

    def add(self, corners: list[Point], via: int = 0) -> None:
        """File a path's corners, from the end of its stub at the exit port to the point where it reaches
        the tree (which lies on corner ``via``'s stretch, or is the port itself with ``via`` 0)."""
        last = corners[-1]
        if last == self.points[via]:
            node = via
        else:  # its stretch is part of corner ``via``'s, which is filed already
            rest = self.rest[via] - _length(self.points[via], last)
            node = self._corner(last, self.next[via], self.out[via], rest)
        for p in reversed(corners[:-1]):
            if p == self.points[node]:
                continue
            out = _direction(p, self.points[node])
            turn = BEND_COST if out != self.out[node] else 0.0
            node = self._corner(p, node, out, _length(p, self.points[node]) + turn + self.rest[node])
            if self.next[node] != 0:  # the stub into the port is not shared: it runs beside the target card
                self._file(node)

    def path_from(self, via: int, at: Point) -> list[Point]:
        """The way from ``at`` (on corner ``via``'s stretch) along the tree to the port."""
        points = [at]
        node = self.next[via]
        while node != -1:
            points.append(self.points[node])
            node = self.next[node]
        return points

    def stretches_in(self, window: Rect) -> list[int]:
        """The corners whose stretches touch ``window``."""
        found: dict[int, None] = {}
        for key in _cells(window):
            for node in self._cells.get(key, ()):
                if node in found:
                    continue
                (ax, ay), (bx, by) = self.points[node], self.points[self.next[node]]
                if (
                    min(ax, bx) <= window[2]
                    and window[0] <= max(ax, bx)
                    and min(ay, by) <= window[3]
                    and (window[1] <= max(ay, by))
                ):
                    found[node] = None
        return list(found)

    def _corner(self, p: Point, nxt: int, out: int, rest: float) -> int:
        self.points.append(p)
        self.next.append(nxt)
        self.out.append(out)
        self.rest.append(rest)
        return len(self.points) - 1

    def _file(self, node: int) -> None:
        a, b = self.points[node], self.points[self.next[node]]
        box = (min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1]))
        for key in _cells(box):
            self._cells.setdefault(key, []).append(node)


def _cells(r: Rect) -> list[tuple[int, int]]:
    return [
        (cx, cy)
        for cx in range(math.floor(r[0] / CELL), math.floor(r[2] / CELL) + 1)
        for cy in range(math.floor(r[1] / CELL), math.floor(r[3] / CELL) + 1)
    ]


def join(s: Point, trunk: Trunk, obstacles: list[Rect], window: Rect) -> tuple[list[Point], int] | None:
    """The cheapest way from ``s`` (leaving eastwards) within ``window``, out of ``obstacles``, onto a
    stretch of ``trunk`` and along it to the port, counting the cost of the way on along the tree: the way's
    corners up to the point where it reaches the tree, and the corner whose stretch that point lies on.
    None when no stretch of the tree can be reached within the window.
    """
    nodes = trunk.stretches_in(window)
    if not nodes:
        return None
    inside_x = lambda v: window[0] <= v <= window[2]  # noqa: E731
    inside_y = lambda v: window[1] <= v <= window[3]  # noqa: E731
    extra_x, extra_y = {s[0]}, {s[1]}
    for node in nodes:
        for p in (trunk.points[node], trunk.points[trunk.next[node]]):
            if inside_x(p[0]):
                extra_x.add(p[0])
            if inside_y(p[1]):
                extra_y.add(p[1])
    grid = Grid(obstacles, window, extra_x, extra_y)
    xs, ys = grid.xs, grid.ys
    h_blocked, v_blocked = grid.h_blocked, grid.v_blocked
    x_gaps, y_gaps, x_weight, y_weight = grid.x_gaps, grid.y_gaps, grid.x_weight, grid.y_weight
    nx, ny = len(xs), len(ys)
    # the crossings of the grid (numbered i * ny + j, as the grid numbers them) that lie on a stretch, by the
    # direction the stretch runs there: the cost of the way on from there and the corner whose stretch it is
    # (the cheapest, where stretches lie on one line)
    goals: dict[int, dict[int, tuple[float, int]]] = {}

    def reach(at: int, out: int, rest: float, node: int) -> None:
        there = goals.setdefault(at, {})
        if out not in there or rest < there[out][0]:
            there[out] = (rest, node)

    for node in nodes:
        a, b = trunk.points[node], trunk.points[trunk.next[node]]
        out, rest = trunk.out[node], trunk.rest[node]
        if a[0] == b[0]:  # vertical: every horizontal line it crosses inside the window
            if not inside_x(a[0]):
                continue
            i = bisect_left(xs, a[0])
            for j in range(bisect_left(ys, min(a[1], b[1])), bisect_right(ys, max(a[1], b[1]))):
                reach(i * ny + j, out, rest - abs(ys[j] - a[1]), node)
        else:
            if not inside_y(a[1]):
                continue
            j = bisect_left(ys, a[1])
            for i in range(bisect_left(xs, min(a[0], b[0])), bisect_right(xs, max(a[0], b[0]))):
                reach(i * ny + j, out, rest - abs(xs[i] - a[0]), node)
    if not goals:
        return None
    # the far end of each stretch and the cost on from there: a way onto a stretch and along it to its
    # end is never shorter than the distance to that end, so the cheapest of these sums (the cards ignored)
    # is never more than what the way on from a crossing costs, and the search goes straight for the best
    ends = list(
        {
            (b[0], b[1], trunk.rest[node] - _length(trunk.points[node], b))
            for node in nodes
            for b in (trunk.points[trunk.next[node]],)
        }
    )
    known: dict[int, float] = {}

    def h(at: int) -> float:
        cost = known.get(at)
        if cost is None:
            i, j = divmod(at, ny)
            x, y = xs[i], ys[j]
            cost = known[at] = min([abs(x - gx) + abs(y - gy) + rest for gx, gy, rest in ends])
        return cost

    # a state is crossing * 4 + direction (0 east, 1 west, 2 south, 3 north)
    start = (xs.index(s[0]) * ny + ys.index(s[1])) * 4
    best = {start: 0.0}
    came: dict[int, int] = {}
    order = itertools.count()
    heap: list[tuple[float, int, float, int, int]] = [(h(start >> 2), next(order), 0.0, start, -1)]
    push, pop, inf = heapq.heappush, heapq.heappop, math.inf
    steps_left = MAX_STEPS
    while heap and steps_left:
        steps_left -= 1
        _f, _n, g, state, reached = pop(heap)
        if reached != -1:  # the cheapest way on: along the tree from here
            return path_to(state, came, xs, ys), reached
        if g > best.get(state, inf):
            continue
        at, d = state >> 2, state & 3
        for out, (rest, node) in goals.get(at, {}).items():
            if out ^ 1 == d:  # onto the tree against its way: a U-turn
                continue
            total = g + (BEND_COST if out != d else 0.0) + rest
            push(heap, (total, next(order), total, state, node))
        i, j = divmod(at, ny)
        # the four neighbours, never back the way it came (no U-turns: 0↔1, 2↔3)
        if d != 1 and i + 1 < nx and at not in h_blocked:
            cost = g + x_gaps[i] * y_weight[j] + (BEND_COST if d != 0 else 0.0)
            nxt = (at + ny) * 4
            if cost < best.get(nxt, inf):
                best[nxt] = cost
                came[nxt] = state
                push(heap, (cost + h(at + ny), next(order), cost, nxt, -1))
        if d != 0 and i > 0 and at - ny not in h_blocked:
            cost = g + x_gaps[i - 1] * y_weight[j] + (BEND_COST if d != 1 else 0.0)
            nxt = (at - ny) * 4 + 1
            if cost < best.get(nxt, inf):
                best[nxt] = cost
                came[nxt] = state
                push(heap, (cost + h(at - ny), next(order), cost, nxt, -1))
        if d != 3 and j + 1 < ny and at not in v_blocked:
            cost = g + y_gaps[j] * x_weight[i] + (BEND_COST if d != 2 else 0.0)
            nxt = (at + 1) * 4 + 2
            if cost < best.get(nxt, inf):
                best[nxt] = cost
                came[nxt] = state
                push(heap, (cost + h(at + 1), next(order), cost, nxt, -1))
        if d != 2 and j > 0 and at - 1 not in v_blocked:
            cost = g + y_gaps[j - 1] * x_weight[i] + (BEND_COST if d != 3 else 0.0)
            nxt = (at - 1) * 4 + 3
            if cost < best.get(nxt, inf):
                best[nxt] = cost
                came[nxt] = state
                push(heap, (cost + h(at - 1), next(order), cost, nxt, -1))
    return None
