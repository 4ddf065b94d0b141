"""The canvas follows the model, and gestures on the canvas edit the model (through undoable commands)."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from ivr_studio.ui.canvas.palette import MIME_KIND
from ivr_studio.ui.canvas.scene import FlowScene
from ivr_studio.ui.canvas.view import FlowView
from ivr_studio.ui.document import FlowDocument


def make_view(qtbot, document: FlowDocument) -> FlowView:
    view = FlowView(FlowScene(document))
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    view.set_zoom(1.0)
    return view


def test_scene_has_an_item_per_node_and_link(qtbot, document) -> None:
    scene = make_view(qtbot, document).flow_scene()
    assert set(scene.node_items) == set(document.flow.nodes)
    assert set(scene.link_items) == {(s, e) for s, e, _ in document.flow.links()}


def test_model_changes_show_in_the_view(qtbot, document) -> None:
    scene = make_view(qtbot, document).flow_scene()
    document.flow.set_node_field("welcome", "title", "Hello there")
    assert scene.node_items["welcome"].title == "Hello there"
    document.flow.set_node_field("welcome", "position", (400, 40))
    assert scene.node_items["welcome"].pos() == QPointF(400, 40)
    document.flow.set_link("sorry", "next", None)
    assert ("sorry", "next") not in scene.link_items
    document.add_branch("support_menu")
    assert len(scene.node_items["support_menu"].rows) == 6
    document.remove_nodes(["goodbye"])
    assert "goodbye" not in scene.node_items
    assert not [k for k, link in scene.link_items.items() if link.target_id == "goodbye"]
    document.undo_stack.undo()
    assert (
        "goodbye" in scene.node_items
        and scene.link_items[("main_menu", "max_attempts")].target_id == "goodbye"
    )


def test_links_follow_a_moved_node(qtbot, document) -> None:
    scene = make_view(qtbot, document).flow_scene()
    link = scene.link_items[("welcome", "next")]
    before = link.path().pointAtPercent(1.0)
    document.move_nodes({"main_menu": (900, 600)})
    after = link.path().pointAtPercent(1.0)
    assert after != before
    assert abs(after.x() - (900 - 7)) < 1 and after.y() > 600


def drag_card_by_its_title(view: FlowView, item) -> None:
    """Press on the card's title, move the mouse 100 × 50 pixels in five steps and release, as a user drags."""
    view.centerOn(item)
    start = view.mapFromScene(item.mapToScene(QPointF(60, 12)))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        QTest.mouseMove(view.viewport(), start + QPoint(20 * step, 10 * step))
    QTest.mouseRelease(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(100, 50)
    )


def test_dragging_a_node_is_one_undo_step(qtbot, document) -> None:
    view = make_view(qtbot, document)
    scene = view.flow_scene()
    item = scene.node_items["welcome"]
    drag_card_by_its_title(view, item)
    x, y = document.flow.node("welcome").position
    assert (x, y) != (0.0, 200.0) and x % 20 == 0 and y % 20 == 0, "moved and snapped to the grid"
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.flow.node("welcome").position == (0.0, 200.0)
    assert item.pos() == QPointF(0, 200)


def test_undo_puts_a_card_back_exactly_where_it_was_off_the_grid(qtbot, document) -> None:
    """A card off the grid (a file written by hand, an import) is dragged onto the grid; undo must put it back
    at its exact position, not at the grid point nearest to it; and an edit of the card leaves it there."""
    view = make_view(qtbot, document)
    scene = view.flow_scene()
    document.flow.set_node_field("welcome", "position", (13.5, 207.25))
    item = scene.node_items["welcome"]
    assert item.pos() == QPointF(13.5, 207.25), "the card shows where the file has it"
    drag_card_by_its_title(view, item)
    x, y = document.flow.node("welcome").position
    assert x % 20 == 0 and y % 20 == 0, "the drag snapped the card to the grid"
    document.undo_stack.undo()
    assert document.flow.node("welcome").position == (13.5, 207.25)
    assert item.pos() == QPointF(13.5, 207.25), "undo restores the exact position"
    document.set_field("welcome", "title", "Hello")
    assert item.pos() == QPointF(13.5, 207.25), "an edit of the card does not move it onto the grid"
    assert document.flow.node("welcome").position == (13.5, 207.25)


def test_dragging_from_a_port_to_a_node_connects_them(qtbot, document) -> None:
    view = make_view(qtbot, document)
    scene = view.flow_scene()
    document.flow.set_link("sorry", "next", None)
    src = scene.node_items["sorry"]
    dst = scene.node_items["billing_info"]
    view.centerOn(src)
    port = view.mapFromScene(src.exit_port_pos("next"))
    target = view.mapFromScene(dst.mapToScene(QPointF(80, 40)))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, port)
    QTest.mouseMove(view.viewport(), (port + target) / 2)
    QTest.mouseMove(view.viewport(), target)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)
    assert document.flow.node("sorry").links["next"] == "billing_info"
    assert scene.link_items[("sorry", "next")].target_id == "billing_info"
    document.undo_stack.undo()
    assert "next" not in document.flow.node("sorry").links


def test_dropping_a_link_on_empty_canvas_offers_quick_add_and_links_the_new_node(qtbot, document) -> None:
    view = make_view(qtbot, document)
    scene = view.flow_scene()
    document.flow.set_link("sorry", "next", None)
    src = scene.node_items["sorry"]
    view.centerOn(src)
    port = view.mapFromScene(src.exit_port_pos("next"))
    empty = port + QPoint(150, 300)
    assert not [i for i in scene.items(view.mapToScene(empty)) if i.__class__.__name__ == "NodeItem"]
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, port)
    QTest.mouseMove(view.viewport(), empty)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, empty)
    assert view.quick_add.isVisible()
    QTest.keyClicks(view.quick_add.search, "hang")
    QTest.keyClick(view.quick_add.search, Qt.Key.Key_Return)
    new_id = document.flow.node("sorry").links["next"]
    assert document.flow.node(new_id).kind == "hangup"
    assert scene.selected_node_ids() == [new_id]
    document.undo_stack.undo()
    assert new_id not in document.flow.nodes and "next" not in document.flow.node("sorry").links


def test_rerouting_a_link_end_to_another_node(qtbot, document) -> None:
    view = make_view(qtbot, document)
    scene = view.flow_scene()
    link = scene.link_items[("sorry", "next")]
    view.centerOn(link.end_point())
    grab = view.mapFromScene(link.end_point() - QPointF(4, 0))
    dst = scene.node_items["billing_info"]
    target = view.mapFromScene(dst.mapToScene(QPointF(100, 40)))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab)
    QTest.mouseMove(view.viewport(), target)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)
    assert document.flow.node("sorry").links["next"] == "billing_info"


def test_palette_drop_adds_a_node_where_it_was_dropped(qtbot, document) -> None:
    view = make_view(qtbot, document)
    mime = QMimeData()
    mime.setData(MIME_KIND, b"play")
    at = QPointF(300, 300)
    event = QDropEvent(
        at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    view.dropEvent(event)
    added = [n for n in document.flow if n.kind == "play"]
    assert len(added) == 1
    scene_at = view.mapToScene(at.toPoint())
    assert abs(added[0].position[0] - scene_at.x()) <= 40 and abs(added[0].position[1] - scene_at.y()) <= 40
    assert added[0].id in view.flow_scene().node_items


def test_tab_opens_quick_add_and_escape_closes_it(qtbot, document) -> None:
    view = make_view(qtbot, document)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert view.quick_add.isVisible()
    QTest.keyClick(view.quick_add.search, Qt.Key.Key_Escape)
    assert not view.quick_add.isVisible()
    assert len(document.flow) == 12


def test_copy_paste_duplicate_and_delete_selection(qtbot, document) -> None:
    view = make_view(qtbot, document)
    scene = view.flow_scene()
    scene.select_nodes(["voicemail_prompt", "voicemail"])
    assert view.copy_selection()
    pasted = view.paste()
    assert len(pasted) == 2 and set(scene.selected_node_ids()) == set(pasted)
    assert document.flow.node(pasted[0]).links["next"] == pasted[1]
    duplicated = view.duplicate_selection()
    assert len(duplicated) == 2 and len(document.flow) == 16
    view.delete_selection()
    assert len(document.flow) == 14
    scene.clearSelection()
    scene.link_items[("welcome", "next")].setSelected(True)
    view.delete_selection()
    assert "next" not in document.flow.node("welcome").links


def test_zoom_and_fit(qtbot, document) -> None:
    view = make_view(qtbot, document)
    zooms: list[float] = []
    view.zoomChanged.connect(zooms.append)
    view.fit()
    assert view.visible_scene_rect().contains(view.flow_scene().nodes_rect())
    view.zoom_by(0.5)
    assert zooms[-1] < zooms[0]


def test_active_node_and_exit_coverage_hooks(qtbot, document) -> None:
    scene = make_view(qtbot, document).flow_scene()
    scene.set_active_node("main_menu")
    assert scene.node_items["main_menu"].active
    scene.set_active_node("sorry")
    assert not scene.node_items["main_menu"].active and scene.node_items["sorry"].active
    scene.set_exit_coverage({("welcome", "next"), ("main_menu", "branch:sales")})
    assert scene.link_items[("welcome", "next")].taken
    assert not scene.link_items[("main_menu", "no_match")].taken
    assert "branch:sales" not in scene.node_items["main_menu"].untaken
    assert "no_match" in scene.node_items["main_menu"].untaken
    scene.set_exit_coverage(None)
    assert not scene.link_items[("welcome", "next")].taken and not scene.node_items["main_menu"].untaken


def test_auto_layout_is_one_undo_step_and_nodes_do_not_overlap(qtbot, document) -> None:
    scene = make_view(qtbot, document).flow_scene()
    scene.auto_layout()
    assert document.undo_stack.count() == 1
    rects = [i.sceneBoundingRect().adjusted(10, 18, -10, -10) for i in scene.node_items.values()]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.intersects(b)
