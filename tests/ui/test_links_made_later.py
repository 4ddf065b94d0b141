"""A big flow's links are made in two goes: those the view shows first, the others just after (or the moment
something needs them). To the user every link is there: selecting, revealing, moving, relinking, deleting,
undoing and scrolling all behave as if each link had been made with the flow.
"""

from __future__ import annotations

import json
from itertools import count
from pathlib import Path

import pytest
from menu_trees import menu_tree_data
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from ivr_studio.ui.canvas.scene import BUILD_AT_ONCE_MAX_CARDS, BUILD_BATCH, BUILD_SLICE_SECONDS
from ivr_studio.ui.canvas.style import METRICS

MENUS = 260  # more cards than BUILD_AT_ONCE_MAX_CARDS: the view's links first, the rest later


@pytest.fixture
def opened(window, tmp_path: Path):
    """The window with the big flow open. Every reading of the scene's clock is a whole slice later, so each
    turn of the event loop (pytest-qt runs one after the fixtures) makes exactly one batch of the links not
    made yet, however fast the machine: a test finds most of them still to be made."""
    assert MENUS > BUILD_AT_ONCE_MAX_CARDS
    path = tmp_path / "menus.ivrflow"
    path.write_text(json.dumps(menu_tree_data(MENUS)), encoding="utf-8")
    window.scene.clock = count(step=BUILD_SLICE_SECONDS).__next__
    assert window.open_path(path)
    return window


def model_links(window) -> set[tuple[str, str, str]]:
    return {(n.id, e, t) for n in window.document.flow for e, t in n.links.items()}


def item_links(window) -> set[tuple[str, str, str]]:
    return {(*key, item.target_id) for key, item in window.scene.link_items.items()}


def unmade_links_reaching_into(window, rect: QRectF) -> list[tuple[str, str]]:
    """The links without an item yet whose curves reach into ``rect``: there should be none."""
    scene, missing = window.scene, []
    for node in window.document.flow:
        for exit_name in node.links:
            key = (node.id, exit_name)
            if key not in scene.link_items:
                left, top, right, bottom = scene._plain_box(key, node.links[exit_name])
                if QRectF(left, top, right - left, bottom - top).intersects(rect):
                    missing.append(key)
    return missing


def assert_link_drawn_between_its_ports(scene, key) -> None:
    item = scene.link_items[key]
    src, dst = scene.node_items[item.source_id], scene.node_items[item.target_id]
    assert item.scene() is scene
    assert item.path().elementAt(0).x == pytest.approx(src.exit_port_pos(item.exit_name).x())
    assert item.path().elementAt(0).y == pytest.approx(src.exit_port_pos(item.exit_name).y())
    end = item.end_point()
    port = dst.input_port_pos()
    assert (end.x(), end.y()) == pytest.approx((port.x() - METRICS.port_radius - 1, port.y()))


def far_menu(window) -> str:
    """The menu with the most links to and from it that were not made with the flow (a middle level far
    from the first view: its choices, its "no input" loop and the choice leading to it)."""
    flow, made = window.document.flow, window.scene.link_items

    def not_made(node_id: str) -> int:
        keys = [(node_id, e) for e in flow.node(node_id).links] + list(flow.incoming(node_id))
        return sum(key not in made for key in keys)

    far = max(flow.nodes, key=not_made)
    assert not_made(far) >= 2
    return far


def test_the_links_in_view_are_there_at_once_and_the_others_follow(opened, qtbot):
    scene, view = opened.scene, opened.view
    assert 0 < scene.unbuilt_links() < len(model_links(opened))  # some made, some not yet
    for key in scene.link_items:
        assert_link_drawn_between_its_ports(scene, key)
    # every link that reaches into view is there for the first frame
    assert unmade_links_reaching_into(opened, view.visible_scene_rect()) == []

    qtbot.waitUntil(lambda: scene.unbuilt_links() == 0, timeout=60_000)  # made between events

    assert item_links(opened) == model_links(opened)
    for key in scene.link_items:
        assert_link_drawn_between_its_ports(scene, key)


def test_a_turn_of_the_event_loop_makes_at_least_one_batch_however_slow_the_machine(opened):
    """A slice whose time is up before its first batch (a slow or busy machine: here every reading of the clock
    is a whole slice later) still makes one batch, so the links always get made."""
    scene = opened.scene
    before = scene.unbuilt_links()
    assert before > BUILD_BATCH

    QApplication.processEvents()  # one turn: the slice's timer is due

    assert scene.unbuilt_links() == before - BUILD_BATCH


def test_revealing_a_far_node_from_problems_shows_it_with_its_links(opened):
    scene = opened.scene
    far = far_menu(opened)
    incoming = [key for key in opened.document.flow.incoming(far)]

    opened.reveal_node(far)  # what clicking its row in the Problems panel does

    assert scene.selected_node_ids() == [far]
    assert opened.view.visible_scene_rect().intersects(scene.node_items[far].sceneBoundingRect())
    own = [(far, e) for e in opened.document.flow.node(far).links]
    for key in own + incoming:
        assert scene.link_items[key].emphasised  # drawn in the highlight colour, as for any selected card
        assert_link_drawn_between_its_ports(scene, key)


def test_a_far_card_moved_before_its_links_were_made_takes_them_along(opened):
    scene, document = opened.scene, opened.document
    far = far_menu(opened)
    x, y = document.flow.node(far).position

    document.move_nodes({far: (x + 240.0, y + 60.0)}, "Move node")

    assert (scene.node_items[far].x(), scene.node_items[far].y()) == pytest.approx(
        (x + 240.0, y + 60.0), abs=20
    )
    for e in document.flow.node(far).links:
        assert_link_drawn_between_its_ports(scene, (far, e))
    for key in document.flow.incoming(far):
        assert_link_drawn_between_its_ports(scene, key)

    document.undo_stack.undo()

    assert (scene.node_items[far].x(), scene.node_items[far].y()) == pytest.approx(
        (x, y), abs=20
    )  # on the grid
    for e in document.flow.node(far).links:
        assert_link_drawn_between_its_ports(scene, (far, e))


def test_relinking_and_deleting_before_the_links_were_made_keeps_items_and_model_alike(opened, qtbot):
    scene, document = opened.scene, opened.document
    far = far_menu(opened)
    old_target = document.flow.node(far).links["branch:b1"]

    document.set_link(far, "branch:b1", "menu_1")  # an exit whose link had no item yet
    assert scene.link_items[(far, "branch:b1")].target_id == "menu_1"
    assert_link_drawn_between_its_ports(scene, (far, "branch:b1"))
    document.remove_nodes([old_target])  # its old target goes: the relinked link stays
    assert scene.link_items[(far, "branch:b1")].target_id == "menu_1"
    assert old_target not in scene.node_items

    document.undo_stack.undo()  # the removed node and its links come back
    document.undo_stack.undo()  # and the exit leads where it did

    qtbot.waitUntil(lambda: scene.unbuilt_links() == 0, timeout=60_000)
    assert item_links(opened) == model_links(opened)
    assert scene.link_items[(far, "branch:b1")].target_id == old_target
    assert_link_drawn_between_its_ports(scene, (far, "branch:b1"))


def test_scrolling_to_a_far_card_shows_its_links_before_any_event_runs(opened):
    scene, view, flow = opened.scene, opened.view, opened.document.flow
    far = far_menu(opened)
    keys = [(far, e) for e in flow.node(far).links] + list(flow.incoming(far))
    assert any(key not in scene.link_items for key in keys)

    view.centerOn(scene.node_items[far])  # as dragging the scroll bars does; no event loop turn in between

    for key in keys:
        assert_link_drawn_between_its_ports(scene, key)
    assert unmade_links_reaching_into(opened, view.visible_scene_rect()) == []


def test_auto_layout_and_routing_reach_links_not_made_yet(opened):
    scene, flow = opened.scene, opened.document.flow
    assert scene.unbuilt_links()
    before = {node.id: node.position for node in flow}

    opened.scene.auto_layout()  # one undo step moving the cards, with most links not made yet

    moved = {node.id for node in flow if node.position != before[node.id]}
    assert len(moved) > len(flow) / 2
    for source, exit_name, target in model_links(opened):  # a moved card's links were made to move with it
        assert (source, exit_name) in scene.link_items or not {source, target} & moved
    scene.build_all_links()
    assert item_links(opened) == model_links(opened)
    scene.router.route_pending()  # what the background routing does between events, all at once
    for key in scene.link_items:
        item = scene.link_items[key]
        src = scene.node_items[item.source_id]
        start = item.path().elementAt(0)
        assert (start.x, start.y) == pytest.approx(
            (src.exit_port_pos(item.exit_name).x(), src.exit_port_pos(item.exit_name).y())
        )


def test_the_flow_is_fit_with_every_link_in_view(opened):
    opened.view.fit()

    assert unmade_links_reaching_into(opened, opened.view.visible_scene_rect()) == []
