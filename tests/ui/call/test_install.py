"""The panel inside the editor: a dock next to Problems, the Call menu, and the canvas following the call."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from call_clock import SteppedClock, run_until
from PySide6.QtWidgets import QDockWidget

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)
SHOTS = Path(os.environ.get("IVR_SHOTS", "/tmp/ivr-shots"))


@pytest.fixture
def installed(qtbot, settings, tmp_path, support_line):
    from ivr_studio.ui.main_window import MainWindow

    window = MainWindow(
        settings=settings,
        recovery_dir=tmp_path / "recovery",
        autosave_ms=60_000,
        call_controller=CallController(settings=FAST, audio=False, clock=SteppedClock),
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_path(support_line)
    yield window, window.call_panel
    window.close()


def test_dock_and_menu(installed):
    window, panel = installed
    dock = window.docks["Test call"]
    assert isinstance(dock, QDockWidget) and dock.widget() is panel
    assert window.tabifiedDockWidgets(dock) and window.docks["Problems"] in window.tabifiedDockWidgets(dock)
    names = [a.objectName() for a in window.call_menu.actions() if a.objectName()]
    assert names == [
        "action_call",
        "action_hang_up",
        "action_step",
        "action_toggle_breakpoint",
        "action_clear_breakpoints",
        "action_save_call_as_test",
        "action_load_coverage",
        "action_show_coverage",
        "action_speech_models",
    ]
    assert window.actions_["action_call"].shortcut().toString() == "F5"
    assert window.actions_["action_hang_up"].shortcut().toString() == "Shift+F5"
    window.actions_["action_show_coverage"].trigger()
    assert panel.coverage.isChecked()


def listening(panel) -> bool:
    """The call's current Gather listens (its prompt is over): what a caller waits for before a key."""
    trace = panel.controller.record.trace
    return bool(trace) and trace[-1]["event"] == "listening"


def test_canvas_follows_the_call(qtbot, installed):
    """The call's time moves only when the test moves it (a stepped clock), so a busy machine cannot make the
    menu time out before the key is pressed."""
    window, panel = installed
    items = window.scene.node_items
    window.actions_["action_call"].trigger()
    run_until(qtbot, panel.controller, lambda: listening(panel))
    assert items["main_menu"].active and not items["welcome"].active
    panel.keypad.buttons["2"].click()
    run_until(qtbot, panel.controller, lambda: listening(panel) and items["support_menu"].active)
    assert not items["main_menu"].active
    assert [e["node"] for e in panel.controller.record.trace if e["event"] == "request"] == [
        "welcome",
        "main_menu",
        "support_menu",
    ], "each menu was left by the caller, never by its timeout"
    links = window.scene.link_items
    taken = [key for key, link in links.items() if link.taken]
    assert ("welcome", "next") in taken and ("main_menu", "branch:support") in taken
    assert ("main_menu", "branch:sales") not in taken
    window.resize(1280, 820)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "main-window-mid-call.png"))
    panel.grab().save(str(SHOTS / "call-panel-mid-call.png"))
    with qtbot.waitSignal(panel.controller.callEnded):
        window.actions_["action_hang_up"].trigger()
    assert not any(item.active for item in items.values())
