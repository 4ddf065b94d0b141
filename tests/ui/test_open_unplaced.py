"""Opening a flow that a script wrote without positions: every node at the default spot.

Shown as saved it would be one pile of cards with its links knotted on top. The editor lays it out as
Flow ▸ Auto layout would, says so, and keeps the file as it was until the user saves.
"""

from __future__ import annotations

import json
from pathlib import Path

from ivr_studio.flow.ivrflow import load_flow


def menus_without_positions(n: int) -> dict:
    """``n`` menus in a tree (three choices each, "no input" asks again), as a script writes them."""
    nodes = []
    for i in range(n):
        links = {f"branch:b{k}": f"menu_{3 * i + k}" for k in (1, 2, 3) if 3 * i + k < n}
        links["no_input"] = f"menu_{i}"
        nodes.append(
            {
                "id": f"menu_{i}",
                "kind": "gather",
                "title": f"Menu {i}",
                "attributes": {"input": "dtmf speech"},
                "prompts": [{"kind": "say", "text": f"Menu {i}: press 1, 2 or 3."}],
                "branches": [{"id": f"b{k}", "keys": str(k), "phrases": [f"option {k}"]} for k in (1, 2, 3)],
                "links": links,
            }
        )
    return {"format": "ivrflow", "version": 1, "name": "Generated", "start": "menu_0", "nodes": nodes}


def overlapping_cards(window) -> list[tuple[str, str]]:
    cards = sorted(window.scene.node_items.values(), key=lambda i: (i.x(), i.y()))
    clashes = []
    for a, b in zip(cards, cards[1:], strict=False):
        ra, rb = a.sceneBoundingRect(), b.sceneBoundingRect()
        if a.x() == b.x() and ra.intersects(rb):
            clashes.append((a.node_id, b.node_id))
    return clashes


def test_a_flow_without_positions_opens_laid_out_from_its_start(window, tmp_path: Path):
    path = tmp_path / "generated.ivrflow"
    text = json.dumps(menus_without_positions(120))
    path.write_text(text, encoding="utf-8")

    assert window.open_path(path)

    items = window.scene.node_items
    assert len({(i.x(), i.y()) for i in items.values()}) == 120  # no longer one pile
    assert overlapping_cards(window) == []
    columns = sorted({i.x() for i in items.values()})
    assert items["menu_0"].x() == columns[0] and items["menu_1"].x() == columns[1]  # reads left to right
    assert window.document.flow.node("menu_5").position == (items["menu_5"].x(), items["menu_5"].y())
    assert "laid out" in window.statusBar().currentMessage()
    # where a call begins is on screen, and the scroll bars reach the last card
    assert window.view.visible_scene_rect().intersects(items["menu_0"].sceneBoundingRect())
    assert window.view.sceneRect().contains(window.scene.nodes_rect())
    # the file is untouched until the user saves; saving keeps the layout
    assert window.document.is_dirty() and path.read_text(encoding="utf-8") == text
    window.document.save()
    saved = load_flow(path)
    assert {n.id: n.position for n in saved} == {n.id: n.position for n in window.document.flow}


def test_a_flow_with_positions_opens_where_its_nodes_are(window, support_line: Path):
    saved = {n.id: n.position for n in load_flow(support_line)}
    assert window.open_path(support_line)
    assert {n.id: n.position for n in window.document.flow} == saved
    assert not window.document.is_dirty()
    assert "laid out" not in window.statusBar().currentMessage()


def test_two_nodes_on_one_spot_are_laid_out_but_a_single_node_stays(window, tmp_path: Path):
    two = tmp_path / "two.ivrflow"
    two.write_text(json.dumps(menus_without_positions(2)), encoding="utf-8")
    assert window.open_path(two)
    assert window.document.flow.node("menu_0").position != window.document.flow.node("menu_1").position

    window.document.replace(window.document.flow, None)  # clean, so opening does not ask
    one = tmp_path / "one.ivrflow"
    one.write_text(json.dumps(menus_without_positions(1)), encoding="utf-8")
    assert window.open_path(one)
    assert window.document.flow.node("menu_0").position == (0.0, 0.0) and not window.document.is_dirty()
