"""The last [INF] choices as settings: a hang-up during a Gather, the signature after a redirect, and SSML."""

from __future__ import annotations

from runtime_support import AUTH_TOKEN, FakeApp, Reply, doc
from twilio.request_validator import RequestValidator

from ivr_studio.runtime import CallEngine, RuntimeSettings, VirtualClock, WsgiTransport
from ivr_studio.runtime.script import parse_script, run_virtual


def call(app: FakeApp, steps: list, **settings) -> CallEngine:
    engine = CallEngine(
        "https://a.example.com/menu",
        WsgiTransport(app),
        clock=VirtualClock(),
        settings=RuntimeSettings(**settings),
        auth_token=AUTH_TOKEN,
    )
    runner = run_virtual(engine, parse_script({"steps": steps}), max_duration=60)
    assert runner.failures == [], runner.failures
    return engine


def gather_app() -> FakeApp:
    return FakeApp(
        {"/menu": doc('<Gather action="/r" finishOnKey=""><Say>Pick</Say></Gather>'), "/r": doc("<Hangup/>")}
    )


def test_hanging_up_during_a_gather_sends_nothing_by_default():
    app = gather_app()
    call(app, [{"wait_for": "listening"}, {"press": "12"}, {"hangup": True}])
    assert [r.path for r in app.requests] == ["/menu"]


def test_gather_action_on_hangup_sends_what_was_collected():
    app = gather_app()
    call(app, [{"wait_for": "listening"}, {"press": "12"}, {"hangup": True}], gather_action_on_hangup=True)
    assert [r.path for r in app.requests] == ["/menu", "/r"]
    assert app.requests[1].params["Digits"] == "12"
    assert app.requests[1].params["CallStatus"] == "completed"


def redirecting_app() -> FakeApp:
    return FakeApp(
        {
            "/menu": Reply("", 307, None, (("Location", "https://a.example.com/moved"),)),
            "/moved": doc("<Hangup/>"),
        }
    )


def test_the_signature_covers_the_redirected_url_by_default():
    app = redirecting_app()
    call(app, [])
    moved = app.requests[1]
    validator = RequestValidator(AUTH_TOKEN)
    assert validator.validate("https://a.example.com/moved", moved.form, moved.headers["X-Twilio-Signature"])


def test_sign_redirected_url_off_keeps_the_first_urls_signature():
    app = redirecting_app()
    call(app, [], sign_redirected_url=False)
    moved = app.requests[1]
    validator = RequestValidator(AUTH_TOKEN)
    assert validator.validate("https://a.example.com/menu", moved.form, moved.headers["X-Twilio-Signature"])
    assert not validator.validate(
        "https://a.example.com/moved", moved.form, moved.headers["X-Twilio-Signature"]
    )


def say_app() -> FakeApp:
    return FakeApp(
        {"/menu": doc('<Say>Call <sub alias="World Wide Web">WWW</sub> now<break time="2s"/></Say>')}
    )


def test_ssml_aliases_and_breaks_by_default():
    engine = call(say_app(), [])
    say = engine.trace.of("say")[0]
    assert say["text"] == "Call World Wide Web now"
    plain = call(say_app(), [], ssml_speaks_aliases=False, ssml_break_pauses=False)
    plain_say = plain.trace.of("say")[0]
    assert plain_say["text"] == "Call WWW now"
    assert say["duration"] - plain_say["duration"] >= 2.0  # the break pause, and the longer alias
