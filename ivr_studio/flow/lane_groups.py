"""Groups of lanes: which segments of a corridor are spread together, and in what order across it. Plain
numbers, for :mod:`ivr_studio.flow.lanes`.

A corridor's segments are :data:`Span` tuples, each with its :data:`Member` (a link and a segment of it);
a layout gives each an index into a list of spans and a lane (where it runs). :func:`near_pairs` finds the
groups of segments whose lanes run too near one another (so that the caller spreads them together), and
:func:`across` orders a group's segments across the corridor so that they do not cross needlessly."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

LinkKey = tuple[str, str]
Member = tuple[LinkKey, int]  # a link and the index of one of its segments
#: A segment in its corridor: (low end, high end, line, side at the low end, side at the high end, where
#: the neighbour at the low end runs, where the neighbour at the high end runs) — see Lanes._span.
Span = tuple[float, float, float, int, int, float, float]


def near_pairs(
    spans: list[tuple[Span, Member]],
    at: list[float],
    group: list[int],
    groups: dict[int, list[int]],
    fresh: set[int] | None,
    near: float,
    touch: float,
) -> list[tuple[int, int]]:
    """Enough pairs of segments of different ``groups`` that overlap by more than ``touch`` units and whose
    lanes ``at`` are nearer than ``near`` to join every such pair's groups (with ``fresh``, only pairs with
    a segment of one of those groups: the others have not moved since they were looked at). ``group`` is
    each segment's group (a key of ``groups``).

    Two groups are looked at only where the band of their lanes and their stretches along the corridor
    come that near, and once joined (directly or through others: a union-find) not again; their
    segments are compared, the smaller group's against the other's by lane (bisection), until one pair is
    near. So a bundle of hundreds of lanes costs no work per pair of its own segments."""
    if len(groups) < 2:
        return []
    # each group as (low end, high end, lowest lane, highest lane, id), by where it begins along the corridor
    boxes = []
    for g, ks in groups.items():
        if len(ks) == 1:
            span, lane = spans[g][0], at[g]
            boxes.append((span[0], span[1], lane, lane, g))
            continue
        lanes = [at[k] for k in ks]
        boxes.append(
            (min(spans[k][0][0] for k in ks), max(spans[k][0][1] for k in ks), min(lanes), max(lanes), g)
        )
    boxes.sort()
    parent: dict[int, int] = {}

    def find(g: int) -> int:
        while parent.get(g, g) != g:
            g = parent[g]
        return g

    by_lane: dict[int, tuple[list[float], list[int]]] = {}

    def lanes_of(g: int) -> tuple[list[float], list[int]]:
        if g not in by_lane:
            ks = sorted(groups[g], key=at.__getitem__)
            by_lane[g] = ([at[k] for k in ks], ks)
        return by_lane[g]

    def touching(g: int, h: int) -> tuple[int, int] | None:
        """A pair of near segments of ``g`` and ``h``, or None."""
        if len(groups[g]) > len(groups[h]):
            g, h = h, g
        lanes, ks = lanes_of(h)
        for i in groups[g]:
            low, high, *_rest = spans[i][0]
            if high - low <= touch:
                continue
            lane = at[i]
            for n in range(bisect_right(lanes, lane - near), len(lanes)):
                if lanes[n] - lane >= near:
                    break
                j = ks[n]
                low2, high2 = lows[j], highs[j]
                if (high2 if high2 < high else high) - (low2 if low2 > low else low) > touch:
                    return i, j
        return None

    lows = [span[0] for span, _member in spans]
    highs = [span[1] for span, _member in spans]
    pairs: list[tuple[int, int]] = []
    running: list[tuple[float, float, float, int]] = []  # the groups begun and not yet ended here
    for low, high, lo, hi, g in boxes:
        running = [box for box in running if box[0] - low > touch]
        for high2, lo2, hi2, h in running:
            if lo2 - hi >= near or lo - hi2 >= near or min(high, high2) - low <= touch:
                continue
            if fresh is not None and g not in fresh and h not in fresh:
                continue
            if find(g) == find(h):
                continue
            pair = touching(g, h)
            if pair is not None:
                pairs.append(pair)
                parent[find(h)] = find(g)
        running.append((high, lo, hi, g))
    return pairs


def in_order(
    group: list[tuple[Span, Member]], apart: float, as_routed: Callable[[tuple[Span, Member]], Any]
) -> list[tuple[Span, Member]]:
    """``group``'s segments in their order across the corridor, from - to +.

    :func:`across` compares two segments by where they turn off, but it is not transitive (a before b
    before c before a happens in crowded groups), so the order a sort gives depends on the order the
    segments come in: they come in the order of ``as_routed`` (a key of where each was routed, which does
    not change while the lanes settle), so that the same segments give the same order. Lines ``apart`` or
    more from the next (corridors that a group grown wide reached) keep their order: the lanes of each stay
    on its side, and the short segments between the two corridors do not turn back on themselves."""
    lines = sorted({span[2] for span, _member in group})
    band: dict[float, int] = {}
    n = 0
    for previous, line in zip([lines[0], *lines], lines, strict=False):
        if line - previous >= apart:
            n += 1
        band[line] = n
    by_ends = cmp_to_key(across)
    group = sorted(group, key=as_routed)
    if n == 0:
        return sorted(group, key=by_ends)
    return sorted(group, key=lambda span: (band[span[0][2]], by_ends(span)))


def by_low(span: tuple[Span, Member]) -> tuple[float, Member]:
    return span[0][0], span[1]


def across(a: tuple[Span, Member], b: tuple[Span, Member]) -> int:
    """Which of two overlapping segments of a corridor lies further to the + side (positive: ``a``).

    At each end, the segment whose end lies within the other's span turns off there to one side; it must lie
    on that side of the other, or it crosses it. Where both end together, the one turning to + lies on the
    + side; where both turn the same way there, they keep the order of the lanes they turn into (mirrored
    where they turn at their high ends). Ends that disagree, or nothing to go by, leave the links' keys to
    decide (a stable order), after the lines they run on where those differ."""
    (a_low, a_high, a_line, a_from, a_to, a_at_low, a_at_high) = a[0]
    (b_low, b_high, b_line, b_from, b_to, b_at_low, b_at_high) = b[0]
    vote = 0  # an end that would cross counts twice; following the crossing corridor's lanes, once
    if a_high < b_high:
        vote += 2 * a_to
    elif b_high < a_high:
        vote -= 2 * b_to
    elif a_to != b_to:
        vote += 2 * (a_to - b_to)
    else:
        vote -= a_to * sign(a_at_high - b_at_high)
    if a_low > b_low:
        vote += 2 * a_from
    elif b_low > a_low:
        vote -= 2 * b_from
    elif a_from != b_from:
        vote += 2 * (a_from - b_from)
    else:
        vote += a_from * sign(a_at_low - b_at_low)
    if vote:
        return sign(vote)
    if a_line != b_line:  # segments of two corridors spread together keep the order of their lines
        return sign(a_line - b_line)
    return (a[1] > b[1]) - (a[1] < b[1])


def sign(v: float) -> int:
    return (v > 0) - (v < 0)
