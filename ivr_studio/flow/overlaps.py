"""Cards that overlap at their saved positions, and the smallest moves that set them apart (no Qt).

A flow saved for smaller cards (an older version, another font, a hand-edited file) can open with one card
over another; the editor then moves the lower cards down, keeping every card in its column. The card
sizes come from the caller (the canvas measures its cards with the fonts it draws them with).
"""

from __future__ import annotations

from collections.abc import Callable

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
