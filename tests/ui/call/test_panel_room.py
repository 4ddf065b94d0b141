"""Room for the canvas: the Test call panel can be small (keypad beside the timeline, folded extras), dock
sizes are remembered per screen, F5 leaves a closed panel closed, and during a call the keyboard is the
caller's keypad anywhere in the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from silent_speech import SilentRecognizers

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.main_window import MainWindow

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)


def make_window(qtbot, settings, tmp_path, size=(1366, 768)) -> MainWindow:
    window = MainWindow(
        settings=settings,
        recovery_dir=tmp_path / "recovery",
        autosave_ms=60_000,
        call_controller=CallController(settings=FAST, audio=False, provider=SilentRecognizers()),
    )
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot, settings, tmp_path, support_line):
    w = make_window(qtbot, settings, tmp_path)
    assert w.open_path(support_line)
    yield w
    w.call_panel.controller.shutdown()
    w.document.replace(w.document.flow, w.document.path)
    w.close()


def open_panel(qtbot, window: MainWindow) -> None:
    dock = window.docks["Test call"]
    dock.show()
    dock.raise_()
    qtbot.waitUntil(window.call_panel.isVisible)


@pytest.mark.parametrize(("size", "least"), [((1366, 768), (700, 420)), ((1024, 600), (450, 260))])
def test_the_canvas_is_usable_with_the_panel_open(qtbot, settings, tmp_path, support_line, size, least):
    window = make_window(qtbot, settings, tmp_path, size)
    try:
        assert window.open_path(support_line)
        open_panel(qtbot, window)
        qtbot.wait(10)
        canvas = window.view.viewport().size()
        assert canvas.width() >= least[0] and canvas.height() >= least[1], (size, canvas)
    finally:
        window.close()


def test_the_panel_can_be_small(qtbot, window) -> None:
    panel = window.call_panel
    assert panel.minimumSizeHint().height() <= 210
    open_panel(qtbot, window)
    window.resizeDocks([window.docks["Test call"]], [120], Qt.Orientation.Vertical)
    qtbot.waitUntil(lambda: panel.height() <= 210)  # the user can drag it that small
    panel.keypad_toggle.setChecked(False)
    assert not panel.keypad.isVisibleTo(panel)
    qtbot.waitUntil(lambda: panel.minimumSizeHint().height() <= 170)  # once the layout has caught up
    panel.keypad_toggle.setChecked(True)


def test_the_keypad_sits_beside_the_timeline(qtbot, window) -> None:
    open_panel(qtbot, window)
    panel = window.call_panel
    keypad = panel.keypad.geometry()
    timeline = panel.timeline
    top_left = timeline.mapTo(panel, QPoint(0, 0))
    keypad_box = panel.keypad.parentWidget().mapTo(panel, keypad.topLeft())
    assert keypad_box.x() + keypad.width() <= top_left.x()
    assert (
        keypad_box.y() < top_left.y() + timeline.height() and top_left.y() < keypad_box.y() + keypad.height()
    )


def test_the_callers_other_means_are_folded_away_until_asked_for(qtbot, window) -> None:
    open_panel(qtbot, window)
    panel = window.call_panel
    assert not panel.wav_button.isVisible() and not panel.dial.isVisible()
    panel.show_section("caller")
    assert panel.wav_button.isVisible() and panel.dial.isVisible() and panel.talk_button.isVisible()
    panel.show_section("caller", False)
    assert not panel.wav_button.isVisible()


def test_other_features_can_add_a_section_to_the_panel(qtbot, window) -> None:
    from PySide6.QtWidgets import QLabel

    open_panel(qtbot, window)
    panel = window.call_panel
    extra = QLabel("Call at: now")
    toggle = panel.add_section("call_at", "Call at", extra)
    assert not extra.isVisible()
    toggle.click()
    assert extra.isVisible() and extra.parentWidget() is panel


def test_f5_does_not_reopen_a_panel_the_user_closed(qtbot, window) -> None:
    dock = window.docks["Test call"]
    dock.close()
    assert not dock.toggleViewAction().isChecked()
    window.actions_["action_call"].trigger()
    qtbot.waitUntil(lambda: window.scene.node_items["main_menu"].active)
    assert dock.isHidden(), "the call runs without reopening the panel"
    indicator = window.statusBar().findChild(object, "callIndicator")
    assert indicator.isVisible() and "Main menu" in indicator.text()
    indicator.click()
    assert not dock.isHidden(), "a click on the status bar opens the panel"
    with qtbot.waitSignal(window.call_panel.controller.callEnded):
        window.actions_["action_hang_up"].trigger()
    assert not indicator.isVisible()


def test_f5_brings_an_open_panel_tabbed_behind_problems_to_the_front(qtbot, window) -> None:
    def on_screen() -> bool:  # Qt keeps a tab behind another "visible", but moves it off the window
        return not window.call_panel.visibleRegion().isEmpty()

    window.docks["Problems"].raise_()
    qtbot.waitUntil(lambda: not on_screen())
    window.actions_["action_call"].trigger()
    qtbot.waitUntil(on_screen)
    with qtbot.waitSignal(window.call_panel.controller.callEnded):
        window.call_panel.controller.hang_up()


def test_dock_sizes_are_remembered_per_screen(qtbot, settings, tmp_path, monkeypatch) -> None:
    from ivr_studio.ui import window_layout

    screen = {"key": "1366x768"}
    monkeypatch.setattr(window_layout.LayoutMemory, "current_key", lambda self: screen["key"])

    laptop = make_window(qtbot, settings, tmp_path, (1366, 740))
    laptop.resizeDocks([laptop.docks["Inspector"]], [300], Qt.Orientation.Horizontal)
    qtbot.wait(10)
    laptop_inspector = laptop.docks["Inspector"].width()
    laptop.close()

    screen["key"] = "2560x1400"
    monitor = make_window(qtbot, settings, tmp_path, (2400, 1300))
    monitor.resizeDocks([monitor.docks["Inspector"]], [600], Qt.Orientation.Horizontal)
    qtbot.wait(10)
    monitor_inspector = monitor.docks["Inspector"].width()
    monitor.close()
    assert abs(monitor_inspector - laptop_inspector) > 100

    screen["key"] = "1366x768"
    again = MainWindow(
        settings=settings,
        recovery_dir=tmp_path / "r2",
        autosave_ms=60_000,
        call_controller=CallController(audio=False),
    )
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    qtbot.wait(10)
    assert abs(again.docks["Inspector"].width() - laptop_inspector) <= 4
    again.close()


def test_digits_typed_anywhere_go_to_the_call_with_a_visible_sign(qtbot, window) -> None:
    panel = window.call_panel
    assert not panel.keys_sign.isVisible()
    open_panel(qtbot, window)
    panel.start_call()
    qtbot.waitUntil(lambda: any(e["event"] == "listening" for e in panel.controller.record.trace))
    assert panel.keys_sign.isVisible(), "the panel says the keyboard is the keypad"
    assert panel.keys_sign.text() == "⌨ Keyboard = keypad", "in so many words, where there is room"
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus)
    QTest.keyPress(window.view, Qt.Key.Key_2)
    assert panel.keypad.buttons["2"].isDown(), "the on-screen key shows the key went to the call"
    QTest.keyRelease(window.view, Qt.Key.Key_2)
    assert not panel.keypad.buttons["2"].isDown()
    qtbot.waitUntil(
        lambda: any(e["event"] == "dtmf" and e["key"] == "2" for e in panel.controller.record.trace),
    )
    qtbot.waitUntil(lambda: window.scene.node_items["support_menu"].active)

    # a text field keeps its digits
    window.scene.select_nodes(["welcome"])
    title = window.inspector.fields["title"].line
    title.setFocus()
    qtbot.waitUntil(title.hasFocus)
    presses = len([e for e in panel.controller.record.trace if e["event"] == "dtmf"])
    QTest.keyClicks(title, "42")
    assert title.text().endswith("42")
    qtbot.wait(50)
    assert len([e for e in panel.controller.record.trace if e["event"] == "dtmf"]) == presses

    with qtbot.waitSignal(panel.controller.callEnded):
        panel.controller.hang_up()
    assert not panel.keys_sign.isVisible()
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_3)
    assert not panel.keypad.buttons["3"].isDown()


@pytest.mark.parametrize("target", ["This flow", "A URL"])
def test_a_call_does_not_widen_the_window_of_a_small_screen(qtbot, settings, tmp_path, support_line, target):
    """On a 1024x600 screen the window starts 962 px wide. A call adds "Call again" and the keyboard sign to
    the panel's top row, which then asked for more room than the window had: the window grew (to 974 px
    for a call of the flow, more for a URL's), past the screen's edge when it stood near it."""
    window = make_window(qtbot, settings, tmp_path, (962, 552))
    panel = window.call_panel
    try:
        assert window.open_path(support_line)
        open_panel(qtbot, window)
        panel.target.setCurrentText(target)
        panel.url.setText("http://127.0.0.1:9/voice")  # nothing listens: the call ends with an error
        qtbot.waitUntil(lambda: window.width() == 962)
        with qtbot.waitSignal(panel.controller.callStarted):
            panel.start_call()
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        assert panel.keys_sign.isVisible() or target == "A URL"
        assert window.minimumSizeHint().width() <= 962, window.minimumSizeHint()
        assert window.width() == 962
        assert (
            panel.keys_sign.isHidden() or panel.keys_sign.width() >= panel.keys_sign.minimumSizeHint().width()
        )
    finally:
        panel.controller.shutdown()
        window.document.replace(window.document.flow, window.document.path)
        window.close()
