"""The call debugger on a dynamic flow: a held call shows the call's variables (kept in the handler's state
cookie), the logic it went through and the back-end requests its Look up made; a breakpoint on a logic node
holds the call there; looking back shows the variables as they were at that moment. For a call of the open
flow and for a call of its URL served over real HTTP on 127.0.0.1, with a real back-end on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton
from silent_speech import SilentRecognizers

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.ui.call.controller import CallController
from ivr_studio.ui.call.debugger_view import LOGIC, LOOKUPS, TWIML, VARIABLES
from ivr_studio.ui.main_window import MainWindow

FAST = RuntimeSettings(say_words_per_second=40.0, say_overhead=0.05)


class Backend(BaseHTTPRequestHandler):
    """The bank's back-end: a balance for any account number."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        Backend.seen.append(self.path)
        body = b'{"amount": "7.25"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(server) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def backend() -> Iterator[str]:
    Backend.seen = []
    with serve(ThreadingHTTPServer(("127.0.0.1", 0), Backend)) as url:
        yield url


def say(node_id: str, text: str, next_id: str | None) -> dict:
    node = {"id": node_id, "kind": "say", "title": node_id.replace("_", " ").capitalize(), "text": text}
    return node | ({"links": {"next": next_id}} if next_id else {})


@pytest.fixture
def balance_line(tmp_path, backend) -> Path:
    """Welcome → Set tier=gold → a menu that captures the account → Look up its balance → say it."""
    flow = {
        "format": "ivrflow",
        "version": 2,
        "name": "Balance line",
        "start": "welcome",
        "variables": [{"name": "account", "max_length": 12}, {"name": "tier", "default": "standard"}],
        "nodes": [
            say("welcome", "Hello.", "mark_gold"),
            {
                "id": "mark_gold",
                "kind": "set",
                "title": "Gold caller",
                "config": {"assign": [{"name": "tier", "value": "gold"}]},
                "links": {"next": "account_menu"},
            },
            {
                "id": "account_menu",
                "kind": "gather",
                "title": "Account number",
                "attributes": {"numDigits": 4, "timeout": 30},
                "prompts": [{"kind": "say", "text": "Enter your account number."}],
                "max_attempts": 2,
                "capture": "account",
                "links": {"captured": "balance"},
            },
            {
                "id": "balance",
                "kind": "lookup",
                "title": "Balance look-up",
                "config": {
                    "method": "GET",
                    "url": backend + "/balance/{{ vars.account }}",
                    "keep": ["amount"],
                },
                "links": {"ok": "say_balance", "failed": "sorry"},
            },
            say(
                "say_balance",
                "A {{ vars.tier }} caller has {{ steps.balance.body.amount | money: 'USD' }}.",
                "bye",
            ),
            say("sorry", "Sorry.", "bye"),
            {"id": "bye", "kind": "hangup", "title": "Hang up"},
        ],
    }
    for i, node in enumerate(flow["nodes"]):
        node["position"] = [i * 360, 0]
    path = tmp_path / "balance-line.ivrflow"
    path.write_text(json.dumps(flow), encoding="utf-8")
    return path


@pytest.fixture
def window(qtbot, settings, tmp_path, balance_line):
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
    assert w.open_path(balance_line)
    w.docks["Test call"].raise_()
    yield w
    w.call_panel.controller.shutdown()
    w.close()


def events(window: MainWindow, kind: str) -> list[dict]:
    record = window.call_panel.controller.record
    return [e for e in (record.trace if record else []) if e["event"] == kind]


def groups(window: MainWindow) -> dict[str, dict[str, str]]:
    """The debugger pane's details: each top-level row's children, name → value."""
    details = window.call_panel.debugging.view.details
    out: dict[str, dict[str, str]] = {}
    for i in range(details.topLevelItemCount()):
        top = details.topLevelItem(i)
        out[top.text(0)] = {top.child(j).text(0): top.child(j).text(1) for j in range(top.childCount())}
    return out


def click_the_first_gather(qtbot, window: MainWindow) -> None:
    """Look back: a click on the timeline's first Gather row, as a user clicks."""
    timeline = window.call_panel.timeline
    gather = next(
        timeline.topLevelItem(i)
        for i in range(timeline.topLevelItemCount())
        if timeline.topLevelItem(i).text(1) == "Gather"
    )
    timeline.scrollToItem(gather)
    qtbot.mouseClick(
        timeline.viewport(), Qt.MouseButton.LeftButton, pos=timeline.visualItemRect(gather).center()
    )


def enter_account_and_wait_for_the_pause(qtbot, window: MainWindow) -> None:
    panel = window.call_panel
    window.breakpoints.set(["balance"])  # a Look up: evaluated by the handler, not a TwiML node
    window.actions_["action_call"].trigger()
    qtbot.waitUntil(lambda: bool(events(window, "listening")))
    for key in "1234":
        panel.keypad.buttons[key].click()
    qtbot.waitUntil(lambda: panel.controller.pause is not None)


def assert_held_after_the_look_up(window: MainWindow, backend_url: str, title: str) -> None:
    """Held where the Look up ``title`` led, with what it did and the variables it read."""
    panel = window.call_panel
    pause = panel.controller.pause
    assert pause.reason == "breakpoint" and pause.via == "balance" and pause.node == "say_balance"
    assert Backend.seen == ["/balance/1234"], "the Look up reached the real back-end once"
    assert not [e for e in events(window, "say") if "caller has" in e["text"]], "the balance is not said yet"
    shown = groups(window)
    assert shown[VARIABLES]["account"] == "1234" and shown[VARIABLES]["tier"] == "gold"
    assert shown[LOGIC] == {title: "ok"}
    assert shown[LOOKUPS] == {title: f"GET {backend_url}/balance/1234 ← 200 → ok"}
    assert shown["Parameters it adds"]["Digits"] == "1234"
    twiml = window.call_panel.debugging.view.details.findItems(TWIML, Qt.MatchFlag.MatchExactly)[0].child(0)
    assert "A gold caller has 7 dollars and 25 cents." in twiml.text(1)
    status = panel.debugging.view.status.text()
    assert f"Paused at {title}" in status and "“ok”" in status


def test_a_breakpoint_on_a_look_up_shows_the_variables_logic_and_back_end_request(
    qtbot, window, backend, shots, settle
) -> None:
    panel = window.call_panel
    enter_account_and_wait_for_the_pause(qtbot, window)
    assert_held_after_the_look_up(window, backend, "Balance look-up")
    assert window.scene.node_items["say_balance"].active, "the canvas shows where the call goes next"
    settle(window)
    assert window.grab().save(str(shots / "debugger-dynamic-paused-1366x768.png"))

    # looking back at the menu: the canvas and the variables are as they were then
    click_the_first_gather(qtbot, window)
    assert (
        window.scene.node_items["account_menu"].active and not window.scene.node_items["say_balance"].active
    )
    then = groups(window)[VARIABLES]
    assert then["tier"] == "gold", "the Set before the menu had run"
    assert then["account"] == "(not set yet)", "nothing was entered yet"
    assert groups(window)[LOGIC] == {"Gold caller": "next"}
    settle(window)
    assert window.grab().save(str(shots / "debugger-dynamic-looking-back-1366x768.png"))
    strip = window.findChild(QToolButton, "callIndicator")
    assert strip.text().startswith("‖ Call paused at Balance look-up"), "the call is still held there"

    window.actions_["action_call"].trigger()  # F5: continue (also leaves the look back)
    qtbot.waitUntil(lambda: any("caller has" in e["text"] for e in events(window, "say")))
    qtbot.waitUntil(lambda: panel.controller.record.ended)
    assert [e["text"] for e in events(window, "say")][-1] == "A gold caller has 7 dollars and 25 cents."


def test_a_call_of_the_url_shows_the_same_over_real_http(qtbot, window, backend, balance_line) -> None:
    from ivr_studio.bundle.serve import wsgi_app_for_target

    app, _entry = wsgi_app_for_target(balance_line)
    with serve(make_server("127.0.0.1", 0, app, handler_class=_Quiet)) as base:
        panel = window.call_panel
        panel.target.setCurrentIndex(1)
        panel.url.setText(f"{base}/voice")
        enter_account_and_wait_for_the_pause(qtbot, window)
        assert panel.controller.record.target.startswith(base)
        # a URL's app declares its own variables: those its state cookie holds are shown; nodes by their id
        assert_held_after_the_look_up(window, backend, "balance")
        assert window.scene.node_items["say_balance"].active

        click_the_first_gather(qtbot, window)  # looking back works for a URL's call too
        assert (
            window.scene.node_items["account_menu"].active
            and not window.scene.node_items["say_balance"].active
        )
        then = groups(window)[VARIABLES]
        assert then == {"tier": "gold"}, "then, its state cookie held only what the Set had set"
        assert "Looking back" in panel.debugging.view.status.text()
        with qtbot.waitSignal(panel.controller.callEnded):
            panel.controller.hang_up()
