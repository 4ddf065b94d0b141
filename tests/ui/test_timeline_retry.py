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
