"""The call panel's timeline shows a retried connection (spec §1.2 ``rc``): what failed, that it is tried
again, and on the request's own row which attempt answered."""

from __future__ import annotations

from ivr_studio.ui.call.timeline import WARNING_COLOUR, CallTimeline

RETRY = {
    "t": 0.0,
    "event": "retry",
    "method": "POST",
    "url": "http://127.0.0.1:8080/voice",
    "purpose": "twiml",
    "attempt": 1,
    "attempts": 2,
    "error": "11205",
    "message": "127.0.0.1:8080 refused the connection",
}
REQUEST = {
    "t": 0.0,
    "event": "request",
    "method": "POST",
    "url": "http://127.0.0.1:8080/voice",
    "params": {},
    "status": 200,
    "elapsed_ms": 12.0,
    "node": "main_menu",
    "purpose": "twiml",
    "attempts": 2,
}


def test_a_retry_is_a_row_of_its_own_and_the_request_says_which_attempt_answered(qtbot):
    timeline = CallTimeline()
    qtbot.addWidget(timeline)
    retry_row = timeline.add_event(RETRY)
    timeline.add_event(REQUEST)
    assert timeline.rows() == [
        (
            "Retry",
            "POST /voice failed, trying again (attempt 2 of 2): 11205 127.0.0.1:8080 refused the connection",
        ),
        ("POST", "/voice → 200 on attempt 2 [main_menu] (12 ms)"),
    ]
    assert retry_row is not None and retry_row.foreground(2).color() == WARNING_COLOUR


def test_a_menus_failed_attempts_are_not_read_as_a_retried_connection(qtbot):
    """A local handler reports each menu's failed attempts with its answers; they used to share the request
    event's ``attempts`` field with the retry count, and the row after a silent caller read "→ 200 on attempt
    {'main_menu': 1}" (in the panel and in ``ivr-studio call``'s timeline)."""
    from pathlib import Path

    from ivr_studio.bundle.serve import ENTRY_URL, wsgi_app_for_target
    from ivr_studio.runtime.clock import VirtualClock
    from ivr_studio.runtime.engine import CallEngine
    from ivr_studio.runtime.handler_report import latest_values
    from ivr_studio.runtime.trace import format_event
    from ivr_studio.runtime.transports import WsgiTransport

    examples = Path(__file__).resolve().parents[2] / "resources" / "examples"
    app, _url = wsgi_app_for_target(examples / "support-line.ivrflow")
    engine = CallEngine(ENTRY_URL, WsgiTransport(app), clock=VirtualClock())
    engine.start()
    # the caller says nothing: the menu times out and asks again, once
    engine.clock.run(until=20.0, stop=lambda: engine.ended)
    requests = [e for e in engine.trace.events if e["event"] == "request"]
    again = [e for e in requests if "noInput" in str(e.get("url"))]
    assert again, "the silent caller took the menu's no-input exit"
    assert again[-1]["menu_attempts"] == {"main_menu": 1}
    assert all("attempts" not in e for e in requests), "no connection was retried"
    timeline = CallTimeline()
    qtbot.addWidget(timeline)
    for event in engine.trace.events:
        timeline.add_event(event)
    rows = [text for kind, text in timeline.rows() if kind == "POST"]
    assert rows and not [text for text in rows if "attempt" in text], rows
    assert not [line for line in map(format_event, requests) if "attempt" in line]
    values = latest_values(engine.trace.events)
    assert values is not None and values.attempts == {"main_menu": 1}, "the debugger still sees them"
