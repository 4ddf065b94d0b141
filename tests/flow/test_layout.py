"""The auto-layout: no two nodes overlap, links run left to right except loops, and it is deterministic."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivr_studio.flow.ivrflow import load_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.layout import LayoutOptions, auto_layout, back_edges, layers
from ivr_studio.flow.model import Branch, Flow, Node

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.ivrflow"))


def size(node: Node) -> tuple[float, float]:
    """A stand-in for the canvas's size function: taller nodes for more exits."""
    return 200.0, 40.0 + 20.0 * len(node.exits())


def rects(flow: Flow, positions):
    return {n.id: (*positions[n.id], *size(n)) for n in flow}


def assert_no_overlap(flow: Flow, positions) -> None:
    for (a, ra), (b, rb) in itertools.combinations(rects(flow, positions).items(), 2):
        ax, ay, aw, ah = ra
        bx, by, bw, bh = rb
        apart = ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay
        assert apart, f"{a} {ra} overlaps {b} {rb}"


def assert_left_to_right(flow: Flow, positions) -> None:
    loops = back_edges(flow)
    for src, exit_name, target in flow.links():
        if (src, exit_name, target) in loops:
            continue
        assert positions[src][0] + size(flow.node(src))[0] < positions[target][0], (src, exit_name, target)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_lay_out_without_overlap_and_left_to_right(path: Path) -> None:
    flow = load_flow(path)
    positions = auto_layout(flow, size)
    assert set(positions) == set(flow.nodes)
    assert_no_overlap(flow, positions)
    assert_left_to_right(flow, positions)
    assert positions[flow.start][0] == min(x for x, _ in positions.values())


def test_branches_fan_out_in_key_order() -> None:
    menu = Node("menu", NodeKind.GATHER, branches=[Branch(f"b{i}", str(i)) for i in range(1, 4)])
    targets = [Node(f"t{i}", NodeKind.SAY) for i in range(1, 4)]
    menu.links = {f"branch:b{i}": f"t{i}" for i in range(1, 4)}
    flow = Flow("f", [*reversed(targets), menu], start="menu")
    positions = auto_layout(flow, size)
    ys = [positions[f"t{i}"][1] for i in range(1, 4)]
    assert ys == sorted(ys), "choice 1's target should be above choice 2's, and so on"


def test_loops_are_back_edges_and_do_not_push_nodes_right() -> None:
    a = Node("a", NodeKind.GATHER, branches=[Branch("b1", "1")])
    b = Node("b", NodeKind.SAY)
    a.links = {"branch:b1": "b", "no_input": "a"}
    b.links = {"next": "a"}
    flow = Flow("f", [a, b], start="a")
    assert back_edges(flow) == {("a", "no_input", "a"), ("b", "next", "a")}
    assert layers(flow) == {"a": 0, "b": 1}


def test_spacing_options_are_respected() -> None:
    flow = load_flow(EXAMPLES[0])
    positions = auto_layout(flow, size, LayoutOptions(column_gap=300, row_gap=50, origin=(10, 20)))
    xs = sorted({x for x, _ in positions.values()})
    assert xs[0] == 10
    assert all(b - a >= 200 + 300 for a, b in itertools.pairwise(xs))
    assert min(y for _, y in positions.values()) == 20


def test_empty_flow_has_no_positions() -> None:
    assert auto_layout(Flow(), size) == {}


@st.composite
def random_flows(draw) -> Flow:
    n = draw(st.integers(1, 25))
    kinds = [NodeKind.GATHER, NodeKind.SAY, NodeKind.DIAL, NodeKind.HANGUP]
    nodes = []
    for i in range(n):
        kind = draw(st.sampled_from(kinds))
        branches = (
            [Branch(f"b{j}", str(j)) for j in range(draw(st.integers(0, 4)))] if kind == "gather" else []
        )
        nodes.append(Node(f"n{i}", kind, branches=branches))
    for node in nodes:
        for exit_name in node.exit_names():
            if draw(st.booleans()):
                node.links[exit_name] = f"n{draw(st.integers(0, n - 1))}"
    return Flow("random", nodes, start="n0")


@settings(max_examples=60, deadline=None)
@given(random_flows())
def test_random_flows_never_overlap(flow: Flow) -> None:
    positions = auto_layout(flow, size)
    assert_no_overlap(flow, positions)
    assert_left_to_right(flow, positions)
    assert auto_layout(flow, size) == positions
