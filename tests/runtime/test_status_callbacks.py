"""The call's status callback: call-progress events with Twilio's parameters, sent without holding the call up.

Spec §3 (status callbacks add CallDuration, Timestamp, CallbackSource, SequenceNumber), §4.5 (a hang-up is
reported as ``completed``), §4.6 (a rejected call ends busy or no-answer) and §7 #45 (a caller who hangs up
during a Gather: the status callback reports ``completed``).
"""

from __future__ import annotations

import math
import re
import threading
from email.utils import parsedate_to_datetime

import pytest
from runtime_support import AUTH_TOKEN, FakeApp, Received, Reply, call, doc
from twilio.request_validator import RequestValidator

from ivr_studio.runtime import CallEngine, HttpTransport, RealClock, VirtualClock, WsgiTransport
from ivr_studio.runtime.live import LiveCall
from ivr_studio.runtime.script import parse_script, run_virtual
from ivr_studio.runtime.status_callbacks import StatusCallback
from ivr_studio.runtime.trace import format_event

MENU = doc('<Gather numDigits="1" action="/choice"><Say>Press 1</Say></Gather>')
ALL = StatusCallback.build("https://a/status", "initiated ringing answered completed")


def _statuses(app: FakeApp) -> list[Received]:
    return app.to("/status")


def test_every_subscribed_event_is_sent_in_order_with_twilios_parameters():
    r = call(
        {"/menu": MENU, "/choice": doc('<Say>Thanks</Say><Pause length="7"/>'), "/status": "ok"},
        [{"wait_for": "listening"}, {"press": "1"}],
        status_callback=ALL,
    )
    sent = _statuses(r.app)
    assert [s.form["CallStatus"] for s in sent] == ["initiated", "ringing", "in-progress", "completed"]
    assert [s.form["SequenceNumber"] for s in sent] == ["0", "1", "2", "3"]
    assert {s.form["CallbackSource"] for s in sent} == {"call-progress-events"}
    assert {s.form["CallSid"] for s in sent} == {r.engine.identity.call_sid}
    assert {s.form["Direction"] for s in sent} == {"inbound"}
    completed = sent[-1].form
    call_seconds = r.events("call_end")[0]["duration"]
    assert completed["CallDuration"] == str(round(call_seconds)) and completed["Duration"] == "1"
    assert "CallDuration" not in sent[2].form
    # the Timestamp is an RFC 2822 date (whole seconds); the last event's lies the call's length after the first
    first, last = (parsedate_to_datetime(s.form["Timestamp"]) for s in (sent[0], sent[-1]))
    assert (last - first).total_seconds() == math.floor(r.end_time()) == 8


def test_only_completed_is_sent_when_no_event_is_named():
    r = call(
        {"/menu": doc("<Say>Hi</Say>"), "/status": "ok"},
        status_callback=StatusCallback.build("https://a/status"),
    )
    [sent] = _statuses(r.app)
    assert sent.form["CallStatus"] == "completed" and sent.form["SequenceNumber"] == "0"
    assert sent.method == "POST"


def test_a_rejected_call_reports_busy_without_being_answered():
    r = call({"/menu": doc('<Reject reason="busy"/>'), "/status": "ok"}, status_callback=ALL)
    assert [s.form["CallStatus"] for s in _statuses(r.app)] == ["initiated", "ringing", "busy"]
    assert _statuses(r.app)[-1].form["CallDuration"] == "0"


def test_a_caller_hanging_up_during_a_gather_is_reported_completed():
    """§7 #45: no action request, and the status callback reports ``completed``."""
    r = call(
        {"/menu": MENU, "/choice": "<Response/>", "/status": "ok"},
        [{"wait_for": "gather"}, {"wait": 0.5}, {"hangup": True}],
        status_callback=StatusCallback.build("https://a/status"),
    )
    assert r.app.to("/choice") == []
    [sent] = _statuses(r.app)
    assert sent.form["CallStatus"] == "completed" and sent.form["CallDuration"] == "0"


def test_get_status_callbacks_carry_their_parameters_in_the_query_and_are_signed():
    validator = RequestValidator(AUTH_TOKEN)
    checked: list[bool] = []

    def status(req: Received) -> str:
        checked.append(validator.validate(req.url, {}, req.headers["X-Twilio-Signature"]))
        return "ok"

    r = call(
        {"/menu": doc("<Hangup/>"), "/status": status},
        status_callback=StatusCallback.build("https://a/status", ["answered", "completed"], "get"),
    )
    sent = _statuses(r.app)
    assert [s.method for s in sent] == ["GET", "GET"]
    assert [s.query["CallStatus"] for s in sent] == ["in-progress", "completed"]
    assert checked == [True, True]


def test_status_callbacks_appear_in_the_trace_and_the_timeline():
    r = call(
        {"/menu": doc("<Say>Hi</Say>"), "/status": "ok"},
        status_callback=StatusCallback.build("https://a/status"),
    )
    [record] = [e for e in r.trace if e["event"] == "request" and e.get("callback") == "statusCallback"]
    assert record["purpose"] == "callback" and record["status"] == 200
    assert r.trace.index(record) > r.trace.index(r.events("call_end")[0])  # sent once the call is over
    line = format_event(record)
    assert "(statusCallback)" in line and "CallStatus='completed'" in line and "From=" not in line


def test_a_failing_status_callback_is_warned_about_and_changes_nothing():
    r = call(
        {"/menu": doc("<Say>Hi</Say>"), "/status": Reply("boom", 500, "text/plain")},
        status_callback=StatusCallback.build("https://a/status"),
    )
    assert r.status == "completed" and r.engine.app_error is None
    assert any("Callback failed" in e["message"] for e in r.events("warning"))


@pytest.mark.parametrize(
    ("url", "events", "method", "message"),
    [
        ("/status", None, None, re.escape("absolute http(s) URL")),
        ("ftp://x/status", None, None, re.escape("absolute http(s) URL")),
        ("https://a/s", "initiated hungup", None, "'hungup' is not one of initiated, ringing"),
        ("https://a/s", ["completed"], "PUT", "GET or POST"),
    ],
)
def test_bad_status_callback_settings_are_refused_with_the_value(url, events, method, message):
    with pytest.raises(ValueError, match=message):
        StatusCallback.build(url, events, method)


def test_a_live_call_waits_for_its_completed_callback_over_real_http(serve_wsgi):
    """On the wall clock the callbacks run on their own thread; the one sent as the call ends still arrives
    at a real server and its answer is in the trace."""
    got = threading.Event()

    def status(req: Received) -> str:
        got.set()
        return "ok"

    app = FakeApp({"/menu": doc("<Hangup/>"), "/status": status})
    base = serve_wsgi(app)
    engine = CallEngine(
        f"{base}/menu",
        HttpTransport(),
        clock=RealClock(),
        auth_token=AUTH_TOKEN,
        status_callback=StatusCallback.build(f"{base}/status"),
    )
    live = LiveCall(engine, max_duration=10)
    live.start()
    assert live.wait(20)
    assert got.is_set()
    records = [e for e in engine.trace.events if e.get("callback") == "statusCallback"]
    assert [r["status"] for r in records] == [200]
    assert app.to("/status")[0].form["CallStatus"] == "completed"


def test_a_call_to_an_app_in_process_sends_its_status_callback_to_a_real_server(serve_wsgi):
    """A flow served in process reaches only that app; a status callback on another host goes over HTTP."""
    from ivr_studio.runtime.transports import callback_transport

    app = FakeApp({"/menu": doc("<Say>Hi</Say>")})
    receiver = FakeApp({"/status": "ok"})
    base = serve_wsgi(receiver)
    transport = WsgiTransport(app)
    cb = StatusCallback.build(f"{base}/status")
    engine = CallEngine(
        "http://ivr-studio.local/menu",
        transport,
        clock=VirtualClock(),
        status_callback=cb,
        callback_transport=callback_transport(cb.url, "http://ivr-studio.local/menu", transport),
    )
    run_virtual(engine, parse_script({"steps": []}))
    assert [r.form["CallStatus"] for r in receiver.to("/status")] == ["completed"]
    assert app.to("/status") == []
