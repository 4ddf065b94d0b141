"""The main window: files, dirty state, closing with changes, autosave and recovery, panels, actions."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from ivr_studio import __version__
from ivr_studio.flow.ivrflow import load_flow
from ivr_studio.ui import autosave
from ivr_studio.ui.autosave import find_recoveries
from ivr_studio.ui.main_window import MainWindow


def test_new_window_shows_the_starter_flow_and_a_hint(window: MainWindow) -> None:
    assert len(window.scene.node_items) == 4
    assert window.windowTitle().startswith("Untitled")
    assert "●" not in window.windowTitle()
    image = window.view.grab().toImage()
    assert not image.isNull()
    assert window.count_label.text() == "4 nodes"
    assert window.view.shows_hint()
    window.document.set_field("sales", "title", "Sales team")
    assert not window.view.shows_hint(), "the hint goes once the user starts building"


def test_a_new_flow_starts_without_problems(qtbot, window: MainWindow) -> None:
    window.new_flow()
    window.problems.refresh()
    assert [d for d in window.problems.diagnostics if str(d.severity) in ("error", "warning")] == []
    assert window.problems_label.text() == "No problems"
    # the dock's tab agrees with the status bar: a note (the call ends after Sales) is listed, not counted
    assert window.problems.diagnostics, "the starter flow's note is listed"
    assert window.docks["Problems"].windowTitle() == "Problems"
    window.document.set_link("main_menu", "no_input", None)
    window.problems.refresh()
    warnings = [d for d in window.problems.diagnostics if str(d.severity) == "warning"]
    assert warnings and window.problems_label.text() == f"{len(warnings)} warnings"
    assert window.docks["Problems"].windowTitle() == f"Problems ({len(warnings)})"
    cards = [i.mapRectToScene(0, 0, i.width, i.height) for i in window.scene.node_items.values()]
    assert not any(a.intersects(b) for i, a in enumerate(cards) for b in cards[i + 1 :])


def test_every_action_has_an_object_name_and_a_menu(window: MainWindow) -> None:
    names = set(window.actions_)
    for name in (
        "action_new",
        "action_open",
        "action_save",
        "action_save_as",
        "action_undo",
        "action_redo",
        "action_copy",
        "action_paste",
        "action_duplicate",
        "action_delete",
        "action_fit",
        "action_quick_add",
        "action_auto_layout",
        "action_about",
        "action_export",
    ):
        assert name in names
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Edit", "View", "Flow", "Call", "Help"]
    shortcuts = {n: a.shortcut().toString() for n, a in window.actions_.items()}
    assert shortcuts["action_save"] == "Ctrl+S" and shortcuts["action_save_as"] == "Ctrl+Shift+S"
    assert shortcuts["action_duplicate"] == "Ctrl+D" and shortcuts["action_fit"] == "F"
    assert "Ctrl+Shift+Z" in [s.toString() for s in window.actions_["action_redo"].shortcuts()]


def test_open_edit_save_round_trip_with_dirty_mark(
    window: MainWindow, support_line: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "line.ivrflow"
    copy.write_bytes(support_line.read_bytes())
    assert window.open_path(copy)
    assert window.windowTitle().startswith("line.ivrflow") and "●" not in window.windowTitle()
    window.document.set_field("welcome", "title", "Hello")
    assert "●" in window.windowTitle()
    window.actions_["action_save"].trigger()
    assert "●" not in window.windowTitle()
    assert load_flow(copy).node("welcome").title == "Hello"
    assert (tmp_path / "line.ivrflow.bak").exists()
    window.actions_["action_undo"].trigger()
    assert window.document.flow.node("welcome").title == "Welcome" and "●" in window.windowTitle()
    window.actions_["action_redo"].trigger()
    assert "●" not in window.windowTitle()


def test_save_as_uses_the_chosen_path_and_records_it_as_recent(window, tmp_path, monkeypatch) -> None:
    target = tmp_path / "chosen"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.actions_["action_save_as"].trigger()
    saved = tmp_path / "chosen.ivrflow"
    assert saved.exists() and window.document.path == saved
    assert window.recent_menu.actions()[0].toolTip() == str(saved.resolve())


def test_corrupt_or_newer_file_opens_nothing_and_says_why(window, tmp_path, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a, **k: shown.append(text))
    newer = tmp_path / "newer.ivrflow"
    newer.write_text('{"format": "ivrflow", "version": 99, "nodes": []}')
    assert not window.open_path(newer)
    assert str(newer) in shown[0] and "$.version" in shown[0] and "newer" in shown[0]
    assert len(window.document.flow) == 4 and window.document.path is None


def test_a_file_that_cannot_be_opened_is_named_on_stderr_too(window, tmp_path, monkeypatch, capsys) -> None:
    """``ivr-studio open FILE`` run from a terminal says there why nothing was opened, not only in the
    dialog."""
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: None)
    broken = tmp_path / "broken.ivrflow"
    broken.write_text("{ not json")
    assert not window.open_path(broken)
    err = capsys.readouterr().err
    assert err.startswith(f"IVR Studio: could not open the flow: {broken}: ") and err.count("\n") == 1


def test_failed_save_keeps_the_previous_file_and_says_so(window, support_line, tmp_path, monkeypatch) -> None:
    copy = tmp_path / "line.ivrflow"
    copy.write_bytes(support_line.read_bytes())
    window.open_path(copy)
    window.document.set_field("welcome", "title", "Changed")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a, **k: shown.append(text))

    def disk_full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ivr_studio.flow.ivrflow.os.fsync", disk_full)
    assert not window.save()
    assert "unchanged" in shown[0] and "No space left" in shown[0]
    assert copy.read_bytes() == support_line.read_bytes()
    assert window.document.is_dirty()


@pytest.mark.parametrize(
    ("answer", "closes", "saved"),
    [
        (QMessageBox.StandardButton.Cancel, False, False),
        (QMessageBox.StandardButton.Discard, True, False),
        (QMessageBox.StandardButton.Save, True, True),
    ],
)
def test_closing_with_unsaved_changes_asks(
    window, support_line, tmp_path, monkeypatch, answer, closes, saved
) -> None:
    copy = tmp_path / "line.ivrflow"
    copy.write_bytes(support_line.read_bytes())
    window.open_path(copy)
    window.document.set_field("welcome", "title", "Unsaved")
    asked: list[str] = []

    def ask(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", ask)
    assert window.close() is closes
    assert asked and "line.ivrflow" in asked[0]
    assert (load_flow(copy).node("welcome").title == "Unsaved") is saved


def test_closing_without_changes_does_not_ask(window, monkeypatch) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("asked without changes"))
    assert window.close()


def test_autosave_writes_a_recovery_file_and_the_next_start_offers_it(
    qtbot, settings, tmp_path, monkeypatch
) -> None:
    recovery = tmp_path / "recovery"
    crashed = MainWindow(settings=settings, recovery_dir=recovery, autosave_ms=20)
    qtbot.addWidget(crashed)
    crashed.document.set_field("start", "title", "Before the crash")
    qtbot.waitUntil(lambda: any(recovery.glob("*.ivrflow")))
    crashed.autosaver.stop()  # the process "dies" here: no close, no cleanup
    assert not find_recoveries(recovery), "a running editor's autosave is not offered as a recovery"
    monkeypatch.setattr(autosave, "_process_alive", lambda pid: False)  # ...and now its process is gone

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    fresh = MainWindow(settings=settings, recovery_dir=recovery, autosave_ms=60_000)
    qtbot.addWidget(fresh)
    assert fresh.offer_recovery()
    assert fresh.document.flow.node("start").title == "Before the crash"
    assert fresh.document.is_dirty() and "●" in fresh.windowTitle()
    fresh.document.undo_stack.clear()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    fresh.close()
    assert not find_recoveries(recovery), "a clean close removes the recovery file"


def test_autosave_skips_clean_documents_and_save_removes_the_recovery_file(window, tmp_path) -> None:
    assert window.autosaver.autosave() is None
    window.document.set_field("start", "title", "X")
    written = window.autosaver.autosave()
    assert written is not None and load_flow(written).node("start").title == "X"
    window.document.save(tmp_path / "saved.ivrflow")
    assert not written.exists()


def test_declining_recovery_discards_it(qtbot, settings, tmp_path, monkeypatch) -> None:
    recovery = tmp_path / "recovery"
    first = MainWindow(settings=settings, recovery_dir=recovery, autosave_ms=60_000)
    qtbot.addWidget(first)
    first.document.set_field("start", "title", "Lost")
    first.autosaver.autosave()
    first.autosaver.stop()
    monkeypatch.setattr(autosave, "_process_alive", lambda pid: False)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    second = MainWindow(settings=settings, recovery_dir=recovery, autosave_ms=60_000)
    qtbot.addWidget(second)
    assert not second.offer_recovery()
    assert not find_recoveries(recovery)
    assert second.document.flow.node("start").title == "Start"


def test_opening_a_file_offers_only_that_files_recovery(qtbot, settings, tmp_path, monkeypatch, support_line):
    recovery = tmp_path / "recovery"
    first = MainWindow(settings=settings, recovery_dir=recovery, autosave_ms=60_000)
    qtbot.addWidget(first)
    first.document.set_field("start", "title", "Untitled work")
    first.autosaver.autosave()
    first.autosaver.stop()
    monkeypatch.setattr(autosave, "_process_alive", lambda pid: False)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: pytest.fail("asked about another flow"))
    second = MainWindow(settings=settings, recovery_dir=recovery, autosave_ms=60_000)
    qtbot.addWidget(second)
    assert not second.offer_recovery(support_line)
    assert len(find_recoveries(recovery)) == 1, "the untitled flow's recovery waits for a later start"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)


def test_problems_panel_follows_edits_and_reveals_nodes(qtbot, window, support_line) -> None:
    window.open_path(support_line)
    assert window.problems.checking and window.problems_label.text() == "Checking for problems…"
    qtbot.waitUntil(lambda: window.problems_label.text() == "No problems")
    window.document.set_attribute("main_menu", "hints", "x" * 150)
    qtbot.waitUntil(lambda: bool(window.problems.diagnostics))
    problem = window.problems.diagnostics[0]
    assert problem.node_id == "main_menu"
    assert window.scene.node_items["main_menu"].problems
    assert "main_menu" not in window.scene.selected_node_ids()
    item = window.problems.tree.topLevelItem(0)
    window.problems.tree.itemClicked.emit(item, 0)
    assert window.scene.selected_node_ids() == ["main_menu"]
    assert window.view.visible_scene_rect().contains(
        window.scene.node_items["main_menu"].sceneBoundingRect().center()
    )
    assert "warning" in window.problems_label.text() or "error" in window.problems_label.text()
    window.document.undo_stack.undo()
    qtbot.waitUntil(lambda: not window.problems.diagnostics)
    assert not window.scene.node_items["main_menu"].problems


def test_selection_drives_inspector_and_twiml_preview(qtbot, window, support_line) -> None:
    window.open_path(support_line)
    window.scene.select_nodes(["main_menu"])
    assert window.inspector.node_id == "main_menu"
    text = window.preview.text.toPlainText()
    assert "<Gather" in text and "</Response>" in text
    window.document.set_attribute("main_menu", "timeout", 8)
    qtbot.waitUntil(lambda: 'timeout="8"' in window.preview.text.toPlainText())
    window.scene.select_nodes(["welcome", "sorry"])
    assert window.inspector.node_id is None


def test_add_dock_is_movable_closable_and_listed(qtbot, window) -> None:
    from PySide6.QtWidgets import QLabel

    dock = window.add_dock(QLabel("calls"), "Test call", Qt.DockWidgetArea.BottomDockWidgetArea)
    assert dock.objectName() == "dock_test_call"
    assert dock.toggleViewAction() in window.panels_menu.actions()
    qtbot.waitUntil(lambda: bool(window.tabifiedDockWidgets(dock)))


def test_dock_layout_is_remembered(qtbot, settings, tmp_path, monkeypatch) -> None:
    first = MainWindow(settings=settings, recovery_dir=tmp_path / "r", autosave_ms=60_000)
    qtbot.addWidget(first)
    first.show()
    first.docks["Palette"].close()
    first.close()
    second = MainWindow(settings=settings, recovery_dir=tmp_path / "r", autosave_ms=60_000)
    qtbot.addWidget(second)
    second.show()
    assert not second.docks["Palette"].isVisible() and second.docks["Inspector"].isVisible()
    second.close()


def test_about_box_shows_the_version(window, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda _p, _t, text: shown.append(text))
    window.actions_["action_about"].trigger()
    assert __version__ in shown[0]


def test_new_asks_about_unsaved_changes_first(window, monkeypatch) -> None:
    window.document.set_field("start", "title", "Mine")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    window.actions_["action_new"].trigger()
    assert window.document.flow.node("start").title == "Mine"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    window.actions_["action_new"].trigger()
    assert window.document.flow.node("start").title == "Start" and not window.document.is_dirty()


def test_a_window_closed_before_its_first_frame_work_ran_is_left_alone(qtbot, settings, tmp_path):
    """The work after the first frame (checking the flow, probing audio) waits for the next event-loop turn;
    a window closed and deleted before then is not called into (it raised "QTimer already deleted" in
    whatever ran next)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from ivr_studio.ui.call.controller import CallController

    w = MainWindow(
        settings=settings,
        recovery_dir=tmp_path / "recovery",
        autosave_ms=60_000,
        call_controller=CallController(audio=False),
    )
    viewport = w.view.viewport()
    w._first_frame.eventFilter(viewport, QEvent(QEvent.Type.Paint))  # the first frame was painted
    w.close()
    w.deleteLater()
    with qtbot.captureExceptions() as exceptions:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()  # the turn the first-frame work was queued for
    assert exceptions == []
