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
