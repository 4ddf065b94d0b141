"""The call debugger in the editor: breakpoints set in a card's margin or with F9 pause a test call where it
reaches the node (the call really stops: its time stands still, no prompt starts); the panel shows the
request and the call's parameters; F5 continues, F10 steps to the next request; clicking the timeline looks
back at where the call was. For calls of the open flow and of a URL."""

from __future__ import annotations

import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QMessageBox, QToolButton
from silent_speech import SilentRecognizers

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.canvas.breakpoint_marker import BreakpointMarker, marker_centre
from ivr_studio.ui.main_window import MainWindow

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)


@pytest.fixture
def window(qtbot, settings, tmp_path, support_line):
    w = MainWindow(
        settings=settings,
        recovery_dir=tmp_path / "recovery",
        autosave_ms=60_000,
        call_controller=CallController(settings=FAST, audio=False, provider=SilentRecognizers()),
    )
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    assert w.open_path(support_line)
    w.docks["Test call"].raise_()
    yield w
    w.call_panel.controller.shutdown()
    w.document.replace(w.document.flow, w.document.path)
    w.close()


def trace(window: MainWindow) -> list[dict]:
    record = window.call_panel.controller.record
    return list(record.trace) if record else []


def kinds(window: MainWindow, kind: str) -> list[dict]:
    return [e for e in trace(window) if e["event"] == kind]


def click_margin(qtbot, window: MainWindow, node_id: str) -> None:
    """A left click in the card's breakpoint margin, through the view as a user clicks."""
    view, card = window.view, window.scene.node_items[node_id]
    view.centre_on_node(node_id)
    point = view.mapFromScene(card.mapToScene(marker_centre() + QPointF(1, 0)))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def paused(window: MainWindow) -> bool:
    return window.call_panel.controller.pause is not None


def test_a_click_in_the_margin_sets_a_breakpoint_and_the_call_pauses_there(qtbot, window, shots) -> None:
    click_margin(qtbot, window, "billing_info")
    assert window.breakpoints.ids == {"billing_info"}
    marker = window.scene.node_items["billing_info"].childItems()
    assert any(isinstance(m, BreakpointMarker) for m in marker), "the card shows the breakpoint"
    assert window.scene.selected_node_ids() == [], "a margin click does not select or drag the card"

    panel = window.call_panel
    window.actions_["action_call"].trigger()
    qtbot.waitUntil(lambda: bool(kinds(window, "listening")))
    panel.keypad.buttons["3"].click()  # billing
    qtbot.waitUntil(lambda: paused(window))

    pause = panel.controller.pause
    assert pause.reason == "breakpoint" and pause.node == "billing_info"
    assert window.scene.node_items["billing_info"].active, "the canvas shows where the call is held"
    assert not [e for e in kinds(window, "say") if "billing team" in e["text"]], "its prompt has not started"
    rows = dict(panel.debugging.view.rows())
    assert rows["Digits"] == "3" and rows["CallSid"].startswith("CA") and rows["From"] and rows["To"]
    assert "/node/main_menu/result" in rows["Request that brought the call here"]
    assert "Paused at Billing hours" in panel.debugging.view.status.text()
    assert window.actions_["action_call"].text() == "&Continue"
    assert panel.sections["debugger"][1].isVisible(), "the debugger pane opens by itself"

    # the call's time stands still while it is held (the runtime's clock is paused, not just the display)
    engine_clock = panel.controller._live.engine.clock
    held_at = engine_clock.now()
    qtbot.wait(150)
    assert engine_clock.now() == held_at and engine_clock.paused
    count = len(trace(window))
    qtbot.wait(50)
    assert len(trace(window)) == count, "nothing happens while the call is held"

    assert window.grab().save(str(shots / "debugger-paused-1366x768.png"))

    window.actions_["action_call"].trigger()  # F5: continue
    qtbot.waitUntil(lambda: any("billing team" in e["text"] for e in kinds(window, "say")))
    assert not paused(window) and window.actions_["action_call"].text() == "&Call"
    with qtbot.waitSignal(panel.controller.callEnded):
        window.actions_["action_hang_up"].trigger()


def test_f9_toggles_the_selected_nodes_breakpoint(qtbot, window) -> None:
    window.scene.select_nodes(["main_menu"])
    window.actions_["action_toggle_breakpoint"].trigger()
    assert window.breakpoints.ids == {"main_menu"}
    window.actions_["action_toggle_breakpoint"].trigger()
    assert window.breakpoints.ids == set()
    assert not any(isinstance(c, BreakpointMarker) for c in window.scene.node_items["main_menu"].childItems())


def test_f10_steps_request_by_request_showing_what_each_will_send(qtbot, window) -> None:
    panel = window.call_panel
    window.actions_["action_step"].trigger()  # no call yet: one starts, held before its first request
    qtbot.waitUntil(lambda: paused(window))
    pause = panel.controller.pause
    assert pause.reason == "step" and pause.request.url.endswith("/voice")
    assert not kinds(window, "request"), "the first request has not been sent"
    rows = dict(panel.debugging.view.rows())
    assert rows["CallStatus"] == "ringing" and "Request about to be sent" in rows

    window.actions_["action_step"].trigger()
    qtbot.waitUntil(lambda: paused(window) and panel.controller.pause.node == "welcome")
    assert len(kinds(window, "request")) == 1
    assert "before it sends POST /node/main_menu" in panel.debugging.view.status.text()

    window.actions_["action_step"].trigger()
    # the menu runs and listens; the call is held again before the menu's result request, with the key
    qtbot.waitUntil(lambda: bool(kinds(window, "listening")))
    panel.keypad.buttons["2"].click()
    qtbot.waitUntil(lambda: paused(window) and panel.controller.pause.node == "main_menu")
    assert dict(panel.debugging.view.rows())["Digits"] == "2"
    assert dict(panel.debugging.view.rows())["Sent by"] == "<Gather> of Main menu", (
        "a flow's call keeps node titles"
    )
    assert panel.debugging.view.status.text().startswith("‖ Paused at Main menu (")
    assert not any(e.get("node") == "support_menu" for e in kinds(window, "request"))
    window.actions_["action_call"].trigger()  # continue
    qtbot.waitUntil(lambda: window.scene.node_items["support_menu"].active)
    with qtbot.waitSignal(panel.controller.callEnded):
        panel.controller.hang_up()


def test_hanging_up_a_paused_call_ends_it(qtbot, window) -> None:
    window.breakpoints.set(["main_menu"])
    panel = window.call_panel
    window.actions_["action_call"].trigger()
    qtbot.waitUntil(lambda: paused(window))
    with qtbot.waitSignal(panel.controller.callEnded):
        window.actions_["action_hang_up"].trigger()
    assert not paused(window) and window.actions_["action_call"].text() == "&Call"
    assert not kinds(window, "gather_start")


def test_clicking_the_timeline_looks_back_at_where_the_call_was(qtbot, window, shots) -> None:
    panel = window.call_panel
    items = window.scene.node_items
    window.actions_["action_call"].trigger()
    qtbot.waitUntil(lambda: bool(kinds(window, "listening")))
    panel.keypad.buttons["2"].click()
    qtbot.waitUntil(lambda: items["support_menu"].active)
    with qtbot.waitSignal(panel.controller.callEnded):
        panel.controller.hang_up()

    timeline = panel.timeline
    first_gather = next(
        timeline.topLevelItem(i)
        for i in range(timeline.topLevelItemCount())
        if timeline.topLevelItem(i).text(1) == "Gather"
    )
    timeline.scrollToItem(first_gather)
    rect = timeline.visualItemRect(first_gather)
    qtbot.mouseClick(timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert items["main_menu"].active and not items["support_menu"].active, "the canvas shows that moment"
    assert ("main_menu", "branch:support") not in {
        k for k, link in window.scene.link_items.items() if link.taken
    }
    assert ("welcome", "next") in {k for k, link in window.scene.link_items.items() if link.taken}
    assert "Looking back" in panel.debugging.view.status.text()
    assert "looking back" in panel.strip.node_label.text()
    names = [name for name, _value in panel.debugging.view.rows()]
    # the menu's document had run by then: it is not "about to run"
    assert "TwiML it was running" in names and "TwiML about to run" not in names
    assert window.grab().save(str(shots / "debugger-looking-back-1366x768.png"))

    panel.debugging.view.back_button.click()
    assert not items["main_menu"].active, "back to now: the call has ended, nothing glows"
    assert ("main_menu", "branch:support") in {k for k, link in window.scene.link_items.items() if link.taken}


def look_back_at_first(qtbot, panel, verb: str) -> None:
    """A click on the timeline's first row of ``verb``, as a user looks back at it."""
    timeline = panel.timeline
    row = next(
        timeline.topLevelItem(i)
        for i in range(timeline.topLevelItemCount())
        if timeline.topLevelItem(i).text(1) == verb
    )
    timeline.scrollToItem(row)
    qtbot.mouseClick(
        timeline.viewport(), Qt.MouseButton.LeftButton, pos=timeline.visualItemRect(row).center()
    )


def test_continue_is_offered_only_while_a_call_is_held_even_when_looking_back(qtbot, window) -> None:
    """Looking back at a held call, then letting it go on or hanging it up: Continue no longer applies, so
    it is not offered (a button that does nothing), while the pane keeps the moment looked at."""
    panel = window.call_panel
    view = panel.debugging.view
    window.breakpoints.set(["main_menu"])
    window.actions_["action_call"].trigger()
    qtbot.waitUntil(lambda: paused(window))
    look_back_at_first(qtbot, panel, "Say")
    assert "Looking back" in view.status.text() and view.continue_button.isEnabled()

    window.actions_["action_call"].trigger()  # F5: the call goes on
    qtbot.waitUntil(lambda: not paused(window))
    assert "Looking back" in view.status.text(), "the pane keeps the moment the user looks at"
    assert not view.continue_button.isEnabled(), "nothing is held: nothing to continue"
    assert view.step_button.isEnabled(), "Step holds the running call before its next request"

    window.breakpoints.set(["main_menu", "support_menu"])
    qtbot.waitUntil(lambda: bool(kinds(window, "listening")))
    panel.keypad.buttons["2"].click()
    qtbot.waitUntil(lambda: paused(window))  # held again at the support menu: back to now
    look_back_at_first(qtbot, panel, "Say")
    assert view.continue_button.isEnabled()
    with qtbot.waitSignal(panel.controller.callEnded):
        window.actions_["action_hang_up"].trigger()
    assert "Looking back" in view.status.text()
    assert not view.continue_button.isEnabled(), "the call has ended: nothing to continue"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_a_call_of_a_url_pauses_at_a_breakpoint_too(qtbot, window, support_line) -> None:
    """An exported bundle served over real HTTP names its nodes: breakpoints work on a call of its URL."""
    from ivr_studio.bundle.serve import wsgi_app_for_target

    app, _entry = wsgi_app_for_target(support_line)
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        panel = window.call_panel
        window.breakpoints.set(["main_menu"])
        panel.target.setCurrentIndex(1)
        panel.url.setText(f"http://127.0.0.1:{server.server_port}/voice")
        window.actions_["action_call"].trigger()
        qtbot.waitUntil(lambda: paused(window))
        pause = panel.controller.pause
        assert pause.node == "main_menu" and pause.arrival.url.startswith("http://127.0.0.1:")
        assert window.scene.node_items["main_menu"].active
        # a URL's app names its nodes by id (it may serve another version of the flow): the pane, the
        # strip under the timeline and the status bar all say the same
        indicator = window.statusBar().findChild(QToolButton, "callIndicator")
        assert "Paused at main_menu " in panel.debugging.view.status.text()
        assert indicator.text().startswith("‖ Call paused at main_menu ·"), indicator.text()
        assert panel.strip.node_label.text() == "At: main_menu"
        window.actions_["action_call"].trigger()
        qtbot.waitUntil(lambda: bool(kinds(window, "listening")))
        with qtbot.waitSignal(panel.controller.callEnded):
            panel.controller.hang_up()
    finally:
        server.shutdown()
        server.server_close()


def test_breakpoints_are_cleared_with_the_flow_and_dropped_with_their_node(
    qtbot, window, monkeypatch
) -> None:
    window.breakpoints.set(["main_menu", "sorry"])
    window.document.remove_nodes(["sorry"])
    assert window.breakpoints.ids == {"main_menu"}
    asked: list[str] = []  # New asks about the unsaved removal: the user discards it

    def discard(_parent, title, *_args, **_kwargs):
        asked.append(title)
        return QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "question", staticmethod(discard))
    window.new_flow()
    assert asked == ["Unsaved changes"]
    assert window.breakpoints.ids == set() and window.call_panel.controller.breakpoints == frozenset()


def test_opening_another_flow_ends_a_held_call_and_clears_the_debugger(qtbot, window, examples_dir) -> None:
    panel = window.call_panel
    window.breakpoints.set(["main_menu"])
    window.actions_["action_call"].trigger()
    qtbot.waitUntil(lambda: paused(window))
    held = panel.controller._live

    assert window.open_path(examples_dir / "transfer-voicemail.ivrflow")
    qtbot.waitUntil(lambda: held.ended)  # the held call of the previous flow has ended
    assert not paused(window) and panel.controller.record is None
    assert panel.debugging.view.rows() == [] and "Paused" not in panel.debugging.view.status.text()
    assert window.actions_["action_call"].text() == "&Call"
    assert window.breakpoints.ids == set(), "the previous flow's breakpoints went with it"
