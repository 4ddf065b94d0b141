"""The keypad, the timeline and the status strip of the test-call panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ivr_studio.ui.call.keypad import KEYS, Keypad
from ivr_studio.ui.call.status_strip import StatusStrip
from ivr_studio.ui.call.timeline import CallTimeline


@pytest.fixture
def keypad(qtbot):
    k = Keypad()
    qtbot.addWidget(k)
    return k


def test_keypad_has_a_phone_layout_with_letters(keypad):
    assert [k for k, _ in KEYS] == list("123456789*0#")
    assert "ABC" in keypad.buttons["2"].text()
    assert "WXYZ" in keypad.buttons["9"].text()


def test_clicking_keys_emits_them(qtbot, keypad):
    seen = []
    keypad.pressed.connect(seen.append)
    for key in "1*0#":
        qtbot.mouseClick(keypad.buttons[key], Qt.MouseButton.LeftButton)
    assert seen == ["1", "*", "0", "#"]


def test_keyboard_and_numpad_work_while_focused(qtbot, keypad):
    seen = []
    keypad.pressed.connect(seen.append)
    qtbot.keyClick(keypad, Qt.Key.Key_5)
    qtbot.keyClick(keypad, Qt.Key.Key_3, Qt.KeyboardModifier.KeypadModifier)
    qtbot.keyClick(keypad, Qt.Key.Key_NumberSign)
    qtbot.keyClick(keypad, Qt.Key.Key_Asterisk)
    qtbot.keyClick(keypad, Qt.Key.Key_A)  # not a keypad key
    assert seen == ["5", "3", "#", "*"]


def test_timeline_reads_like_the_call(qtbot):
    tl = CallTimeline()
    qtbot.addWidget(tl)
    tl.add_event(
        {
            "t": 0.0,
            "event": "request",
            "method": "POST",
            "url": "http://ivr-studio.local/voice",
            "status": 200,
            "elapsed_ms": 3.2,
            "params": {"CallStatus": "ringing"},
            "node": "welcome",
            "purpose": "twiml",
        }
    )
    tl.add_event({"t": 0.0, "event": "say", "text": "Welcome to Acme."})
    tl.add_event(
        {
            "t": 1.2,
            "event": "gather_start",
            "attributes": {
                "input": "dtmf speech",
                "timeout": "5",
                "speechTimeout": "auto",
                "hints": "billing",
            },
        }
    )
    tl.add_event({"t": 1.5, "event": "dtmf", "key": "7", "accepted": False})
    tl.add_event({"t": 1.9, "event": "speech", "phase": "start", "accepted": True})
    tl.add_event({"t": 2.0, "event": "speech", "phase": "partial", "accepted": True, "text": "bill"})
    assert tl.rows()[-1] == ("Caller", "is saying “bill…”")
    tl.add_event(
        {
            "t": 2.6,
            "event": "speech",
            "phase": "final",
            "accepted": True,
            "text": "billing",
            "confidence": 0.93,
        }
    )
    tl.add_event({"t": 2.6, "event": "speech", "phase": "end", "accepted": True})
    tl.add_event(
        {"t": 3.4, "event": "gather_end", "digits": "", "speech": "Billing.", "confidence": 0.93,
         "reason": "speech", "finished_on_key": ""}
    )  # fmt: skip
    tl.add_event({"t": 3.5, "event": "warning", "code": "13313", "message": "bad timeout"})
    tl.add_event({"t": 4.0, "event": "speech", "phase": "final", "accepted": False, "text": "hello"})
    tl.add_event({"t": 9.0, "event": "call_end", "status": "completed", "duration": 9.0, "answered": True})
    assert tl.rows() == [
        ("POST", "/voice → 200 [welcome] (3 ms)"),
        ("Say", "“Welcome to Acme.”"),
        ("Gather", "dtmf + speech, timeout 5 s, speechTimeout auto, hints “billing”"),
        ("Caller", "pressed 7 — ignored (nothing was listening for keys)"),
        ("Caller", "said “billing” (confidence 0.93)"),
        ("Result", "SpeechResult=“Billing.” (0.93)  (speech)"),
        ("Warning", "13313 bad timeout"),
        ("Caller", "said “hello” — ignored (nothing was listening for speech)"),
        ("Call ended", "completed after 9.0 s"),
    ]
    request = tl.topLevelItem(0)
    assert [request.child(i).text(2) for i in range(request.childCount())] == [
        "CallStatus = ringing",
        "node: welcome",
    ]


def test_status_strip_countdown_and_level(qtbot):
    strip = StatusStrip()
    qtbot.addWidget(strip)
    strip.set_countdown("timeout", 2.5, 5.0)
    assert strip.countdown.value() == 500 and strip.countdown.format() == "timeout 2.5 s"
    strip.set_countdown(None)
    assert strip.countdown.value() == 0
    strip.set_level(-30.0)
    assert strip.level.value() == 50
    strip.set_level(-90.0)
    assert strip.level.value() == 0
    strip.set_node("Main menu")
    assert strip.node_label.text() == "At: Main menu"


@pytest.mark.parametrize("width", [300, 900])
def test_the_debuggers_status_is_never_cut_off(qtbot, width):
    """At 1024x600 with the call's variables beside it the debugger's pane is about 300 px wide: beside its
    buttons the status took four lines in a row two lines high and its end was cut off. It goes under the
    buttons there, and stays beside them where it fits in two lines."""
    from PySide6.QtWidgets import QApplication

    from ivr_studio.ui.call.debugger_view import DebuggerView

    view = DebuggerView()
    qtbot.addWidget(view)
    view.resize(width, 150)
    view.show()
    qtbot.waitExposed(view)
    view.show_state(running=True)
    QApplication.processEvents()
    status, button = view.status, view.continue_button
    text = status.text()
    assert status.toolTip() == text
    assert status.height() >= status.heightForWidth(status.width()), "every line of it shows"
    assert status.geometry().right() <= view.width()
    below = status.geometry().top() >= button.geometry().bottom()
    assert below == (width == 300), (width, status.geometry(), button.geometry())


@pytest.mark.parametrize("width", [320, 900])
def test_the_debuggers_details_need_no_sideways_scrolling(qtbot, width):
    """In a narrow pane the names' column ("Request that brought the call here") took most of the width and
    the values needed a sideways scroll bar; it takes at most NAMES_SHARE of it now, a cut name whole in its
    tooltip, and its full width where there is room."""
    from PySide6.QtWidgets import QApplication

    from ivr_studio.ui.call.debugger_view import NAMES_SHARE, DebuggerView, Shown

    view = DebuggerView()
    qtbot.addWidget(view)
    view.resize(width, 200)
    view.show()
    qtbot.waitExposed(view)
    shown = Shown(
        "Request that brought the call here", "POST", "http://ivr-studio.local/voice", {"Digits": "2"}
    )
    view._fill(shown, lambda node: node, values=None, declared=None, status=200)
    QApplication.processEvents()
    details = view.details
    first = details.topLevelItem(0)
    assert first.text(0) == shown.title and first.toolTip(0) == shown.title
    if width == 320:
        assert details.columnWidth(0) <= NAMES_SHARE * details.viewport().width() + 1
        assert details.horizontalScrollBar().maximum() == 0, "the values show without scrolling sideways"
    else:
        assert details.columnWidth(0) >= details.sizeHintForColumn(0), "the names show whole where they fit"
