"""Cards that overlap at their saved positions, and the smallest moves that set them apart (no Qt).

A flow saved for smaller cards (an older version, another font, a hand-edited file) can open with one card
over another; the editor then moves the lower cards down, keeping every card in its column. The card
sizes come from the caller (the canvas measures its cards with the fonts it draws them with).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from ivr_studio.flow.model import Flow, Node

Size = tuple[float, float]


def overlapping_pairs(flow: Flow, size: Callable[[Node], Size], gap: float = 0.0) -> list[tuple[str, str]]:
    """Pairs of nodes whose cards (grown by ``gap`` on every side) overlap at their saved positions."""
    cell = 400.0
    grid: dict[tuple[int, int], list[tuple[str, float, float, float, float]]] = {}
    pairs: list[tuple[str, str]] = []
    for node in flow:
        x, y = node.position
        w, h = size(node)
        box = (node.id, x - gap, y - gap, x + w + gap, y + h + gap)
        cells = [
            (cx, cy)
            for cx in range(int(box[1] // cell), int(box[3] // cell) + 1)
            for cy in range(int(box[2] // cell), int(box[4] // cell) + 1)
        ]
        seen: set[str] = set()
        for c in cells:
            for other in grid.get(c, ()):
                if other[0] in seen:
                    continue
                seen.add(other[0])
                if box[1] < other[3] and other[1] < box[3] and box[2] < other[4] and other[2] < box[4]:
                    pairs.append((other[0], node.id))
        for c in cells:
            grid.setdefault(c, []).append(box)
    return pairs


def separate_overlaps(
    flow: Flow, size: Callable[[Node], Size], gap: float = 20.0
) -> dict[str, tuple[float, float]]:
    """New positions for the nodes that must move so that no two cards overlap (an empty dict: none).

    Cards keep their column: going down the flow, a card that overlaps one above it moves straight down
    until it is ``gap`` below it, and the cards it then comes near follow it down; cards that overlap
    nothing stay. A flow drawn for smaller cards (or
    edited by hand) so keeps its shape.
    """
    if not overlapping_pairs(flow, size):
        return {}
    cell = 400.0
    placed: dict[tuple[int, int], list[tuple[float, float, float, float, float]]] = {}  # ..., card bottom
    moved: dict[str, tuple[float, float]] = {}

    def cells(left: float, top: float, right: float, bottom: float) -> list[tuple[int, int]]:
        return [
            (cx, cy)
            for cx in range(int(left // cell), int(right // cell) + 1)
            for cy in range(int(top // cell), int(bottom // cell) + 1)
        ]

    for node in sorted(flow, key=lambda n: (n.position[1], n.position[0])):
        x, y = node.position
        w, h = size(node)
        top = y
        while True:
            below = [
                b
                for c in cells(x, top, x + w, top + h)
                for b in placed.get(c, ())
                if x < b[2] and b[0] < x + w and top < b[3] and b[1] < top + h
            ]
            if not below:
                break
            top = max(b[4] for b in below) + gap
        # a moved card keeps the gap around it, so the cards under it follow it down
        grow = gap if top != y else 0.0
        box = (x - grow, top - grow, x + w + grow, top + h + grow, top + h)
        for c in cells(*box[:4]):
            placed.setdefault(c, []).append(box)
        if top != y:
            moved[node.id] = (x, float(round(top)))
    return moved


def clear_offset(
    flow: Flow,
    nodes: Sequence[Node],
    offset: tuple[float, float],
    size: Callable[[Node], Size],
    gap: float = 20.0,
) -> tuple[float, float]:
    """``offset``, or the nearest offset straight below it, at which ``nodes`` (copies about to be added,
    shifted by the offset) overlap no card of ``flow`` and keep ``gap`` from every one.

    Pasted and duplicated cards so land where they were put, or just below the cards there, never on
    top of one (a duplicate would hide its original and the links under it, and the next open would have
    to move cards apart).
    """
    dx, dy = offset
    boxes = []
    for node in nodes:
        w, h = size(node)
        boxes.append((node.position[0] + dx, node.position[1], w, h))
    # Moving down never changes the columns a card spans: the cards beside each box are found once.
    beside: list[list[tuple[float, float]]] = []
    for x, _y, w, _h in boxes:
        column = []
        for other in flow:
            ox, oy = other.position
            ow, oh = size(other)
            if x - gap < ox + ow and ox < x + w + gap:
                column.append((oy, oy + oh))
        beside.append(column)
    for _ in range(sum(len(c) for c in beside) + 1):  # each round clears at least one card for good
        push = 0.0
        for (_x, y, _w, h), column in zip(boxes, beside, strict=True):
            top = y + dy
            for other_top, other_bottom in column:
                if top - gap < other_bottom and other_top < top + h + gap:
                    push = max(push, other_bottom + gap - top)
        if push <= 0:
            break
        dy += push
    return dx, (float(math.ceil(dy)) if dy != offset[1] else dy)
