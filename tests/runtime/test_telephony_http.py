"""Conferences, whispers and queues against a real HTTP server on 127.0.0.1 (virtual clock): every document a
verb fetches for itself (waitUrl, whisper, Queue url) is a real, signed request with the parameters of its
purpose.

Spec rows: §1.5 (the ``<Enqueue>`` row of the "when control transfers" table: action when the call leaves
the queue; ``<Leave>`` leaves it), §4.7 (Number/Client/Sip ``url`` is a whisper played to the callee,
``sendDigits`` on Number; DialCallStatus ``answered``), §4.9 (waitUrl verbs and request parameters,
QueueResult, QueueSid, QueueTime).
"""

from __future__ import annotations

from runtime_support import AUTH_TOKEN, FakeApp, Received, doc
from twilio.request_validator import RequestValidator

from ivr_studio.runtime import CallEngine, HttpTransport, VirtualClock
from ivr_studio.runtime.script import parse_script, run_virtual

BYE = doc("<Hangup/>")


def _signed(app: FakeApp) -> list[Received]:
    """Every request the app got whose X-Twilio-Signature does not check out."""
    validator = RequestValidator(AUTH_TOKEN)
    return [
        r
        for r in app.requests
        if not validator.validate(r.url, r.form, r.headers.get("X-Twilio-Signature", ""))
    ]


def _of(engine: CallEngine, kind: str, **fields) -> list[dict]:
    return [e for e in engine.trace.of(kind) if all(e.get(k) == v for k, v in fields.items())]


def _run(serve_wsgi, routes: dict, steps: list[dict]) -> tuple[CallEngine, FakeApp]:
    app = FakeApp(routes)
    base = serve_wsgi(app)
    engine = CallEngine(f"{base}/menu", HttpTransport(), clock=VirtualClock(), auth_token=AUTH_TOKEN)
    runner = run_virtual(engine, parse_script({"steps": steps}), max_duration=900)
    assert runner.failures == [], runner.failures
    return engine, app


def test_a_conference_over_http_plays_the_wait_url_and_reports_its_life_to_the_status_callback(serve_wsgi):
    """§4.7: a conference's Dial ends answered when the conference ends; the waitUrl runs while the caller is
    alone; conference events go to the noun's statusCallback."""
    conference = (
        '<Dial action="/after"><Conference waitUrl="/wait" waitMethod="GET" beep="onEnter"'
        ' statusCallback="/events" statusCallbackEvent="start end join leave">Room 7</Conference></Dial>'
    )
    engine, app = _run(
        serve_wsgi,
        {
            "/menu": doc(conference),
            "/wait": doc('<Say>The host will join soon</Say><Pause length="5"/><Redirect method="GET"/>'),
            "/events": "ok",
            "/after": BYE,
        },
        [
            {"wait_for": "conference"},
            {"wait": 20},
            {"conference": "join", "label": "host", "end_conference_on_exit": True},
            {"wait": 30},
            {"conference": "leave", "label": "host"},
        ],
    )
    waits = app.to("/wait")
    assert len(waits) >= 2 and {w.method for w in waits} == {"GET"}  # looped by its own <Redirect>
    events = [r.form["StatusCallbackEvent"] for r in app.to("/events")]
    assert events == [
        "participant-join",  # the caller
        "participant-join",  # the host
        "conference-start",
        "participant-leave",
        "conference-end",
    ]
    end = app.to("/events")[-1].form
    assert end["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-left"
    assert end["FriendlyName"] == "Room 7" and end["ConferenceSid"].startswith("CF")
    [after] = app.to("/after")
    assert after.form["DialCallStatus"] == "answered" and after.form["DialBridged"] == "true"
    assert _of(engine, "conference", status="participant_join")[0]["beep"] is True
    assert _signed(app) == []


def test_a_whisper_over_http_runs_on_the_callee_leg_after_send_digits(serve_wsgi):
    """§4.7: ``sendDigits`` and then the ``<Number url>`` whisper run on the callee's leg; the callee's key
    answers the whisper's Gather, and the two are connected."""

    def whisper(req: Received) -> str:
        if req.form.get("Digits") == "1":
            return doc("<Say>Connecting</Say>")
        if "Digits" in req.form:
            return BYE
        return doc('<Gather numDigits="1" action="/whisper"><Say>Press 1 to take the call</Say></Gather>')

    engine, app = _run(
        serve_wsgi,
        {
            "/menu": doc(
                '<Dial action="/after" callerId="+15550001111">'
                '<Number url="/whisper" sendDigits="ww12">+15557654321</Number></Dial>'
            ),
            "/whisper": whisper,
            "/after": BYE,
        },
        [
            {"dial_outcome": "answered", "duration": 60},
            {"wait_for": "listening"},
            {"callee": {"press": "1"}},
            {"wait_for": "hangup"},
        ],
    )
    first, answered = app.to("/whisper")
    # the whisper runs on the callee's leg: its own CallSid, the caller's as ParentCallSid, From the callerId
    assert first.form["To"] == "+15557654321" and first.form["From"] == "+15550001111"
    assert first.form["ParentCallSid"] == engine.identity.call_sid != first.form["CallSid"]
    assert first.form["Direction"] == "outbound-dial"
    assert answered.form["Digits"] == "1"
    [digits] = [e for e in engine.trace.of("play") if e.get("digits")]
    assert digits["digits"] == "ww12" and digits["leg"] == "callee"
    assert digits["t"] < _of(engine, "request", document="whisper")[0]["t"]
    [after] = app.to("/after")
    assert after.form["DialCallStatus"] == "completed" and after.form["DialBridged"] == "true"
    assert after.form["DialCallSid"] == first.form["CallSid"]
    assert _signed(app) == []


def test_a_queue_over_http_sends_the_queue_parameters_then_the_queue_result(serve_wsgi):
    """§4.9: the waitUrl is requested again each time it runs out, with QueuePosition, QueueSid, QueueTime,
    AvgQueueTime, CurrentQueueSize and MaxQueueSize; §1.5: when the call leaves the queue, the action request
    carries QueueResult."""
    engine, app = _run(
        serve_wsgi,
        {
            "/menu": doc('<Say>Please hold</Say><Enqueue action="/left" waitUrl="/hold">support</Enqueue>'),
            "/hold": lambda req: doc(
                f'<Say>You are caller {req.form["QueuePosition"]}</Say><Pause length="20"/>'
            ),
            "/agent": doc("<Say>An agent is joining you</Say>"),
            "/left": BYE,
        },
        [
            {"queue_caller": "support", "label": "early bird", "duration": 10},  # during the Say
            {"wait_for": "queue"},
            {"wait": 50},
            {"dequeue": True},  # the early bird is taken; our caller moves up
            {"wait": 30},
            {"dequeue": True, "url": "/agent", "duration": 15},
        ],
    )
    holds = app.to("/hold")
    assert [h.form["QueuePosition"] for h in holds][:3] == ["2", "2", "2"]
    assert holds[-1].form["QueuePosition"] == "1"  # the first request after the caller moved up
    assert {h.form["MaxQueueSize"] for h in holds} == {"1000"}
    assert holds[0].form["CurrentQueueSize"] == "2" and holds[0].form["QueueSid"].startswith("QU")
    [agent] = app.to("/agent")
    assert agent.form["QueueSid"] == holds[0].form["QueueSid"] and agent.form["DequeingCallSid"].startswith(
        "CA"
    )
    [left] = app.to("/left")
    assert left.form["QueueResult"] == "bridged" and left.form["QueueTime"] == "80"
    assert _of(engine, "request", url=left.url)[0]["t"] > 80 + 15 - 1  # after the two talked
    assert _signed(app) == []
