"""The orthogonal search under link routing, in plain numbers: a grid of lines round rectangles (the cards,
grown by the margin a link keeps from them) and an A* search along it with a cost for every bend.

The lines of the grid run along the obstacles' sides and midway between neighbouring sides, so a path keeps
to the middle of the gaps; a stretch of line through an obstacle is blocked. :func:`search` finds the
cheapest path between two ports; :mod:`ivr_studio.flow.trunks` searches the same grid for the nearest way
onto paths already found to the same port.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

Rect = tuple[float, float, float, float]  # left, top, right, bottom
Point = tuple[float, float]

BEND_COST = 40.0  # a corner costs as much as this many units of length
EDGE_COST = 0.3  # running along a card's side costs this much more per unit than the middle of a gap
MAX_STEPS = 20_000  # states the search may expand before it gives up (a link then keeps its curve)
GREED = 2.0  # how much more the distance still to go weighs than the way come, searching across a big flow


def inside(p: Point, r: Rect) -> bool:
    return r[0] < p[0] < r[2] and r[1] < p[1] < r[3]


def grow(r: Rect, by: float) -> Rect:
    return r[0] - by, r[1] - by, r[2] + by, r[3] + by


def grid_lines(
    values: list[float], low: float, high: float, extra: Iterable[float]
) -> tuple[list[float], set[float]]:
    """Grid lines along one axis: the obstacles' sides, the middle of every gap, the ports' own lines."""
    sides = sorted({v for v in values if low <= v <= high} | {low, high})
    middles = {(a + b) / 2 for a, b in zip(sides, sides[1:], strict=False)}
    return sorted(set(sides) | middles | set(extra)), set(sides) - {low, high}


class Grid:
    """The lines a search runs along within ``window`` (:func:`grid_lines`, plus the ``extra`` lines of each
    axis) and the stretches between neighbouring crossings that run through an obstacle."""

    def __init__(
        self, obstacles: list[Rect], window: Rect, extra_x: Iterable[float], extra_y: Iterable[float]
    ):
        xs, x_sides = grid_lines([v for o in obstacles for v in (o[0], o[2])], window[0], window[2], extra_x)
        ys, y_sides = grid_lines([v for o in obstacles for v in (o[1], o[3])], window[1], window[3], extra_y)
        # stretch (i, j)→(i+1, j) is blocked when it runs through an obstacle; likewise (i, j)→(i, j+1)
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
        self.xs, self.ys, self.x_sides, self.y_sides = xs, ys, x_sides, y_sides
        self.h_blocked, self.v_blocked = h_blocked, v_blocked


def search(
    s: Point, e: Point, obstacles: list[Rect], window: Rect, deepest_first: bool = False
) -> list[Point] | None:
    """The cheapest orthogonal path from ``s`` (leaving eastwards) to ``e`` (entered eastwards) within
    ``window`` that keeps out of ``obstacles``, as its corner points; None if there is none (or the search
    ran out of :data:`MAX_STEPS`).

    Among states of equal estimated cost the search expands first the one reached more cheaply, or, with
    ``deepest_first``, the one furthest along: on a big open grid (a link across a big flow) many paths
    cost the same, and following one of them to its end saves expanding them all.
    """
    tie, greed = (-1.0, GREED) if deepest_first else (1.0, 1.0)
    grid = Grid(obstacles, window, (s[0], e[0]), (s[1], e[1]))
    xs, ys, x_sides, y_sides = grid.xs, grid.ys, grid.x_sides, grid.y_sides
    h_blocked, v_blocked = grid.h_blocked, grid.v_blocked
    nx, ny = len(xs), len(ys)
    si, sj = xs.index(s[0]), ys.index(s[1])
    ei, ej = xs.index(e[0]), ys.index(e[1])
    ex, ey = e

    def h(i: int, j: int) -> float:
        return (abs(xs[i] - ex) + abs(ys[j] - ey)) * greed

    # directions: 0 east, 1 west, 2 south, 3 north
    steps = ((1, 0), (-1, 0), (0, 1), (0, -1))
    start = (si, sj, 0)  # leaving the exit port eastwards
    best = {start: 0.0}
    came: dict[tuple[int, int, int], tuple[int, int, int]] = {}
    heap = [(h(si, sj), 0.0, 0.0, start)]
    goal: tuple[int, int, int] | None = None
    steps_left = MAX_STEPS
    while heap and steps_left:
        steps_left -= 1
        _f, _tie, g, state = heapq.heappop(heap)
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
                heapq.heappush(heap, (g, tie * g, g, final))
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
                heapq.heappush(heap, (cost + h(ni, nj), tie * cost, cost, nxt))
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


def simplify(points: list[Point]) -> list[Point]:
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
