"""Geometry checks on routed links shared by the router's tests and the canvas's."""

from __future__ import annotations

from itertools import combinations

from ivr_studio.flow.lanes import LANE_GAP
from ivr_studio.flow.routing import MARGIN


def segments(points):
    return list(zip(points, points[1:], strict=False))


def side_by_side(paths: dict, nearer_than: float) -> list[tuple[float, str, tuple]]:
    """Pairs of links that run beside one another nearer than ``nearer_than`` units: two parallel segments
    whose lines are that near and whose spans overlap by more than a unit, as (distance between their
    lines, a description, where: the axis they run along — 0 for x — their two lines and the stretch along
    the axis from the start of the first to the end of the last), nearest first. Links into the same input port may share its stub (the last
    ``MARGIN`` units, and the few more of a lane's offset where a link turns into it)."""
    found = []
    for (ka, pa), (kb, pb) in combinations(paths.items(), 2):
        for ia, (a0, a1) in enumerate(segments(pa)):
            for ib, (b0, b1) in enumerate(segments(pb)):
                if a0[1] == a1[1] and b0[1] == b1[1] and abs(a0[1] - b0[1]) < nearer_than:
                    apart, where = abs(a0[1] - b0[1]), (0, a0[1], b0[1], a0[0], a1[0], b0[0], b1[0])
                    lo, hi = (
                        max(min(a0[0], a1[0]), min(b0[0], b1[0])),
                        min(max(a0[0], a1[0]), max(b0[0], b1[0])),
                    )
                elif a0[0] == a1[0] and b0[0] == b1[0] and abs(a0[0] - b0[0]) < nearer_than:
                    apart, where = abs(a0[0] - b0[0]), (1, a0[0], b0[0], a0[1], a1[1], b0[1], b1[1])
                    lo, hi = (
                        max(min(a0[1], a1[1]), min(b0[1], b1[1])),
                        min(max(a0[1], a1[1]), max(b0[1], b1[1])),
                    )
                else:
                    continue
                same_port = ia == len(pa) - 2 and ib == len(pb) - 2 and a1 == b1
                if same_port and hi - lo <= 2 * MARGIN + LANE_GAP:
                    continue  # the input port's stub, longer by a lane's offset where a link turns into it
                if hi - lo > 1.0:
                    text = f"{ka} and {kb} run {apart:g} apart: {a0}–{a1} / {b0}–{b1}"
                    found.append(
                        (apart, text, (where[0], where[1], where[2], min(where[3:]), max(where[3:])))
                    )
    return sorted(found)


def shared_stretches(paths: dict) -> list[str]:
    """Pairs of links drawn over one another: two segments on one line (less than a unit apart)
    overlapping by more than a unit."""
    return [text for _apart, text, _where in side_by_side(paths, 1.0)]
