"""A flow opens at a zoom its cards can be read at, level with its start node; the overview map can be moved
to another corner, hidden (both remembered) and steps aside for the canvas's popups and hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtTest import QTest

from ivr_studio.ui.canvas.minimap import FULL_SIZE, GRIP
from ivr_studio.ui.canvas.view import READABLE_ZOOM

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "resources" / "examples").glob("*.ivrflow"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_open_readable_and_level_with_the_start(window, path: Path) -> None:
    window.resize(1366, 768)
    assert window.open_path(path)
    view, scene = window.view, window.scene
    zoom = view.zoom()
    assert READABLE_ZOOM <= zoom <= 1.0, f"opened at {zoom:.0%}"
    visible = view.visible_scene_rect()
    start = scene.node_items[window.document.flow.start].sceneBoundingRect()
    assert visible.contains(start), "the start card is in view"
    if visible.contains(scene.nodes_rect()):
        return  # the whole flow fits at a readable zoom
    assert zoom == pytest.approx(READABLE_ZOOM)
    assert start.left() - visible.left() < 80, "the start card is at the left edge"
    # level with the start node, unless that would show empty canvas above or below the flow
    flow_rect = scene.nodes_rect().adjusted(-40, -40, 40, 40)
    off_centre = abs(start.center().y() - visible.center().y())
    assert (
        off_centre < 2 or visible.top() <= flow_rect.top() + 1 or visible.bottom() >= flow_rect.bottom() - 1
    )


def test_fit_still_shows_the_whole_flow(window, support_line: Path) -> None:
    window.resize(1366, 768)
    window.open_path(support_line)
    window.view.fit()
    assert window.view.visible_scene_rect().contains(window.scene.nodes_rect())


def test_the_overview_map_is_hidden_from_the_view_menu_and_stays_hidden(qtbot, window, settings) -> None:
    action = window.actions_["action_minimap"]
    assert action.isChecked() and window.view.minimap.isVisible()
    action.trigger()
    assert not window.view.minimap.isVisible()
    settings.sync()
    from ivr_studio.ui.call.controller import CallController
    from ivr_studio.ui.main_window import MainWindow

    again = MainWindow(
        settings=QSettings(settings.fileName(), QSettings.Format.IniFormat),
        recovery_dir=Path(settings.fileName()).parent / "recovery2",
        call_controller=CallController(audio=False),
    )
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert not again.actions_["action_minimap"].isChecked()
    assert not again.view.minimap.isVisible()
    again.actions_["action_minimap"].trigger()
    assert again.view.minimap.isVisible()
    again.close()


def test_the_overview_map_is_dragged_by_its_grip_to_another_corner(qtbot, window, settings) -> None:
    window.resize(1366, 768)
    view = window.view
    minimap = view.minimap
    area = view.viewport().geometry()
    assert minimap.corner == "bottom-right"  # (it sits in another corner while a starter card is under it)
    grip = QPoint(minimap.width() // 2, GRIP // 2)
    QTest.mousePress(minimap, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grip)
    target = minimap.mapFromParent(QPoint(area.left() + 150, area.top() + 120))
    QTest.mouseMove(minimap, target)
    QTest.mouseRelease(minimap, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target)
    geometry = minimap.geometry()
    assert minimap.corner == "top-left"
    assert geometry.left() - area.left() < 40 and geometry.top() - area.top() < 40, "snapped into the corner"
    assert settings.value("canvas/overview_corner") == "top-left"
    window.resize(1200, 700)  # it stays in its corner when the window changes size
    assert minimap.geometry().left() - view.viewport().geometry().left() < 40


def test_a_click_below_the_grip_still_moves_the_view(window) -> None:
    window.resize(1366, 768)
    view = window.view
    before = view.visible_scene_rect().center()
    QTest.mouseClick(view.minimap, Qt.MouseButton.LeftButton, pos=QPoint(10, view.minimap.height() - 10))
    assert view.visible_scene_rect().center() != before
    assert view.minimap.corner == "bottom-right"


def test_the_overview_map_steps_aside_for_the_quick_add_box(window) -> None:
    window.resize(1366, 768)
    view = window.view
    minimap = view.minimap
    corner = minimap.geometry().center()
    view.open_quick_add(view.mapToScene(view.viewport().mapFrom(view, corner)))
    assert view.quick_add.isVisible()
    assert view.quick_add.geometry().intersects(minimap.geometry())
    assert not minimap.isVisible(), "hidden while the box is over it"
    view.quick_add.hide()
    assert minimap.isVisible(), "back once the box is gone"
    view.open_quick_add(QPointF(view.visible_scene_rect().topLeft()) + QPointF(5, 5))
    assert not view.quick_add.geometry().intersects(minimap.geometry())
    assert minimap.isVisible(), "a box elsewhere leaves it be"
    view.quick_add.hide()


def test_the_canvas_hint_is_not_under_the_overview_map(window) -> None:
    window.resize(1366, 768)
    view = window.view
    assert view.shows_hint()  # a new, untouched flow
    overview = view.minimap.geometry().translated(-view.viewport().pos())
    assert not view.hint_rect().intersects(overview.toRectF())
    assert view.hint_rect().width() > 300, "and it still has room to be read"


def test_the_overview_map_is_smaller_on_a_small_canvas(qtbot, window, support_line: Path) -> None:
    """On a 1024x600 screen with the Test call panel open the canvas is small: the overview keeps to a
    corner of it instead of covering the cards in the middle."""
    assert window.open_path(support_line)
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.view.minimap.size().toTuple() == FULL_SIZE)
    window.resize(1024, 600)
    window.docks["Test call"].show()
    window.resizeDocks([window.docks["Test call"]], [260], Qt.Orientation.Vertical)
    viewport = window.view.viewport()
    minimap = window.view.minimap
    qtbot.waitUntil(lambda: viewport.height() < 360)
    qtbot.waitUntil(lambda: minimap.height() <= 0.25 * viewport.height() + 1)
    assert minimap.width() <= 0.22 * viewport.width() + 1
    assert minimap.width() / minimap.height() == pytest.approx(FULL_SIZE[0] / FULL_SIZE[1], abs=0.02)
    assert viewport.rect().contains(minimap.geometry().translated(-viewport.pos())), "still in the canvas"


def cards_under_the_map(view) -> list[str]:
    """The cards that lie (partly) under the overview map, as the user sees the canvas."""
    minimap = view.minimap
    area = minimap.geometry().translated(-view.viewport().pos())
    scene_area = view.mapToScene(area).boundingRect()
    return [
        node_id
        for node_id, item in view.flow_scene().node_items.items()
        if item.sceneBoundingRect().intersects(scene_area)
    ]


def small_screen_with_the_panel(qtbot, window, path: Path, size: tuple[int, int]) -> None:
    assert window.open_path(path)
    window.resize(*size)
    window.docks["Test call"].show()
    window.docks["Test call"].raise_()
    qtbot.waitUntil(lambda: window.call_panel.isVisible())


def test_the_overview_map_keeps_off_the_cards_on_a_laptop_screen(
    qtbot, window, settings, support_line
) -> None:
    """At 1366x768 with the Test call panel open, the support line's "Leave a message" card lay under the map
    in its corner; it moves to a corner with no card under it, and the user's own corner stays remembered."""
    small_screen_with_the_panel(qtbot, window, support_line, (1366, 768))
    view = window.view
    qtbot.waitUntil(lambda: view.minimap.isVisible() and not cards_under_the_map(view))
    assert view.minimap.where != "bottom-right"
    assert view.minimap.corner == "bottom-right", "the user's corner is kept"
    assert settings.value("canvas/overview_corner", "bottom-right") == "bottom-right"
    # once the user's corner is clear again (the view scrolled away from the cards), it goes back there
    view.centerOn(view.flow_scene().nodes_rect().topLeft() - QPointF(2_000, 2_000))
    qtbot.waitUntil(lambda: view.minimap.where == "bottom-right" and view.minimap.isVisible())


def test_the_overview_map_never_hides_the_selected_card(qtbot, window, support_line) -> None:
    small_screen_with_the_panel(qtbot, window, support_line, (1024, 600))
    view = window.view
    scene = view.flow_scene()
    menu = scene.node_items["main_menu"]
    # the selected card under the map's corner: the map moves off it
    view.set_zoom(1.0)
    menu.setSelected(True)
    corner = QPointF(view.minimap.geometry().center() - view.viewport().pos())
    offset = view.mapToScene(corner.toPoint()) - view.mapToScene(view.viewport().rect().center())
    view.centerOn(menu.sceneBoundingRect().center() - offset)
    qtbot.waitUntil(lambda: "main_menu" not in cards_under_the_map(view) and view.minimap.isVisible())
    # so near that the selected card would be under it in every corner: it hides until it is deselected
    view.set_zoom(3.0)
    view.centerOn(menu.sceneBoundingRect().center())
    qtbot.waitUntil(lambda: not view.minimap.isVisible())
    assert view.minimap.in_the_way and view.minimap.wanted
    menu.setSelected(False)
    qtbot.waitUntil(view.minimap.isVisible)
