"""Graphviz's dot lays flows out when it is installed; without it (or when it fails) the built-in layout
does, and either way no two cards overlap and the start node is leftmost."""

from __future__ import annotations

import itertools
import os
import stat
from pathlib import Path

import pytest

from ivr_studio.flow.dot_layout import DotUnavailable, dot_layout, dot_program, dot_source
from ivr_studio.flow.ivrflow import load_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.layout import LayoutOptions, arrange, auto_layout
from ivr_studio.flow.model import Branch, Flow, Node
from ivr_studio.flow.overlaps import overlapping_pairs, separate_overlaps

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.ivrflow"))


def size(node: Node) -> tuple[float, float]:
    """A stand-in for the canvas's card size: taller cards for more exits."""
    return 236.0, 60.0 + 22.0 * len(node.exit_names())


def assert_apart(flow: Flow, positions: dict[str, tuple[float, float]], gap: float = 0.0) -> None:
    boxes = {n.id: (*positions[n.id], *size(n)) for n in flow}
    for (a, (ax, ay, aw, ah)), (b, (bx, by, bw, bh)) in itertools.combinations(boxes.items(), 2):
        apart = ax + aw + gap <= bx or bx + bw + gap <= ax or ay + ah + gap <= by or by + bh + gap <= ay
        assert apart, f"{a} overlaps {b}"


def fake_dot(tmp_path: Path, script: str) -> str:
    exe = tmp_path / "dot"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


def test_dot_is_installed_by_the_system_dependencies() -> None:
    # packaging/system-deps.sh installs graphviz; the layout tests below need the real program
    assert dot_program() is not None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_are_laid_out_by_dot_without_overlap(path: Path) -> None:
    flow = load_flow(path)
    positions, engine = arrange(flow, size, LayoutOptions(origin=(0, 0)))
    assert engine == "dot"
    assert set(positions) == set(flow.nodes)
    assert_apart(flow, positions, gap=20)
    assert positions[flow.start][0] == 0 == min(x for x, _ in positions.values())
    assert min(y for _, y in positions.values()) == 0
    for src, _exit, target in flow.links():  # every link that is not a loop runs left to right
        if positions[target][0] > positions[src][0]:
            assert positions[target][0] >= positions[src][0] + size(flow.node(src))[0] + 100


def test_dot_orders_a_menus_choices_top_to_bottom() -> None:
    menu = Node("menu", NodeKind.GATHER, branches=[Branch(f"b{i}", str(i)) for i in range(1, 4)])
    targets = [Node(f"t{i}", NodeKind.SAY) for i in range(1, 4)]
    menu.links = {f"branch:b{i}": f"t{i}" for i in range(1, 4)}
    flow = Flow("f", [*reversed(targets), menu], start="menu")
    positions, engine = arrange(flow, size)
    assert engine == "dot"
    ys = [positions[f"t{i}"][1] for i in range(1, 4)]
    assert ys == sorted(ys), "choice 1's target should be above choice 2's, and so on"


def test_without_dot_the_built_in_layout_is_used(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    assert dot_program() is None
    flow = load_flow(EXAMPLES[0])
    positions, engine = arrange(flow, size)
    assert engine == "built-in"
    assert positions == auto_layout(flow, size)
    assert_apart(flow, positions)


def test_a_failing_dot_falls_back_to_the_built_in_layout(monkeypatch, tmp_path: Path) -> None:
    exe = fake_dot(tmp_path, "echo 'Error: syntax error in line 1' >&2; exit 1")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    flow = load_flow(EXAMPLES[0])
    with pytest.raises(DotUnavailable, match="dot failed \\(1\\): Error: syntax error in line 1"):
        dot_layout(flow, size, program=exe)
    positions, engine = arrange(flow, size)
    assert engine == "built-in" and positions == auto_layout(flow, size)


def test_a_big_flow_skips_dot(monkeypatch) -> None:
    monkeypatch.setattr("ivr_studio.flow.layout.DOT_MAX_NODES", 3)
    flow = load_flow(EXAMPLES[0])
    assert arrange(flow, size)[1] == "built-in"
    assert arrange(flow, size, use_dot=False)[1] == "built-in"


def test_node_ids_that_are_dot_keywords_are_laid_out() -> None:
    # "node", "edge" and "graph" are keywords of the DOT language: ids are never written into the source
    nodes = [Node(name, NodeKind.SAY) for name in ("node", "edge", "graph")]
    nodes[0].links = {"next": "edge"}
    nodes[1].links = {"next": "graph"}
    flow = Flow("f", nodes, start="node")
    source, names = dot_source(flow, size, 110, 36)
    assert names == {"node": "n0", "edge": "n1", "graph": "n2"} and "edge" not in source.replace("-> ", "")
    positions = dot_layout(flow, size)
    assert positions["node"][0] < positions["edge"][0] < positions["graph"][0]


def test_separating_overlaps_moves_only_what_overlaps_and_keeps_columns() -> None:
    a = Node("a", NodeKind.SAY, position=(0, 0))  # 236 × 82
    b = Node("b", NodeKind.SAY, position=(0, 50))  # overlaps a
    c = Node("c", NodeKind.SAY, position=(0, 140))  # clear of a, but b comes down onto it
    d = Node("d", NodeKind.SAY, position=(400, 0))  # another column, overlaps nothing
    flow = Flow("f", [a, b, c, d], start="a")
    assert overlapping_pairs(flow, size) == [("a", "b")]
    moved = separate_overlaps(flow, size, gap=20)
    assert moved == {"b": (0.0, 102.0), "c": (0.0, 204.0)}
    for node_id, position in moved.items():
        flow.nodes[node_id].position = position
    assert overlapping_pairs(flow, size, gap=9.5) == []  # 20 apart: 9.5 + 9.5 round each
    assert separate_overlaps(flow, size) == {}
