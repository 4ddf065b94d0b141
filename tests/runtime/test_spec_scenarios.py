"""Every behaviour scenario of spec §7, on the virtual clock against small in-process WSGI apps."""

from __future__ import annotations

import pytest
from runtime_support import AUTH_TOKEN, FakeApp, FixedTTS, Received, Reply, call, doc, only
from twilio.request_validator import RequestValidator

from ivr_studio.runtime.settings import RuntimeSettings

LISTEN = {"wait_for": "listening"}
BYE = doc("<Hangup/>")


def test_01_digits_and_terminator_post_to_the_document_url():
    def menu(req: Received) -> str:
        return BYE if "Digits" in req.form else doc("<Gather/><Say>Bye</Say>")

    r = call({"/menu": menu}, [LISTEN, {"press": "123#"}])
    action = r.app.requests[1]
    assert (action.method, action.url) == ("POST", "https://a/menu")
    assert action.form["Digits"] == "123" and action.form["FinishedOnKey"] == "#"
    assert action.form["msg"] == "Gather End"
    assert "Bye" not in r.said()


def test_02_silence_falls_through_after_five_seconds():
    r = call({"/menu": doc("<Gather/><Say>Bye</Say>")})
    assert r.said() == ["Bye"]
    assert r.time_of("say", text="Bye") == 5.0
    assert len(r.app.requests) == 1
    assert r.status == "completed"


def test_03_lone_gather_hangs_up_after_its_timeout():
    r = call({"/menu": doc("<Gather/>")})
    assert r.end_time() == 5.0
    assert r.status == "completed"


def test_04_num_digits_submits_at_once():
    r = call(
        {"/menu": doc('<Gather numDigits="1" action="/r"/>'), "/r": BYE}, [{"wait": 1.5}, {"press": "5"}]
    )
    req = only(r.app.to("/r"))
    assert req.url == "https://a/r" and req.method == "POST"
    assert req.form["Digits"] == "5" and req.form["FinishedOnKey"] == ""
    assert r.time_of("request", url="https://a/r") == 1.5


def test_05_partial_digits_are_sent_after_the_timeout():
    r = call({"/menu": doc('<Gather numDigits="4" action="/r"/>'), "/r": BYE}, [{"press": "12", "gap": 0.4}])
    assert only(r.app.to("/r")).form["Digits"] == "12"
    assert r.time_of("request", url="https://a/r") == pytest.approx(0.4 + 5)


def test_06_empty_finish_on_key_collects_hash_and_waits_for_the_timeout():
    r = call(
        {"/menu": doc('<Gather finishOnKey="" timeout="3" action="/r"/>'), "/r": BYE},
        [{"press": "123#", "gap": 0.5}],
    )
    req = only(r.app.to("/r"))
    assert req.form["Digits"] == "123#" and req.form["FinishedOnKey"] == ""
    assert r.time_of("request", url="https://a/r") == pytest.approx(1.5 + 3)


def test_07_custom_terminator_keeps_hash_as_a_digit():
    r = call(
        {"/menu": doc('<Gather finishOnKey="*" action="/r"/>'), "/r": BYE}, [{"press": "12#3*", "gap": 1}]
    )
    req = only(r.app.to("/r"))
    assert req.form["Digits"] == "12#3" and req.form["FinishedOnKey"] == "*"
    assert r.time_of("request", url="https://a/r") == pytest.approx(4.0)


def test_08_terminator_first_is_ignored_by_default_and_falls_through_in_legacy_mode():
    routes = {"/menu": doc('<Gather action="/r"/><Say>Next</Say>'), "/r": BYE}
    current = call(routes, [{"press": "#"}])
    assert current.time_of("say", text="Next") == 5.0
    assert not current.app.to("/r")
    legacy = call(routes, [{"press": "#"}], settings=RuntimeSettings(terminator_first="legacy"))
    assert legacy.time_of("say", text="Next") == 0.0
    assert not legacy.app.to("/r")


def test_09_action_on_empty_result_posts_without_input():
    r = call({"/menu": doc('<Gather action="/r" actionOnEmptyResult="true"/><Say>X</Say>'), "/r": BYE})
    req = only(r.app.to("/r"))
    assert "Digits" not in req.form and "SpeechResult" not in req.form
    assert req.form["FinishedOnKey"] == "" and req.form["msg"] == "Gather End"
    assert r.time_of("request", url="https://a/r") == 5.0
    assert "X" not in r.said()


class RecordingSink:
    def __init__(self, clock_now) -> None:
        self.now = clock_now
        self.stops: list[float] = []

    def play(self, clip, on_done=None):
        sink = self

        class Handle:
            def stop(self) -> None:
                sink.stops.append(sink.now())

        return Handle()


def test_10_a_key_during_the_prompt_stops_it():
    from ivr_studio.runtime.audio import VoiceIO
    from ivr_studio.runtime.engine import CallEngine
    from ivr_studio.runtime.script import parse_script, run_virtual
    from ivr_studio.runtime.transports import WsgiTransport

    app = FakeApp(
        {"/menu": doc('<Gather numDigits="1" action="/r"><Say>Long prompt</Say></Gather>'), "/r": BYE}
    )
    engine = CallEngine("https://a/menu", WsgiTransport(app))
    sink = RecordingSink(engine.clock.now)
    engine.voice = VoiceIO(synthesizer=FixedTTS({"Long prompt": 10}), sink=sink)
    runner = run_virtual(engine, parse_script({"steps": [{"wait": 3}, {"press": "2"}]}))
    assert runner.failures == []
    assert sink.stops and sink.stops[0] == 3.0
    assert app.to("/r")[0].form["Digits"] == "2"
    assert engine.trace.of("request")[1]["t"] == 3.0


def test_11_barge_in_skips_the_remaining_nested_verbs():
    r = call(
        {
            "/menu": doc('<Gather action="/r"><Say>A</Say><Play>b.mp3</Play><Pause length="2"/></Gather>'),
            "/b.mp3": Reply(b"\xff" * 16000, content_type="audio/mpeg"),
            "/r": BYE,
        },
        [{"wait": 0.2}, {"press": "7#"}],
        tts=FixedTTS({"A": 3}),
    )
    assert only(r.app.to("/r")).form["Digits"] == "7"
    assert not r.events("play") and not r.events("pause")
    assert not r.app.to("/b.mp3")


def test_12_timer_starts_when_the_prompt_ends():
    routes = {"/menu": doc('<Gather timeout="3"><Say>Ten</Say></Gather><Say>Z</Say>')}

    def menu(req: Received) -> str:
        return BYE if req.form.get("Digits") else routes["/menu"]

    accepted = call({"/menu": menu}, [{"wait": 12.5}, {"press": "1#"}], tts=FixedTTS({"Ten": 10}))
    assert accepted.app.requests[1].form["Digits"] == "1"
    assert "Z" not in accepted.said()

    late_keys = [{"wait": 13.5}, {"press": "1#", "may_be_ignored": True}]
    late = call({"/menu": menu}, late_keys, tts=FixedTTS({"Ten": 10}))
    assert len(late.app.requests) == 1
    assert late.time_of("say", text="Z") == 13.0
    assert [e["accepted"] for e in late.events("dtmf")] == [False, False]
    assert late.allowed() == [
        "step 2 (press) had no effect: keys '1#': while <Say> played, outside any <Gather>"
    ]


def test_13_each_key_restarts_the_timeout():
    r = call({"/menu": doc('<Gather timeout="5" action="/r"/>'), "/r": BYE}, [{"press": "12", "gap": 4}])
    assert only(r.app.to("/r")).form["Digits"] == "12"
    assert r.time_of("request", url="https://a/r") == pytest.approx(4 + 5)


def test_14_gather_posts_even_when_the_document_was_fetched_with_get():
    def menu(req: Received) -> str:
        return BYE if req.method == "POST" else doc("<Gather/>")

    r = call({"/m": menu}, [{"press": "9#"}], url="https://a/m?step=1", method="GET")
    first, action = r.app.requests
    assert first.method == "GET" and first.query["step"] == "1" and first.query["CallSid"].startswith("CA")
    assert action.method == "POST" and action.url == "https://a/m?step=1"
    assert action.query == {"step": "1"} and action.form["Digits"] == "9"


def test_15_get_action_puts_every_parameter_in_the_query_and_signs_the_full_url():
    r = call({"/menu": doc('<Gather method="GET" action="/h"/>'), "/h": BYE}, [{"press": "4#"}])
    req = only(r.app.to("/h"))
    assert req.method == "GET" and req.form == {}
    assert req.query["Digits"] == "4" and req.query["CallSid"].startswith("CA") and req.query["To"]
    assert RequestValidator(AUTH_TOKEN).validate(req.url, {}, req.headers["X-Twilio-Signature"])


def test_16_relative_action_resolves_against_the_document_url():
    r = call(
        {"/a/b/menu.xml": doc('<Gather action="../next"/>'), "/a/next": BYE},
        [{"press": "1#"}],
        url="https://h/a/b/menu.xml",
    )
    assert only(r.app.to("/a/next")).url == "https://h/a/next"


def test_17_the_action_response_replaces_the_document():
    r = call(
        {"/menu": doc('<Gather numDigits="1" action="/r"/><Say>Old</Say>'), "/r": doc("<Say>New</Say>")},
        [{"press": "5"}],
    )
    assert r.said() == ["New"]
    assert r.status == "completed"


def test_18_redirect_sends_only_standard_parameters_and_ends_the_document():
    r = call({"/menu": doc("<Say>A</Say><Redirect>/b</Redirect><Say>C</Say>"), "/b": BYE})
    req = only(r.app.to("/b"))
    assert req.method == "POST" and req.url == "https://a/b"
    assert req.form["CallStatus"] == "in-progress"
    assert not {"Digits", "msg", "FinishedOnKey"} & set(req.form)
    assert r.said() == ["A"]


def test_19_redirect_with_get_appends_parameters_to_the_existing_query():
    r = call({"/menu": doc('<Redirect method="GET">/b?x=1</Redirect>'), "/b": BYE})
    req = only(r.app.to("/b"))
    assert req.method == "GET" and req.query["x"] == "1" and req.query["CallSid"].startswith("CA")
    assert req.url.startswith("https://a/b?x=1&")


def test_20_empty_redirect_refetches_the_current_document_and_the_loop_is_reported():
    r = call({"/loop": doc('<Gather numDigits="1"/><Redirect/>')}, url="https://a/loop", max_duration=60)
    times = [e["t"] for e in r.events("request")]
    assert times[:3] == [0.0, 5.0, 10.0]
    assert all(req.url == "https://a/loop" for req in r.app.requests)
    assert "IVR901" in r.codes()


def test_21_empty_response_answers_then_hangs_up():
    r = call({"/menu": "<Response/>"})
    assert r.events("answer") and r.end_time() == 0.0
    assert r.status == "completed"


def test_22_reject_leaves_the_call_unanswered():
    busy = call({"/menu": doc('<Reject reason="busy"/><Say>X</Say>')})
    assert busy.status == "busy" and not busy.events("answer") and busy.said() == []
    default = call({"/menu": doc("<Reject/><Say>X</Say>")})
    assert default.status == "no-answer" and not default.events("answer")


def test_23_hangup_ends_the_call():
    r = call({"/menu": doc("<Say>A</Say><Hangup/><Say>B</Say>")})
    assert r.said() == ["A"] and r.status == "completed"


def test_24_play_loops_and_fetches_media_without_call_parameters():
    mp3 = Reply(b"\xff" * 32000, content_type="audio/mpeg")  # 2 s at 128 kbit/s
    r = call({"/menu": doc('<Play loop="2">x.mp3</Play>'), "/x.mp3": mp3})
    media = only(r.app.to("/x.mp3"))
    assert media.method == "GET" and media.query == {} and media.form == {}
    assert r.events("play")[0]["loop"] == 2
    assert r.end_time() == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("reply", "code"),
    [(Reply("hello", content_type="text/plain"), "13420"), (Reply("gone", 404, "text/plain"), "11200")],
)
def test_25_a_failing_play_is_skipped(reply: Reply, code: str):
    routes = {"/menu": doc("<Say>A</Say><Play>x.txt</Play><Say>B</Say>"), "/x.txt": reply}
    r = call(routes)
    assert code in r.codes("error")
    assert r.said() == ["A", "B"]
    fatal = call(routes, settings=RuntimeSettings(media_failure_fatal=True))
    assert "B" not in fatal.said() and fatal.engine.app_error is not None


def test_26_speech_is_sent_after_the_speech_timeout():
    r = call(
        {
            "/menu": doc(
                '<Gather input="speech" speechTimeout="2" action="/s"><Say>Say sales</Say></Gather>'
            ),
            "/s": BYE,
        },
        [LISTEN, {"say": "sales", "duration": 1.0}],
    )
    req = only(r.app.to("/s"))
    assert req.form["SpeechResult"] == "Sales." and float(req.form["Confidence"]) == pytest.approx(0.9)
    assert "Digits" not in req.form
    speech_end = r.time_of("speech", phase="end")
    assert r.time_of("request", url="https://a/s") == pytest.approx(speech_end + 2)


def test_27_silent_speech_gather_times_out():
    r = call({"/menu": doc('<Gather input="speech" timeout="4"/><Say>Z</Say>')})
    assert r.time_of("say", text="Z") == 4.0
    assert len(r.app.requests) == 1


def test_28_dtmf_first_locks_out_speech():
    # With numDigits="1" (the row as written) the key ends the Gather at once and the speech meets the
    # next document; a Gather still open after the key shows the lock itself: the speech reaches it and
    # is ignored, and the timeout that the key started still ends it.
    r = call(
        {"/menu": doc('<Gather input="dtmf speech" numDigits="2" action="/r"/>'), "/r": BYE},
        [{"press": "3"}, {"say": "hello there", "duration": 2.0, "may_be_ignored": True}],
    )
    req = only(r.app.to("/r"))
    assert req.form["Digits"] == "3" and "SpeechResult" not in req.form
    assert r.time_of("request", url="https://a/r") == 5.0
    assert r.allowed() == [
        "step 2 (say) had no effect: the <Gather> had already taken keys, so it ignores other input"
    ]
    as_written = call(
        {"/menu": doc('<Gather input="dtmf speech" numDigits="1" action="/r"/>'), "/r": BYE},
        [{"press": "3"}, {"say": "hello there", "may_be_ignored": True}],
    )
    assert only(as_written.app.to("/r")).form["Digits"] == "3"
    assert as_written.allowed() == ["step 2 (say) never ran: the call ended at 0.00 s, before it"]


def test_29_speech_first_locks_out_the_terminator():
    r = call(
        {"/menu": doc('<Gather input="dtmf speech" action="/r"/>'), "/r": BYE},
        [{"say": "billing", "duration": 1.0}, {"wait": 1}, {"press": "#", "may_be_ignored": True}],
    )
    req = only(r.app.to("/r"))
    assert req.form["SpeechResult"] == "Billing." and "Digits" not in req.form
    assert r.time_of("request", url="https://a/r") == pytest.approx(1.0 + 5)
    assert r.allowed() == [
        "step 3 (press) had no effect: key '#': the <Gather> had already taken speech, so it ignores other input"
    ]


def test_30_partial_results_are_posted_asynchronously_and_their_responses_ignored():
    sentence = "I would like to talk to somebody about my last bill please"
    r = call(
        {
            "/menu": doc('<Gather input="speech" partialResultCallback="/p" action="/s"/>'),
            "/p": doc("<Hangup/>"),
            "/s": doc("<Say>Done</Say>"),
        },
        [{"say": sentence, "duration": 3.0}],
    )
    fields = ("SequenceNumber", "StableSpeechResult", "UnstableSpeechResult", "Stability", "LanguageCode")
    # the virtual recogniser hears the words evenly over the 3 s; the older words are the stable part
    assert [tuple(p.form[f] for f in fields) for p in r.app.to("/p")] == [
        ("1", "", "I would", "0.8", "en-US"),
        ("2", "I would", "I would like to", "0.8", "en-US"),
        ("3", "I would like to", "I would like to talk to", "0.8", "en-US"),
        ("4", "I would like to talk to", "I would like to talk to somebody about", "0.8", "en-US"),
        ("5", "I would like to talk to somebody about", "I would like to talk to somebody about my last", "0.8", "en-US"),
    ]  # fmt: skip
    assert only(r.app.to("/s")).form["SpeechResult"] == f"{sentence[0].upper()}{sentence[1:]}."
    assert r.said() == ["Done"]


def test_31_profanity_is_masked_unless_the_filter_is_off():
    masked = call(
        {"/menu": doc('<Gather input="speech" action="/s"/>'), "/s": BYE}, [{"say": "oh shit my card"}]
    )
    assert only(masked.app.to("/s")).form["SpeechResult"] == "Oh s*** my card."
    plain = call(
        {"/menu": doc('<Gather input="speech" profanityFilter="false" action="/s"/>'), "/s": BYE},
        [{"say": "oh shit my card"}],
    )
    assert only(plain.app.to("/s")).form["SpeechResult"] == "Oh shit my card."


MENU_R = doc('<Gather action="/r"/>')


def test_32_a_failing_action_goes_to_the_fallback_url():
    r = call(
        {"/menu": MENU_R, "/r": Reply("boom", 500, "text/plain"), "/fb": doc("<Say>Sorry</Say>")},
        [{"press": "1#"}],
        fallback_url="https://a/fb",
    )
    fb = only(r.app.to("/fb"))
    assert fb.form["ErrorCode"] == "11200" and fb.form["ErrorUrl"] == "https://a/r"
    assert r.said() == ["Sorry"] and r.engine.app_error is None


def test_33_without_fallback_the_caller_hears_the_application_error():
    r = call({"/menu": MENU_R, "/r": Reply("boom", 500, "text/plain")}, [{"press": "1#"}])
    assert r.said() == [RuntimeSettings().application_error_text]
    assert r.engine.app_error is not None and r.engine.app_error.code == "11200"
    assert r.status == "completed"


def test_34_a_slow_action_times_out_after_fifteen_seconds():
    def latency(req) -> float:
        return 16.0 if req.url.startswith("https://a/r") else 0.0

    routes = {"/menu": MENU_R, "/r": BYE, "/fb": doc("<Say>Fallback</Say>")}
    r = call(routes, [{"press": "1#", "gap": 0}], latency=latency, fallback_url="https://a/fb")
    assert "11205" in r.codes("error")
    assert r.time_of("error", code="11205") == pytest.approx(15.0)
    assert only(r.app.to("/fb")).form["ErrorCode"] == "11205"
    assert r.said() == ["Fallback"]
    no_fallback = call(routes, [{"press": "1#"}], latency=latency)
    assert no_fallback.said() == [RuntimeSettings().application_error_text]


def test_35_a_json_response_is_an_invalid_content_type():
    r = call({"/menu": MENU_R, "/r": Reply("{}", content_type="application/json")}, [{"press": "1#"}])
    assert "12300" in r.codes("error")
    assert r.said() == [RuntimeSettings().application_error_text]


@pytest.mark.parametrize(
    ("body", "code"), [("<Respose><Say>x</Say></Respose>", "12102"), ("<Response><Say>", "12100")]
)
def test_36_bad_documents_are_application_errors(body: str, code: str):
    r = call({"/menu": MENU_R, "/r": body}, [{"press": "1#"}])
    assert code in r.codes("error")
    assert r.engine.app_error is not None and r.engine.app_error.code == code


def test_37_a_302_turns_the_post_into_a_get_and_drops_the_digits():
    r = call(
        {"/menu": MENU_R, "/r": Reply("", 302, None, (("Location", "https://a/r2"),)), "/r2": BYE},
        [{"press": "1#"}],
    )
    r2 = only(r.app.to("/r2"))
    assert r2.method == "GET" and r2.query == {} and r2.form == {}
    warning = [e for e in r.events("warning") if e["code"] == "IVR903"]
    assert warning and "POST→GET redirect dropped Digits" in warning[0]["message"]


def test_38_a_307_keeps_the_post_body():
    r = call(
        {"/menu": MENU_R, "/r": Reply("", 307, None, (("Location", "https://a/r2"),)), "/r2": BYE},
        [{"press": "1#"}],
    )
    r2 = only(r.app.to("/r2"))
    assert r2.method == "POST" and r2.form["Digits"] == "1"
    assert RequestValidator(AUTH_TOKEN).validate(r2.url, r2.form, r2.headers["X-Twilio-Signature"])


def test_39_a_308_is_an_invalid_redirect():
    r = call(
        {"/menu": MENU_R, "/r": Reply("", 308, None, (("Location", "https://a/r2"),)), "/r2": BYE},
        [{"press": "1#"}],
    )
    assert "11216" in r.codes("error") and not r.app.to("/r2")
    assert r.engine.app_error is not None


def test_40_a_verb_that_cannot_be_nested_in_gather_is_skipped():
    r = call({"/menu": doc("<Gather><Dial>123</Dial><Say>Hi</Say></Gather>")})
    assert "13320" in r.codes()
    assert r.said() == ["Hi"] and not r.events("dial")


def test_41_bad_attribute_values_fall_back_to_defaults():
    def menu(req: Received) -> str:
        return BYE if "Digits" in req.form else doc('<Gather timeout="abc" finishOnKey="##"/>')

    r = call({"/menu": menu}, [{"press": "1#"}])
    assert {"13313", "13310"} <= set(r.codes())
    assert r.app.requests[1].form["Digits"] == "1"
    silent = call({"/menu": menu})
    assert silent.end_time() == 5.0


def test_42_keys_before_the_gather_are_discarded():
    routes = {"/menu": doc('<Say>Press 1</Say><Gather numDigits="1"/>')}
    r = call(routes, [{"wait": 0.5}, {"press": "1", "may_be_ignored": True}], tts=FixedTTS({"Press 1": 2}))
    assert r.events("dtmf")[0]["accepted"] is False
    assert len(r.app.requests) == 1 and r.end_time() == 7.0
    assert r.allowed() == ["step 2 (press) had no effect: key '1': while <Say> played, outside any <Gather>"]
    buffered = call(
        {"/menu": doc('<Say>Press 1</Say><Gather numDigits="1" action="/r"/>'), "/r": BYE},
        [{"wait": 0.5}, {"press": "1"}],
        tts=FixedTTS({"Press 1": 2}),
        settings=RuntimeSettings(type_ahead=True),
    )
    assert only(buffered.app.to("/r")).form["Digits"] == "1"


def test_43_every_request_is_signed_with_the_auth_token():
    r = call(
        {"/menu": MENU_R, "/r": doc("<Redirect method='GET'>/g?x=1</Redirect>"), "/g": BYE},
        [{"press": "12#"}],
    )
    validator = RequestValidator(AUTH_TOKEN)
    assert len(r.app.requests) == 3
    for req in r.app.requests:
        assert validator.validate(req.url, req.form, req.headers["X-Twilio-Signature"]), req
        assert req.headers["User-Agent"] == "TwilioProxy/1.1"
    assert not RequestValidator("wrong").validate(
        r.app.requests[1].url, r.app.requests[1].form, r.app.requests[1].headers["X-Twilio-Signature"]
    )


def test_44_auto_speech_timeout_with_a_model_warns_and_still_runs():
    r = call(
        {
            "/menu": doc(
                '<Gather input="speech" speechModel="phone_call" speechTimeout="auto" action="/s"/>'
            ),
            "/s": BYE,
        },
        [{"say": "agent", "duration": 1.0}],
    )
    assert "13335" in r.codes()
    assert r.time_of("request", url="https://a/s") == pytest.approx(
        1.0 + RuntimeSettings().auto_speech_timeout
    )


def test_45_hanging_up_during_the_prompt_sends_nothing():
    r = call(
        {"/menu": doc('<Gather action="/r"><Say>Long</Say></Gather>'), "/r": BYE},
        [{"wait": 2}, {"hangup": True}],
        tts=FixedTTS({"Long": 10}),
    )
    assert not r.app.to("/r")
    assert r.status == "completed" and r.end_time() == 2.0


def test_46_an_empty_recording_falls_through_without_a_request():
    r = call({"/menu": doc('<Record action="/rec" maxLength="10"/><Say>After</Say>'), "/rec": BYE})
    assert not r.app.to("/rec")
    assert r.said() == ["After"]
    assert r.time_of("say", text="After") == pytest.approx(RuntimeSettings().beep_seconds + 5)


def test_47_an_unanswered_dial_posts_no_answer_after_its_timeout():
    r = call({"/menu": doc('<Dial action="/d" timeout="10">+15551234567</Dial>'), "/d": BYE})
    req = only(r.app.to("/d"))
    assert req.form["DialCallStatus"] == "no-answer" and req.form["DialBridged"] == "false"
    assert req.form["DialCallSid"].startswith("CA") and len(req.form["DialCallSid"]) == 34
    assert r.time_of("request", url="https://a/d") == 10.0


def test_48_an_audio_voice_url_is_played_then_the_call_hangs_up():
    r = call({"/menu": Reply(b"\xff" * 48000, content_type="audio/mpeg")})
    assert r.events("play") and r.end_time() == pytest.approx(3.0)
    assert r.status == "completed"


def test_49_keys_during_a_non_interruptible_prompt_count_after_it_ends():
    r = call(
        {"/menu": doc('<Gather action="/r" bargeIn="false"><Say>Six</Say></Gather>'), "/r": BYE},
        [{"wait": 2}, {"press": "1"}],
        tts=FixedTTS({"Six": 6}),
    )
    assert only(r.app.to("/r")).form["Digits"] == "1"
    assert r.time_of("listening") == 6.0
    assert r.time_of("request", url="https://a/r") == 11.0
