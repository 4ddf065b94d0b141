"""Nodes that appear by a user's action (added, duplicated, pasted) are scrolled into view."""

from __future__ import annotations

from PySide6.QtCore import QPointF

from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.view import FlowView


def make_view(qtbot, document) -> FlowView:
    view = FlowView(FlowScene(document))
    qtbot.addWidget(view)
    view.resize(700, 420)
    view.show()
    qtbot.waitExposed(view)
    view.set_zoom(1.0)
    return view


def fully_visible(view: FlowView, node_id: str) -> bool:
    item = view.flow_scene().node_items[node_id]
    card = item.mapRectToScene(0, 0, item.width, item.height)
    return view.visible_scene_rect().contains(card)


def test_a_duplicated_node_at_the_edge_of_the_view_is_scrolled_into_view(qtbot, document) -> None:
    view = make_view(qtbot, document)
    scene = view.flow_scene()
    item = scene.node_items["main_menu"]
    card = item.mapRectToScene(0, 0, item.width, item.height)
    # the menu's bottom-right corner at the view's bottom-right: its duplicate (40, 40 further) is cut off
    visible = view.visible_scene_rect()
    view.centerOn(card.bottomRight() - QPointF(visible.width() / 2 - 5, visible.height() / 2 - 5))
    assert fully_visible(view, "main_menu")
    scene.select_nodes(["main_menu"])
    (copy,) = view.duplicate_selection()
    assert fully_visible(view, copy)


def test_a_node_added_near_the_edge_is_scrolled_into_view(qtbot, document) -> None:
    view = make_view(qtbot, document)
    corner = view.visible_scene_rect().bottomRight() - QPointF(30, 30)
    node_id = view.add_node_at("say", corner)
    assert fully_visible(view, node_id)


def test_a_duplicate_lands_beside_its_original_on_no_card_and_stays_there_when_reopened(
    qtbot, document, tmp_path
) -> None:
    """Ctrl+D puts the copy near its original but over no card (not on top of the original, hiding it and
    its links), so a saved flow opens as it was saved, with no card to move apart."""
    from ivr_studio.flow.overlaps import overlapping_pairs
    from ivr_studio.ui.canvas.style import node_size
    from ivr_studio.ui.document import FlowDocument

    view = make_view(qtbot, document)
    scene = view.flow_scene()
    scene.select_nodes(["support_queue", "voicemail_prompt"])
    copies = view.duplicate_selection()
    assert len(copies) == 2
    assert not [pair for pair in overlapping_pairs(document.flow, node_size) if set(pair) & set(copies)]
    original = document.flow.node("support_queue").position
    copy = document.flow.node(copies[0]).position
    assert abs(copy[0] - original[0]) <= 40 and 0 < copy[1] - original[1] <= 600, "near its original"
    assert all(fully_visible(view, node_id) for node_id in copies)

    saved = document.save(tmp_path / "duplicated.ivrflow")
    reopened = FlowDocument()
    reopened.open(saved)
    assert not reopened.is_dirty(), "no card had to be moved apart"
    assert reopened.flow.node(copies[0]).position == copy
