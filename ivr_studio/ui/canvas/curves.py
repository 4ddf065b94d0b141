"""The plain shapes of a link as segments of numbers, and the part of them that can be seen.

A link's plain curve is a few segments: a cubic from the exit port, for a loop a straight run over the
cards, and a cubic into the input port. In a big flow one of those cubics can be tens of thousands of
scene units long (a link from a card far down a column back to the main menu), and Qt flattens and strokes
the whole of it on every paint although only a screenful shows: on a 2,000-menu flow the 4,000 links back
to the main menu took 0.3 s of every repaint. :func:`visible_segments` cuts each cubic down to the span of
it that crosses the visible rectangle (the same curve, exactly: a cubic's piece is itself a cubic, found by
de Casteljau's construction) and drops the segments that cannot be seen; the canvas strokes only that.

Every cubic the canvas makes runs level out of its start and level into its end, so its y is
``a + (b - a)·(3t² − 2t³)`` for its ends' ys ``a`` and ``b``: the parameters where it crosses a given height
have a closed form (:func:`_smoothstep_inverse`). Other cubics are kept or dropped whole.
"""

from __future__ import annotations

import math

#: ``("L", x0, y0, x1, y1)`` or ``("C", x0, y0, x1, y1, x2, y2, x3, y3)``, in scene units.
Segment = tuple

#: How far outside the visible rectangle a segment is still drawn: more than half the widest link pen, its
#: round cap and the arrowhead, so nothing that reaches into view is cut.
MARGIN = 12.0


def link_segments(sx: float, sy: float, ex: float, ey: float) -> list[Segment]:
    """The curve between two ports: leaves to the right, arrives from the left; loops back when needed."""
    dx = ex - sx
    if dx >= 40:
        bend = max(dx * 0.5, 40.0)
        return [("C", sx, sy, sx + bend, sy, ex - bend, ey, ex, ey)]
    # A back-edge: swing out to the right of the source and in from the left of the target.
    bend = 80.0 + min(abs(dx), 600.0) * 0.25
    lift = 60.0 if ey <= sy else -60.0
    return [("C", sx, sy, sx + bend, sy, ex - bend, ey + (lift if abs(ey - sy) < 40 else 0), ex, ey)]


def loop_segments(sx: float, sy: float, ex: float, ey: float, above: float) -> list[Segment]:
    """A link from a node back to itself (or to the left): out to the right, over the cards at ``above``,
    in from the left."""
    return [
        ("C", sx, sy, sx + 36, sy, sx + 36, above, sx, above),
        ("L", sx, above, ex, above),
        ("C", ex, above, ex - 36, above, ex - 36, ey, ex, ey),
    ]


def segments_box(segments: list[Segment]) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the segments' points and control points: the curve lies within."""
    xs = [v for seg in segments for v in seg[1::2]]
    ys = [v for seg in segments for v in seg[2::2]]
    return min(xs), min(ys), max(xs), max(ys)


def visible_segments(
    segments: list[Segment], left: float, top: float, right: float, bottom: float
) -> list[list[Segment]]:
    """The runs of ``segments`` (each run one unbroken piece of the path) that can be seen in the rectangle
    (``left``, ``top``) – (``right``, ``bottom``), cubics cut to their visible span."""
    # Written for speed: the canvas calls this for thousands of links as a big flow is first painted.
    left, top, right, bottom = left - MARGIN, top - MARGIN, right + MARGIN, bottom + MARGIN
    runs: list[list[Segment]] = []
    run: list[Segment] = []
    for seg in segments:
        if seg[0] == "L":
            _, x0, y0, x3, y3 = seg
            ys = (y0, y3)
            piece = seg
            if max(x0, x3) < left or min(x0, x3) > right or max(ys) < top or min(ys) > bottom:
                piece = None
        else:
            _, x0, y0, x1, y1, x2, y2, x3, y3 = seg
            piece = seg
            if max(x0, x1, x2, x3) < left or min(x0, x1, x2, x3) > right:
                piece = None  # its control points, and so the curve, lie wholly outside
            elif max(y0, y1, y2, y3) < top or min(y0, y1, y2, y3) > bottom:
                piece = None
            elif y0 == y1 and y2 == y3 and y0 != y3 and (min(y0, y3) < top or max(y0, y3) > bottom):
                piece = _clip_level_cubic(seg, top, bottom)
        if piece is None:
            if run:
                runs.append(run)
                run = []
            continue
        if piece is seg:
            run.append(seg)
            continue
        if run and (piece[1], piece[2]) != (x0, y0):  # cut at its start: the run it continued is broken
            runs.append(run)
            run = []
        run.append(piece)
        if (piece[7], piece[8]) != (x3, y3):  # cut at its end
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _clip_level_cubic(seg: Segment, top: float, bottom: float) -> Segment | None:
    """The span of a level-ended cubic (see the module docstring) between the heights ``top`` and
    ``bottom``, or ``None`` when it has none."""
    a, b = seg[2], seg[8]
    lo, hi = (a, b) if a < b else (b, a)
    t0 = _smoothstep_inverse((max(top, lo) - a) / (b - a))
    t1 = _smoothstep_inverse((min(bottom, hi) - a) / (b - a))
    if t1 < t0:
        t0, t1 = t1, t0
    if t1 <= t0:
        return None
    return _sub_cubic(seg, t0, t1)


def _smoothstep_inverse(u: float) -> float:
    """The ``t`` in [0, 1] with 3t² − 2t³ = ``u`` (for ``u`` in [0, 1])."""
    u = 0.0 if u < 0.0 else 1.0 if u > 1.0 else u
    t = 0.5 - math.sin(math.asin(1.0 - 2.0 * u) / 3.0)
    return 0.0 if t < 0.0 else 1.0 if t > 1.0 else t


def _sub_cubic(seg: Segment, t0: float, t1: float) -> Segment:
    """The piece of a cubic between the parameters ``t0`` < ``t1`` (de Casteljau: cut at ``t1``, then the
    first part at ``t0 / t1``)."""
    _, x0, y0, x1, y1, x2, y2, x3, y3 = seg
    if t1 < 1.0:
        t = t1
        ax, ay = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        bx, by = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
        cx, cy = x2 + (x3 - x2) * t, y2 + (y3 - y2) * t
        abx, aby = ax + (bx - ax) * t, ay + (by - ay) * t
        bcx, bcy = bx + (cx - bx) * t, by + (cy - by) * t
        x3, y3 = abx + (bcx - abx) * t, aby + (bcy - aby) * t
        x1, y1, x2, y2 = ax, ay, abx, aby
    if t0 > 0.0:
        t = t0 / t1
        ax, ay = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
        bx, by = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
        cx, cy = x2 + (x3 - x2) * t, y2 + (y3 - y2) * t
        abx, aby = ax + (bx - ax) * t, ay + (by - ay) * t
        bcx, bcy = bx + (cx - bx) * t, by + (cy - by) * t
        x0, y0 = abx + (bcx - abx) * t, aby + (bcy - aby) * t
        x1, y1, x2, y2 = bcx, bcy, cx, cy
    return ("C", x0, y0, x1, y1, x2, y2, x3, y3)
