"""Call-level settings for the [INF] choices of spec §1, §3, §4.6, §5 and §6: strict TwiML, the trial notice,
<Reject> after answer, retrying the fallback, the re-request URL and signing the fragment (virtual clock)."""

from __future__ import annotations

import pytest
from runtime_support import AUTH_TOKEN, FixedTTS, Received, Reply, call, doc, only

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.signature import twilio_signature

BYE = doc("<Hangup/>")
STRICT = RuntimeSettings(strict_twiml=True)
ERROR_TEXT = RuntimeSettings().application_error_text


@pytest.mark.parametrize(
    ("twiml", "code"),
    [
        ('<Say>Hi</Say><Say voise="alice">Two</Say>', "12200"),  # unknown attribute
        ("<Say>Hi</Say><Sya>Two</Sya>", "12200"),  # unknown verb
        ('<Say>Hi</Say><Gather timeout="abc"/>', "13313"),  # bad value
        ("<Say>Hi</Say><Gather><Dial>123</Dial></Gather>", "13320"),  # bad nesting
        ('<Say>Hi</Say><Gather><Say loop="x">Menu</Say></Gather>', "13510"),  # bad value of a nested verb
        ("<Say>Hi</Say><Connect/>", "IVR904"),  # a verb the runtime does not run
    ],
)
def test_strict_twiml_fails_a_sloppy_document(twiml: str, code: str):
    lenient = call({"/menu": doc(twiml)})
    assert lenient.said()[0] == "Hi" and lenient.engine.app_error is None and code in lenient.codes()
    strict = call({"/menu": doc(twiml)}, settings=STRICT)
    assert strict.said() == [ERROR_TEXT]
    assert strict.engine.app_error is not None and strict.engine.app_error.code == code
    assert code in strict.codes("error")


def test_strict_twiml_sends_a_failing_action_document_to_the_fallback():
    r = call(
        {
            "/menu": doc('<Gather numDigits="1" action="/r"/>'),
            "/r": doc('<Pause length="-1"/><Say>Bad</Say>'),
            "/fb": doc("<Say>Sorry</Say>"),
        },
        [{"press": "1"}],
        settings=STRICT,
        fallback_url="https://a/fb",
    )
    fb = only(r.app.to("/fb"))
    assert fb.form["ErrorCode"] == "13910" and fb.form["ErrorUrl"] == "https://a/r"
    assert r.said() == ["Sorry"]


def test_strict_twiml_accepts_a_clean_document():
    r = call(
        {"/menu": doc('<Say>Hi</Say><Gather numDigits="1" action="/r"><Say>Menu</Say></Gather>'), "/r": BYE},
        [{"wait_for": "gather"}, {"press": "1"}],
        settings=STRICT,
    )
    assert r.engine.app_error is None and only(r.app.to("/r")).form["Digits"] == "1"


def test_the_trial_notice_plays_once_before_the_first_document():
    routes = {"/menu": doc("<Say>Hello</Say><Redirect>/b</Redirect>"), "/b": doc("<Say>B</Say>")}
    tts = FixedTTS({"Notice.": 2, "Hello": 1})
    plain = call(routes, tts=tts)
    assert plain.said() == ["Hello", "B"]
    r = call(routes, tts=tts, settings=RuntimeSettings(trial_notice=True, trial_notice_text="Notice."))
    assert r.said() == ["Notice.", "Hello", "B"]
    assert r.time_of("answer") == 0.0 and r.time_of("say", text="Hello") == 2.0


def test_the_trial_notice_uses_a_neutral_default_and_precedes_a_text_response():
    r = call(
        {"/menu": Reply("Closed today", content_type="text/plain")},
        settings=RuntimeSettings(trial_notice=True),
    )
    assert r.said() == [RuntimeSettings().trial_notice_text, "Closed today"]
    assert "trial account" in RuntimeSettings().trial_notice_text


def test_no_trial_notice_for_a_call_rejected_unanswered():
    r = call({"/menu": doc("<Reject/>")}, settings=RuntimeSettings(trial_notice=True))
    assert r.said() == [] and r.status == "no-answer" and not r.events("answer")


def test_reject_after_answer_can_be_ignored():
    routes = {"/menu": doc("<Say>Hi</Say><Reject/><Say>X</Say>")}
    assert call(routes).said() == ["Hi"]
    r = call(routes, settings=RuntimeSettings(reject_after_answer="ignore"))
    assert r.said() == ["Hi", "X"] and "IVR907" in r.codes() and r.status == "completed"


def test_a_failed_fallback_can_be_requested_once_more():
    tries: list[str] = []

    def flaky(req: Received) -> Reply | str:
        tries.append(req.form["ErrorUrl"])
        return Reply("down", 503, "text/plain") if len(tries) == 1 else doc("<Say>Recovered</Say>")

    failing = {"/menu": Reply("boom", 500, "text/plain"), "/fb": Reply("down", 503, "text/plain")}
    once = call(failing, fallback_url="https://a/fb")
    assert len(once.app.to("/fb")) == 1 and once.said() == [ERROR_TEXT]
    twice = call(failing, fallback_url="https://a/fb", settings=RuntimeSettings(retry_fallback=True))
    assert len(twice.app.to("/fb")) == 2 and twice.said() == [ERROR_TEXT]
    r = call(
        {"/menu": Reply("boom", 500, "text/plain"), "/fb": flaky},
        fallback_url="https://a/fb",
        settings=RuntimeSettings(retry_fallback=True),
    )
    assert tries == ["https://a/menu", "https://a/fb"] and r.said() == ["Recovered"]


def test_a_rerequest_can_keep_the_parameters_a_get_added():
    def menu(req: Received) -> str:
        return BYE if req.method == "POST" else doc("<Gather/>")

    kw = {"url": "https://a/m?step=1", "method": "GET"}
    clean = call({"/m": menu}, [{"press": "9#"}], **kw).app.requests[1]
    assert clean.url == "https://a/m?step=1"
    kept = call(
        {"/m": menu},
        [{"press": "9#"}],
        settings=RuntimeSettings(strip_added_params_on_rerequest=False),
        **kw,
    ).app.requests[1]
    assert kept.method == "POST" and kept.query["step"] == "1" and kept.query["CallSid"].startswith("CA")
    assert kept.form["Digits"] == "9"


def test_the_signature_can_cover_the_connection_override_fragment():
    url = "https://a/menu#rt=3000"
    plain = only(call({"/menu": BYE}, url=url).app.requests)
    assert plain.url == "https://a/menu"
    assert plain.headers["X-Twilio-Signature"] == twilio_signature(AUTH_TOKEN, "https://a/menu", plain.form)
    signed = only(
        call({"/menu": BYE}, url=url, settings=RuntimeSettings(sign_url_fragment=True)).app.requests
    )
    assert signed.url == "https://a/menu"
    assert signed.headers["X-Twilio-Signature"] == twilio_signature(AUTH_TOKEN, url, signed.form)


@pytest.mark.parametrize(
    ("name", "value"), [("reject_after_answer", "drop"), ("empty_result_params", "none")]
)
def test_word_settings_refuse_unknown_words(name: str, value: str):
    with pytest.raises(ValueError, match=name):
        RuntimeSettings.from_mapping({name: value})
    assert RuntimeSettings.from_mapping({"reject_after_answer": "ignore"}).reject_after_answer == "ignore"
