"""``<Number url>`` / ``<Client url>`` / ``<Sip url>`` (spec §4.7): the whisper document runs on the callee's
leg when the callee answers, after ``sendDigits``; the callee's own keys answer it."""

from __future__ import annotations

import pytest
from runtime_support import FakeApp, Received, call, doc

from ivr_studio.runtime import CallEngine, WsgiTransport
from ivr_studio.runtime.script import parse_script, run_virtual
from ivr_studio.runtime.settings import RuntimeSettings

BYE = doc("<Hangup/>")
SCREEN = doc(
    '<Gather numDigits="1" action="/screen" timeout="5"><Say>Call for support. Press 1 to accept</Say></Gather>'
    "<Hangup/>"
)


def dialling(noun: str = '<Number url="/whisper" sendDigits="ww12">+15557654321</Number>') -> str:
    return doc(f'<Dial action="/after" callerId="+15550001111">{noun}</Dial>')


def screened(req: Received) -> str:
    return doc("<Say>Connecting you</Say>") if req.form.get("Digits") == "1" else BYE


def test_the_callee_hears_the_whisper_accepts_and_the_two_are_connected():
    app = FakeApp({"/menu": dialling(), "/whisper": SCREEN, "/screen": screened, "/after": BYE})
    r = call(
        app,
        [
            {"dial_outcome": "answered", "ring": 4, "duration": 30},
            {"wait_for": "say", "text": "Press 1"},
            {"callee": {"press": "1"}},
            {"wait_for": "request", "path": "/after"},
        ],
    )
    [whisper] = app.to("/whisper")
    [after] = app.to("/after")
    leg = whisper.form
    assert leg["CallSid"] == after.form["DialCallSid"] and leg["ParentCallSid"] == r.engine.identity.call_sid
    assert (leg["Direction"], leg["From"], leg["To"]) == ("outbound-dial", "+15550001111", "+15557654321")
    assert (
        app.to("/screen")[0].form["Digits"] == "1" and app.to("/screen")[0].form["CallSid"] == leg["CallSid"]
    )
    # the callee heard the digits, the whisper and the answer to its key; the caller heard none of it
    callee = [(e["event"], e.get("text") or e.get("digits")) for e in r.trace if e.get("leg") == "callee"]
    assert callee[0] == ("play", "ww12")
    assert ("say", "Call for support. Press 1 to accept") in callee and ("say", "Connecting you") in callee
    keys = [(e["key"], e.get("leg"), e["accepted"]) for e in r.events("dtmf")]
    assert keys == [("1", "callee", True)]  # the callee's key, taken on the callee's leg
    assert all(e.get("leg") == "callee" for e in r.events("say"))
    assert after.form["DialCallStatus"] == "completed" and after.form["DialBridged"] == "true"
    answered = r.time_of("dial", status="answered")
    assert answered == 4.0
    connected = r.time_of("say", text="Connecting you") + 1.0  # "Connecting you": 2 words, 1.1 s
    assert float(after.form["DialCallDuration"]) == pytest.approx(connected - answered + 30, abs=1)


def test_a_callee_who_does_not_accept_is_not_connected():
    app = FakeApp({"/menu": dialling(), "/whisper": SCREEN, "/screen": screened, "/after": BYE})
    call(app, [{"dial_outcome": "answered", "duration": 30}])
    [after] = app.to("/after")  # the whisper's Gather timed out and hung up on the callee
    assert after.form["DialCallStatus"] == "no-answer" and after.form["DialBridged"] == "false"
    assert app.to("/screen") == []
    settings = RuntimeSettings(whisper_hangup_status="completed")
    app = FakeApp({"/menu": dialling(), "/whisper": SCREEN, "/screen": screened, "/after": BYE})
    call(app, [{"dial_outcome": "answered", "duration": 30}], settings=settings)
    assert app.to("/after")[0].form["DialCallStatus"] == "completed"


def test_a_callee_who_hangs_up_during_the_whisper_declines():
    app = FakeApp({"/menu": dialling(), "/whisper": SCREEN, "/screen": screened, "/after": BYE})
    call(
        app,
        [{"dial_outcome": "answered", "duration": 30}, {"wait_for": "gather"}, {"callee": {"hangup": True}}],
    )
    assert app.to("/after")[0].form["DialCallStatus"] == "no-answer"


def test_a_callee_who_hangs_up_after_talking_ends_the_dial():
    app = FakeApp({"/menu": dialling("<Number>+15557654321</Number>"), "/after": BYE})
    r = call(app, [{"dial_outcome": "answered", "duration": 300}, {"wait": 12}, {"callee": {"hangup": True}}])
    [after] = app.to("/after")
    assert after.form["DialCallStatus"] == "completed" and after.form["DialCallDuration"] == "12"
    assert r.time_of("request", url="https://a/after") == 12.0


@pytest.mark.parametrize(
    ("noun", "to"),
    [
        ('<Client url="/whisper">agent_7</Client>', "client:agent_7"),
        ('<Sip url="/whisper">sip:agent@pbx.example.com</Sip>', "sip:agent@pbx.example.com"),
    ],
)
def test_client_and_sip_whispers_run_on_their_legs(noun: str, to: str):
    app = FakeApp({"/menu": dialling(noun), "/whisper": doc("<Say>Incoming call</Say>"), "/after": BYE})
    r = call(app, [{"dial_outcome": "answered", "duration": 5}])
    assert app.to("/whisper")[0].form["To"] == to
    assert [e["leg"] for e in r.events("say")] == ["callee"]
    assert app.to("/after")[0].form["DialCallStatus"] == "completed"


def test_a_callee_step_with_no_one_on_the_line_did_not_go_as_written():
    engine = CallEngine("https://a/menu", WsgiTransport(FakeApp({"/menu": doc('<Pause length="3"/>')})))
    runner = run_virtual(engine, parse_script({"steps": [{"callee": {"press": "1"}}]}))
    assert runner.failures == [
        "step 1 (callee) had no effect: key '1': no dialled party was on the line (no <Dial> had been answered)"
    ]


def test_a_whisper_may_not_dial():
    app = FakeApp(
        {
            "/menu": dialling(),
            "/whisper": doc("<Dial>+15550000000</Dial><Say>Hi</Say>"),
            "/after": BYE,
        }
    )
    r = call(app, [{"dial_outcome": "answered", "duration": 5}])
    assert any("<Dial> is not allowed in a whisper document" in e["message"] for e in r.events("warning"))
    assert app.to("/after")[0].form["DialBridged"] == "true"
