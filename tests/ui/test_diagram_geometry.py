"""The diagram's geometry on every bundled example, as opened and after Flow ▸ Auto layout (with Graphviz's
dot and with the built-in layout): no card overlaps another, and no link passes through a card or over a
port it does not connect to."""

from __future__ import annotations

from pathlib import Path

import pytest
from link_geometry import shared_stretches
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.model import Flow, Node
from ivr_studio.ui.canvas.link_item import LinkItem
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.style import METRICS
from ivr_studio.ui.document import FlowDocument

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.ivrflow"))


def card_overlaps(scene: FlowScene, clearance: float = 8.0) -> list[tuple[str, str]]:
    """Pairs of cards that overlap or come closer than ``clearance``."""
    items = list(scene.node_items.values())
    cards = [(i.node_id, i.mapRectToScene(0, 0, i.width, i.height)) for i in items]
    return [
        (a, b)
        for n, (a, ra) in enumerate(cards)
        for b, rb in cards[n + 1 :]
        if ra.adjusted(-clearance, -clearance, clearance, clearance).intersects(rb)
    ]


def path_points(path: QPainterPath, step: float = 2.0) -> list[QPointF]:
    """Points along the drawn path, ``step`` units apart."""
    count = max(2, int(path.length() / step))
    return [path.pointAtPercent(k / count) for k in range(count + 1)]


def link_trespasses(scene: FlowScene) -> list[str]:
    """What each link passes through that it should not: other cards (and its own, but for its ports),
    and ports it does not connect to."""
    cards = {n: i.mapRectToScene(0, 0, i.width, i.height) for n, i in scene.node_items.items()}
    ports: list[tuple[str, str, QRectF]] = []  # (node id, exit name or "in", area of the port)
    r = METRICS.port_radius + 1
    for node_id, item in scene.node_items.items():
        for row in item.rows:
            p = item.exit_port_pos(row.name)
            ports.append((node_id, row.name, QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r)))
        p = item.input_port_pos()
        ports.append((node_id, "in", QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r)))
    problems = []
    for link in scene.link_items.values():
        assert isinstance(link, LinkItem)
        points = path_points(link.path())
        mine = {(link.source_id, link.exit_name), (link.target_id, "in")}
        for node_id, rect in cards.items():
            inside = rect.adjusted(1, 1, -1, -1)  # its own cards: it may touch their edges at its ports
            if any(inside.contains(p) for p in points):
                problems.append(f"{link.key} → {link.target_id} crosses the card {node_id}")
        for node_id, name, area in ports:
            if (node_id, name) not in mine and any(area.contains(p) for p in points):
                problems.append(f"{link.key} → {link.target_id} passes over the port {node_id}.{name}")
    return problems


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def example_scene(request, qtbot) -> FlowScene:
    document = FlowDocument()
    document.open(request.param)
    return FlowScene(document)


def test_examples_open_with_no_card_over_another(example_scene: FlowScene) -> None:
    assert card_overlaps(example_scene) == []


def test_examples_open_with_no_link_through_a_card_or_a_port(example_scene: FlowScene) -> None:
    example_scene.router.route_pending()
    assert link_trespasses(example_scene) == []


def links_drawn_over_one_another(scene: FlowScene) -> list[str]:
    """Routed links that share a stretch of a line (links into one input port may share its stub)."""
    return shared_stretches({k: link.route for k, link in scene.link_items.items() if link.route is not None})


def test_examples_open_with_no_two_links_on_one_stretch(example_scene: FlowScene) -> None:
    example_scene.router.route_pending()
    assert links_drawn_over_one_another(example_scene) == []


@pytest.mark.parametrize("engine", ["dot", "built-in"])
def test_auto_layout_puts_no_card_over_another_nor_a_link_through_one(
    example_scene: FlowScene, engine: str, monkeypatch
) -> None:
    if engine == "built-in":
        monkeypatch.setattr("ivr_studio.flow.dot_layout.dot_program", lambda: None)
    assert example_scene.auto_layout() == engine
    assert card_overlaps(example_scene) == []
    example_scene.router.route_pending()
    assert link_trespasses(example_scene) == []
    assert links_drawn_over_one_another(example_scene) == []


def test_the_bilingual_horario_link_does_not_cross_the_front_desk_port(qtbot) -> None:
    document = FlowDocument()
    document.open(EXAMPLES[[p.stem for p in EXAMPLES].index("bilingual-front-desk")])
    scene = FlowScene(document)
    scene.router.route_pending()
    desk = scene.node_items["desk"]
    port = desk.exit_port_pos("no_answer")
    r = METRICS.port_radius + 1
    area = QRectF(port.x() - r, port.y() - r, 2 * r, 2 * r)
    link = scene.link_items[("hours_es", "next")]
    assert not any(area.contains(p) for p in path_points(link.path()))


def test_a_card_moved_onto_a_link_pushes_the_link_round_it(qtbot) -> None:
    first = Node("first", NodeKind.SAY, "First", position=(0, 0), links={"next": "last"})
    middle = Node("middle", NodeKind.SAY, "Middle", position=(400, 400))
    last = Node("last", NodeKind.HANGUP, "Last", position=(800, 0))
    document = FlowDocument()
    document.replace(Flow("f", [first, middle, last], start="first"), None)
    scene = FlowScene(document)
    link = scene.link_items[("first", "next")]
    assert link.route is None, "nothing in the way: the plain curve"
    document.move_nodes({"middle": (400, -20)})  # squarely on the link
    scene.router.route_pending()
    assert link.route is not None and link_trespasses(scene) == []
    document.undo_stack.undo()
    scene.router.route_pending()
    assert link.route is None and link_trespasses(scene) == []


def sample_node(kind: NodeKind) -> Node:
    """A node of ``kind`` with a long first prompt (two preview lines) and, for a menu, three choices."""
    from ivr_studio.flow.model import Branch, Prompt

    node = Node("n", kind, "A title long enough to be elided on the card, surely")
    node.text = "A long text that needs two lines on the card, to see that the card grows for it too."
    if kind == NodeKind.GATHER:
        node.prompts = [Prompt("say", node.text)]
        node.branches = [Branch(f"b{i}", str(i), [f"option {i}"]) for i in range(1, 4)]
    return node


@pytest.mark.parametrize("kind", list(NodeKind), ids=lambda k: k.value)
def test_the_card_fills_exactly_the_size_the_layout_is_given(qtbot, kind: NodeKind) -> None:
    """The layout places cards with ``node_size``; the card as drawn must be that size, no larger."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    from ivr_studio.ui.canvas.node_item import NodeItem
    from ivr_studio.ui.canvas.style import current_theme, node_size

    node = sample_node(kind)
    item = NodeItem(node, current_theme())
    width, height = node_size(node)
    assert (item.width, item.height) == (width, height)
    rows_bottom = item.rows_top() + len(item.rows) * METRICS.row
    assert rows_bottom <= height, "every exit row is inside the card"
    for row in item.rows:
        assert 0 < item.exit_port_pos(row.name).y() < height
    # paint it: nothing but the ports and the selection outline reaches past the card's edges
    pad = 40
    image = QImage(int(width) + 2 * pad, int(height) + 2 * pad, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.translate(pad, pad)
    item.paint(painter, QStyleOptionGraphicsItem())
    painter.end()
    ink = [
        (x - pad, y - pad)
        for y in range(0, image.height())
        for x in range(0, image.width(), 2)
        if image.pixelColor(x, y).alpha() > 40
    ]
    assert ink, "the card was painted"
    assert min(y for _, y in ink) >= -3 and max(y for _, y in ink) <= height + 3  # the border's pen
    assert min(x for x, _ in ink) >= -METRICS.port_radius - 2
    assert max(x for x, _ in ink) <= width + METRICS.port_radius + 2


def test_a_file_saved_for_smaller_cards_opens_with_its_cards_apart(qtbot, tmp_path: Path) -> None:
    from ivr_studio.flow.ivrflow import load_flow, save_flow

    flow = load_flow(EXAMPLES[[p.stem for p in EXAMPLES].index("support-line")])
    flow.nodes["support_menu"].position = (620.0, 160.0)  # the example's old spacing: the menu is taller
    flow.nodes["billing_info"].position = (620.0, 320.0)
    flow.nodes["sorry"].position = (620.0, 480.0)
    flow.nodes["to_sales"].position = (620.0, 0.0)
    path = tmp_path / "old.ivrflow"
    save_flow(flow, path)
    before = path.read_bytes()
    document = FlowDocument()
    document.open(path)
    scene = FlowScene(document)
    assert card_overlaps(scene, clearance=0) == []
    assert document.flow.node("support_menu").position == (620.0, 160.0), "a card that overlaps nothing stays"
    assert document.flow.node("billing_info").position[0] == 620.0, "moved down its column"
    assert document.is_dirty(), "saving keeps the new positions"
    assert path.read_bytes() == before, "the file is not touched until saved"

