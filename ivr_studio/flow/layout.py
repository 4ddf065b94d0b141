"""Automatic left-to-right layout of a call flow, in pure Python (no Qt), so it can be tested alone.

A call reads left to right: the start node in the first column, each node's choices fanning out to the
right. The layout is a classic layered (Sugiyama-style) drawing:

1. *Back-edges* (loops such as "no input → ask again") are found by a depth-first search from the start
   node; removing them leaves a DAG.
2. *Layering*: longest path from the sources of that DAG, so every remaining link points to a later column.
3. *Ordering*: barycentric sweeps over the columns (long links get virtual nodes so they take part), where a
   predecessor's weight is offset by the index of the exit used, so branch ``1`` ends above branch ``2``.
4. *Coordinates*: columns are as wide as their widest node; within a column, nodes keep their order and are
   placed as close as possible to the exits that lead to them (an isotonic regression, so nodes never
   overlap: the real heights come from the ``size`` function the caller passes in).

:func:`arrange` is what the editor's Flow ▸ Auto layout uses: Graphviz's ``dot``
(:mod:`ivr_studio.flow.dot_layout`) when it is installed and the flow is not too big for it, since it crosses
fewer links on every bundled example (benchmarks/layout.py), and this layout otherwise.

The card sizes always come from the caller: the canvas measures its cards with the fonts it draws them with,
and passes that function in, so the model stays free of Qt and the layout matches what is drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ivr_studio.flow.model import Flow, Node

Size = tuple[float, float]
Edge = tuple[str, str, str]  # (source id, exit name, target id)


#: Above this many nodes :func:`arrange` uses the hand-written layout: ``dot`` takes seconds there
#: (benchmarks/layout.py) and crosses no fewer links on big generated flows.
DOT_MAX_NODES = 1_000


@dataclass(frozen=True)
class LayoutOptions:
    """Spacing of the layout, in scene units."""

    column_gap: float = 110.0
    row_gap: float = 36.0
    sweeps: int = 8
    origin: tuple[float, float] = (0.0, 0.0)


def _roots(flow: Flow) -> list[str]:
    """DFS roots: the start node first, then nodes nobody links to, then the rest (in file order)."""
    incoming = {t for _, _, t in flow.links()}
    start = [flow.start] if flow.start in flow.nodes else []
    return (
        start
        + [n for n in flow.nodes if n not in incoming and n not in start]
        + [n for n in flow.nodes if n in incoming and n not in start]
    )


def _out_edges(node: Node, nodes: dict[str, Node]) -> list[Edge]:
    return [(node.id, e, node.links[e]) for e in node.exit_names() if node.links.get(e) in nodes]


def _all_out_edges(flow: Flow) -> dict[str, list[Edge]]:
    """Every node's links to nodes of the flow, in exit order: asked for once per layout, as the exits of a
    node take a while to list and a big flow has thousands."""
    return {node.id: _out_edges(node, flow.nodes) for node in flow}


def back_edges(flow: Flow, out: dict[str, list[Edge]] | None = None) -> set[Edge]:
    """Links that close a loop (found by DFS from the start node); the layout may draw them right to left.

    ``out`` is every node's out-edges when the caller has them already (:func:`_all_out_edges`).
    """
    out = _all_out_edges(flow) if out is None else out
    state: dict[str, int] = {}  # 1 = on the DFS stack, 2 = finished
    back: set[Edge] = set()
    for root in _roots(flow):
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(out[root]))]
        while stack:
            node_id, edges = stack[-1]
            for edge in edges:
                target = edge[2]
                if state.get(target) == 1:
                    back.add(edge)
                elif target not in state:
                    state[target] = 1
                    stack.append((target, iter(out[target])))
                    break
            else:
                state[node_id] = 2
                stack.pop()
    return back


def layers(
    flow: Flow, out: dict[str, list[Edge]] | None = None, back: set[Edge] | None = None
) -> dict[str, int]:
    """Column of every node: the longest path to it once back-edges are removed.

    A topological pass (Kahn's) over the links that remain; ``out`` and ``back`` are the flow's out-edges and
    back-edges when the caller has them already.
    """
    out = _all_out_edges(flow) if out is None else out
    back = back_edges(flow, out) if back is None else back
    forward: dict[str, list[str]] = {n: [] for n in flow.nodes}
    waiting = dict.fromkeys(flow.nodes, 0)  # forward links into each node not yet passed
    for edges in out.values():
        for edge in edges:
            if edge not in back:
                forward[edge[0]].append(edge[2])
                waiting[edge[2]] += 1
    layer = dict.fromkeys(flow.nodes, 0)
    ready = [n for n in flow.nodes if not waiting[n]]
    done = 0
    while ready:
        n = ready.pop()
        done += 1
        for t in forward[n]:
            layer[t] = max(layer[t], layer[n] + 1)
            waiting[t] -= 1
            if not waiting[t]:
                ready.append(t)
    if done != len(layer):  # cannot happen: the back-edges break every loop
        raise ValueError("the flow's links still form a loop once its back-edges are removed")
    return layer


def _isotonic(values: list[float]) -> list[float]:
    """Pool-adjacent-violators: the non-decreasing sequence closest (least squares) to ``values``."""
    blocks: list[list[float]] = []  # [mean, count]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    out: list[float] = []
    for mean, count in blocks:
        out.extend([mean] * int(count))
    return out


def auto_layout(
    flow: Flow, size: Callable[[Node], Size], options: LayoutOptions | None = None
) -> dict[str, tuple[float, float]]:
    """Top-left position of every node, left to right from the start node, with no overlaps.

    ``size(node)`` gives the (width, height) the node takes on screen; the layout never places two nodes
    so that their rectangles (padded by the gaps) overlap.
    """
    opts = options or LayoutOptions()
    if not flow.nodes:
        return {}
    sizes = {n.id: size(n) for n in flow}
    out = _all_out_edges(flow)
    back = back_edges(flow, out)
    layer = layers(flow, out, back)
    n_layers = max(layer.values()) + 1

    # Forward edges with their exit weight; long edges are split with virtual nodes for ordering.
    preds: dict[str, list[tuple[str, float]]] = {n: [] for n in layer}
    succs: dict[str, list[tuple[str, float]]] = {n: [] for n in layer}
    columns: list[list[str]] = [[] for _ in range(n_layers)]
    discovered = _dfs_order(flow, out)
    for n in discovered:
        columns[layer[n]].append(n)
    virtual = 0
    for node in flow:
        exits = node.exit_names()
        index = {exit_name: i for i, exit_name in enumerate(exits)}
        for edge in out[node.id]:
            if edge in back:
                continue
            _, exit_name, target = edge
            weight = (index[exit_name] + 0.5) / max(1, len(exits)) - 0.5
            prev, prev_weight = node.id, weight
            for col in range(layer[node.id] + 1, layer[target]):
                v = f"\0virtual{virtual}"
                virtual += 1
                preds[v], succs[v] = [], []
                columns[col].append(v)
                succs[prev].append((v, prev_weight))
                preds[v].append((prev, prev_weight))
                prev, prev_weight = v, 0.0
            succs[prev].append((target, prev_weight))
            preds[target].append((prev, prev_weight))

    # Several exits of one node to the same target (a choice and "too many attempts") count once, at the
    # first exit, so the target sits next to the choice rather than between the choices.
    for table in (preds, succs):
        for n, edges in table.items():
            first: dict[str, float] = {}
            for other, weight in edges:
                first[other] = min(weight, first.get(other, weight))
            table[n] = list(first.items())

    _order_columns(columns, preds, succs, opts.sweeps)

    # x: each column as wide as its widest real node.
    xs: list[float] = []
    x = opts.origin[0]
    for col in columns:
        xs.append(x)
        width = max((sizes[n][0] for n in col if n in sizes), default=0.0)
        x += width + opts.column_gap if width else opts.column_gap / 2

    # y: stack, then pull each node towards the exits that lead to it (and, for sources, its targets).
    top: dict[str, float] = {}
    height = {n: (sizes[n][1] if n in sizes else 0.0) for col in columns for n in col}
    for col in columns:
        y = opts.origin[1]
        for n in col:
            top[n] = y
            y += height[n] + (opts.row_gap if height[n] else 0.0)

    def centre(n: str) -> float:
        return top[n] + height[n] / 2

    def place(col: list[str], desired: dict[str, float]) -> None:
        offsets: list[float] = []
        acc = 0.0
        for n in col:
            offsets.append(acc)
            acc += height[n] + (opts.row_gap if height[n] else 0.0)
        wanted = [
            desired.get(n, centre(n)) - height[n] / 2 - off for n, off in zip(col, offsets, strict=True)
        ]
        for n, z, off in zip(col, _isotonic(wanted), offsets, strict=True):
            top[n] = z + off

    def pull(nbrs: dict[str, list[tuple[str, float]]], n: str) -> float | None:
        if not nbrs[n]:
            return None
        return sum(centre(p) + w * height[p] * 0.8 for p, w in nbrs[n]) / len(nbrs[n])

    for _ in range(2):
        for col in columns[1:]:
            place(col, {n: c for n in col if (c := pull(preds, n)) is not None})
        for col in reversed(columns[:-1]):
            place(col, {n: c for n in col if not preds[n] and (c := pull(succs, n)) is not None})

    real = [n for n in top if n in sizes]
    shift = opts.origin[1] - min(top[n] for n in real)
    return {
        n: (float(round(xs[layer[n]])), float(round(top[n] + shift)))
        for n in flow.nodes  # file order, for stable output
    }


def _dfs_order(flow: Flow, out: dict[str, list[Edge]]) -> list[str]:
    """Nodes in depth-first discovery order from the start node, following exits in order."""
    seen: set[str] = set()
    order: list[str] = []
    for root in _roots(flow):
        stack = [root]
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            order.append(n)
            stack.extend(reversed([t for _, _, t in out[n]]))
    return order


def _order_columns(
    columns: list[list[str]],
    preds: dict[str, list[tuple[str, float]]],
    succs: dict[str, list[tuple[str, float]]],
    sweeps: int,
) -> None:
    """Reorder each column in place by the barycentre of its neighbours (down, then up, repeatedly)."""

    # Every node's index in its column, kept up to date as each column is sorted.
    pos = {n: float(i) for col in columns for i, n in enumerate(col)}
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        indices = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        nbrs = preds if forward else succs
        for c in indices:
            col = columns[c]

            def key(n: str, pos: dict[str, float] = pos, nbrs=nbrs) -> tuple[float, float]:
                if not nbrs[n]:
                    return (pos[n], pos[n])
                return (sum(pos[p] + w for p, w in nbrs[n]) / len(nbrs[n]), pos[n])

            col.sort(key=key)
            pos.update((n, float(i)) for i, n in enumerate(col))


def arrange(
    flow: Flow,
    size: Callable[[Node], Size],
    options: LayoutOptions | None = None,
    use_dot: bool = True,
    dot_timeout: float = 20.0,
) -> tuple[dict[str, tuple[float, float]], str]:
    """Positions for every node and the name of the engine that made them (``"dot"`` or ``"built-in"``).

    ``dot`` is tried first (when ``use_dot`` and the flow has at most :data:`DOT_MAX_NODES` nodes); when it is
    missing, slow or fails, the hand-written :func:`auto_layout` lays the flow out instead.
    """
    from ivr_studio.flow.dot_layout import DotUnavailable, dot_layout

    opts = options or LayoutOptions()
    if use_dot and 0 < len(flow.nodes) <= DOT_MAX_NODES:
        try:
            positions = dot_layout(flow, size, opts.column_gap, opts.row_gap, timeout=dot_timeout)
        except DotUnavailable:
            pass
        else:
            ox, oy = opts.origin
            left = min(x for x, _ in positions.values())
            top = min(y for _, y in positions.values())
            return {n: (x - left + ox, y - top + oy) for n, (x, y) in positions.items()}, "dot"
    return auto_layout(flow, size, opts), "built-in"
