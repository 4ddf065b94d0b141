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
    axis) and the stretches between neighbouring crossings that run through an obstacle.

    Crossing (i, j) — ``xs[i]``, ``ys[j]`` — is numbered ``i * ny + j`` (``ny`` = ``len(ys)``): stretch
    (i, j)→(i+1, j) is blocked when that number is in ``h_blocked``, (i, j)→(i, j+1) when it is in
    ``v_blocked``. ``x_gaps[i]`` is the distance from line ``i`` to line ``i + 1`` across x, and ``x_weight[i]``
    what a unit along line ``i`` costs (more along a card's side, :data:`EDGE_COST`); likewise for y.
    """

    def __init__(
        self, obstacles: list[Rect], window: Rect, extra_x: Iterable[float], extra_y: Iterable[float]
    ):
        xs, x_sides = grid_lines([v for o in obstacles for v in (o[0], o[2])], window[0], window[2], extra_x)
        ys, y_sides = grid_lines([v for o in obstacles for v in (o[1], o[3])], window[1], window[3], extra_y)
        ny = len(ys)
        h_blocked: set[int] = set()
        v_blocked: set[int] = set()
        for o in obstacles:
            i0, i1 = bisect_left(xs, o[0]), bisect_right(xs, o[2]) - 1  # lines within [left, right]
            j0, j1 = bisect_left(ys, o[1]), bisect_right(ys, o[3]) - 1
            inner_i = [i for i in range(i0, i1 + 1) if o[0] < xs[i] < o[2]]
            inner_j = [j for j in range(j0, j1 + 1) if o[1] < ys[j] < o[3]]
            for j in inner_j:
                h_blocked.update(range(i0 * ny + j, i1 * ny + j, ny))
            for i in inner_i:
                v_blocked.update(range(i * ny + j0, i * ny + j1))
        self.xs, self.ys, self.x_sides, self.y_sides = xs, ys, x_sides, y_sides
        self.h_blocked, self.v_blocked = h_blocked, v_blocked
        self.x_gaps = [abs(b - a) for a, b in zip(xs, xs[1:], strict=False)]
        self.y_gaps = [abs(b - a) for a, b in zip(ys, ys[1:], strict=False)]
        self.x_weight = [1 + EDGE_COST if x in x_sides else 1 for x in xs]
        self.y_weight = [1 + EDGE_COST if y in y_sides else 1 for y in ys]


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
    xs, ys = grid.xs, grid.ys
    h_blocked, v_blocked = grid.h_blocked, grid.v_blocked
    x_gaps, y_gaps, x_weight, y_weight = grid.x_gaps, grid.y_gaps, grid.x_weight, grid.y_weight
    nx, ny = len(xs), len(ys)
    ex, ey = e
    to_x = [abs(x - ex) for x in xs]  # the estimate: (to_x[i] + to_y[j]) * greed
    to_y = [abs(y - ey) for y in ys]
    # a state is crossing * 4 + direction (0 east, 1 west, 2 south, 3 north), so that states compare
    # as (i, j, direction) would
    start = (xs.index(s[0]) * ny + ys.index(s[1])) * 4  # leaving the exit port eastwards
    goal_at = xs.index(e[0]) * ny + ys.index(e[1])
    best = {start: 0.0}
    came: dict[int, int] = {}
    i0, j0 = divmod(start >> 2, ny)
    heap = [((to_x[i0] + to_y[j0]) * greed, 0.0, 0.0, start)]
    goal: int | None = None
    steps_left = MAX_STEPS
    push, pop, inf = heapq.heappush, heapq.heappop, math.inf
    while heap and steps_left:
        steps_left -= 1
        _f, _tie, g, state = pop(heap)
        if g > best.get(state, inf):
            continue
        at, d = state >> 2, state & 3
        if at == goal_at:
            if d == 0:
                goal = state
                break
            g += BEND_COST  # it still has to turn east into the port
            final = at * 4
            if g < best.get(final, inf):
                best[final] = g
                came[final] = state
                push(heap, (g, tie * g, g, final))
            continue
        i, j = divmod(at, ny)
        # the four neighbours, never back the way it came (no U-turns: 0↔1, 2↔3)
        if d != 1 and i + 1 < nx and at not in h_blocked:
            cost = g + x_gaps[i] * y_weight[j] + (BEND_COST if d != 0 else 0.0)
            nxt = (at + ny) * 4
            if cost < best.get(nxt, inf):
                best[nxt] = cost
                came[nxt] = state
                push(heap, (cost + (to_x[i + 1] + to_y[j]) * greed, tie * cost, cost, nxt))
        if d != 0 and i > 0 and at - ny not in h_blocked:
            cost = g + x_gaps[i - 1] * y_weight[j] + (BEND_COST if d != 1 else 0.0)
            nxt = (at - ny) * 4 + 1
            if cost < best.get(nxt, inf):
                best[nxt] = cost
                came[nxt] = state
                push(heap, (cost + (to_x[i - 1] + to_y[j]) * greed, tie * cost, cost, nxt))
        if d != 3 and j + 1 < ny and at not in v_blocked:
            cost = g + y_gaps[j] * x_weight[i] + (BEND_COST if d != 2 else 0.0)
            nxt = (at + 1) * 4 + 2
            if cost < best.get(nxt, inf):
                best[nxt] = cost
                came[nxt] = state
                push(heap, (cost + (to_x[i] + to_y[j + 1]) * greed, tie * cost, cost, nxt))
        if d != 2 and j > 0 and at - 1 not in v_blocked:
            cost = g + y_gaps[j - 1] * x_weight[i] + (BEND_COST if d != 3 else 0.0)
            nxt = (at - 1) * 4 + 3
            if cost < best.get(nxt, inf):
                best[nxt] = cost
                came[nxt] = state
                push(heap, (cost + (to_x[i] + to_y[j - 1]) * greed, tie * cost, cost, nxt))
    if goal is None:
        return None
    return path_to(goal, came, xs, ys)


def path_to(state: int, came: dict[int, int], xs: list[float], ys: list[float]) -> list[Point]:
    """The crossings a grid search went through to reach ``state`` (crossing * 4 + direction), from its
    start, each once (a turn on the spot is one point)."""
    ny = len(ys)
    states = [state]
    while states[-1] in came:
        states.append(came[states[-1]])
    points: list[Point] = []
    for st in reversed(states):
        i, j = divmod(st >> 2, ny)
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
