"""Verb details beyond §7: Dial outcomes, Record, Say/Play/Pause timing, Reject/Pause answer rules, speech."""

from __future__ import annotations

import wave
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from runtime_support import FixedTTS, Reply, call, doc, only

from ivr_studio.runtime.settings import RuntimeSettings

BYE = doc("<Hangup/>")
DIAL = doc('<Dial action="/d" timeout="20">+15551234567</Dial><Say>After</Say>')


def test_an_answered_dial_reports_its_duration():
    r = call({"/menu": DIAL, "/d": BYE}, [{"dial_outcome": "answered", "duration": 42, "ring": 3}])
    req = r.app.to("/d")[0]
    assert req.form["DialCallStatus"] == "completed" and req.form["DialBridged"] == "true"
    assert req.form["DialCallDuration"] == "42"
    assert r.time_of("request", url="https://a/d") == pytest.approx(45.0)


@pytest.mark.parametrize("status", ["busy", "failed"])
def test_busy_and_failed_dials_end_at_once(status: str):
    r = call({"/menu": DIAL, "/d": BYE}, [{"dial_outcome": status}])
    req = r.app.to("/d")[0]
    assert req.form["DialCallStatus"] == status and "DialCallDuration" not in req.form
    assert r.time_of("request", url="https://a/d") == 0.0


def test_a_dial_without_action_continues_with_the_next_verb():
    r = call({"/menu": doc('<Dial timeout="5">+1555</Dial><Say>After</Say>')})
    assert r.said() == ["After"] and r.time_of("say", text="After") == 5.0


def test_hangup_on_star_ends_the_bridged_call():
    r = call(
        {"/menu": doc('<Dial action="/d" hangupOnStar="true">+1555</Dial>'), "/d": BYE},
        [{"dial_outcome": "answered", "duration": 100}, {"wait": 7}, {"press": "*"}],
    )
    req = r.app.to("/d")[0]
    assert req.form["DialCallStatus"] == "completed" and req.form["DialCallDuration"] == "7"


def test_a_dial_outcome_posted_during_ringing_is_used():
    r = call({"/menu": DIAL, "/d": BYE}, [{"wait": 4}, {"dial_outcome": "busy"}])
    assert r.app.to("/d")[0].form["DialCallStatus"] == "busy"
    assert r.time_of("request", url="https://a/d") == 4.0


def test_a_recording_with_speech_is_posted_with_a_local_wav(tmp_path: Path):
    r = call(
        {"/menu": doc('<Record action="/rec" timeout="3" playBeep="false"/>'), "/rec": BYE},
        [{"wait": 1}, {"say": "my message", "duration": 2}],
        settings=RuntimeSettings(recordings_dir=str(tmp_path)),
    )
    req = r.app.to("/rec")[0]
    path = Path(urlsplit(req.form["RecordingUrl"]).path)
    assert path.parent == tmp_path and path.is_file()
    with wave.open(str(path)) as w:
        assert w.getnframes() / w.getframerate() == pytest.approx(3.0)
    assert req.form["RecordingDuration"] == "3"
    assert r.time_of("request", url="https://a/rec") == pytest.approx(3 + 3)


def test_a_recording_ended_by_a_key_reports_the_key(tmp_path: Path):
    r = call(
        {"/menu": doc('<Record action="/rec" finishOnKey="#"/>'), "/rec": BYE},
        [
            {"wait": 1},
            {"say": "hello", "duration": 1},
            {"press": "5", "may_be_ignored": True},
            {"press": "#"},
        ],
        settings=RuntimeSettings(recordings_dir=str(tmp_path)),
    )
    req = r.app.to("/rec")[0]
    assert req.form["Digits"] == "#"
    assert r.events("dtmf")[0]["accepted"] is False
    assert r.allowed() == [
        "step 3 (press) had no effect: key '5': '5' is not one of the <Record>'s finishOnKey keys"
    ]


def test_max_length_ends_a_recording(tmp_path: Path):
    r = call(
        {"/menu": doc('<Record action="/rec" maxLength="4" playBeep="false"/>'), "/rec": BYE},
        [{"say": "a very long message that keeps going", "duration": 30}],
        settings=RuntimeSettings(recordings_dir=str(tmp_path)),
    )
    assert r.time_of("request", url="https://a/rec") == 4.0


def test_say_loop_zero_is_capped_and_tts_sets_the_length():
    r = call({"/menu": doc('<Say loop="0">Hi</Say>')}, tts=FixedTTS({"Hi": 0.5}))
    assert r.end_time() == pytest.approx(0.5 * RuntimeSettings().loop_cap)
    looped = call({"/menu": doc('<Say loop="3">Hi</Say><Say>End</Say>')}, tts=FixedTTS({"Hi": 2}))
    assert looped.time_of("say", text="End") == 6.0


def test_say_without_tts_uses_the_word_estimate_and_ssml_breaks():
    r = call({"/menu": doc('<Say>one two three four five<break time="1500ms"/></Say><Say>End</Say>')})
    assert r.events("say")[0]["text"] == "one two three four five"
    assert r.time_of("say", text="End") == pytest.approx(5 / 2.5 + 0.3 + 1.5)


def test_play_digits_and_wav_durations():
    import io

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 8000 * 3)
    r = call(
        {
            "/menu": doc('<Play digits="12wW"/><Play>tone.wav</Play><Say>End</Say>'),
            "/tone.wav": Reply(buf.getvalue(), content_type="audio/wav"),
        }
    )
    assert r.time_of("say", text="End") == pytest.approx(0.3 * 2 + 0.5 + 1.0 + 3.0)


def test_a_leading_pause_delays_the_answer():
    r = call({"/menu": doc('<Pause length="3"/><Say>Hello</Say>')})
    assert r.time_of("answer") == 3.0
    assert r.events("call_end")[0]["duration"] == pytest.approx(r.end_time() - 3.0)


def test_reject_after_answer_is_a_hangup_with_a_warning():
    r = call({"/menu": doc("<Say>Hi</Say><Reject/><Say>X</Say>")})
    assert r.status == "completed" and "IVR907" in r.codes() and r.said() == ["Hi"]


def test_unsupported_verbs_are_warned_about_and_skipped():
    r = call({"/menu": doc("<Pay/><Connect/><Say>Still here</Say>")})
    assert r.codes().count("IVR904") == 2 and r.said() == ["Still here"]


def test_speech_is_ignored_by_a_dtmf_gather():
    routes = {"/menu": doc('<Gather action="/r"/><Say>Next</Say>'), "/r": BYE}
    r = call(routes, [{"say": "sales", "may_be_ignored": True}])
    assert not r.app.to("/r") and r.said() == ["Next"]
    assert all(e["accepted"] is False for e in r.events("speech"))
    assert r.allowed() == ['step 1 (say) had no effect: the <Gather> takes keys only (input="dtmf")']


def test_max_speech_time_cuts_a_long_utterance():
    r = call(
        {"/menu": doc('<Gather input="speech" maxSpeechTime="3" action="/s"/>'), "/s": BYE},
        [{"say": "this goes on and on and on and on", "duration": 10}],
    )
    assert r.time_of("request", url="https://a/s") == 3.0
    # 3 s of a 10 s utterance: the words said by then, nothing after
    assert only(r.app.to("/s")).form["SpeechResult"] == "This goes on."


def test_a_caller_hangup_ends_the_call_before_answer_as_canceled():
    r = call({"/menu": doc('<Pause length="5"/><Say>Hi</Say>')}, [{"wait": 1}, {"hangup": True}])
    assert r.status == "canceled" and not r.events("answer")


def test_max_duration_ends_a_call_that_never_ends():
    r = call({"/menu": doc('<Play loop="0" digits="1"/>')}, max_duration=30)
    assert r.end_time() == 30.0 and "IVR905" in r.codes()


def test_a_late_partial_after_the_caller_stopped_does_not_extend_the_utterance():
    from runtime_support import FakeApp

    from ivr_studio.runtime import (
        CallEngine,
        SpeechEnded,
        SpeechFinal,
        SpeechPartial,
        SpeechStarted,
        WsgiTransport,
    )
    from ivr_studio.runtime.script import run_virtual

    app = FakeApp({"/menu": doc('<Gather input="speech" speechTimeout="2" action="/s"/>'), "/s": BYE})
    engine = CallEngine("https://a/menu", WsgiTransport(app))
    for t, event in [
        (1.0, SpeechStarted()),
        (2.0, SpeechFinal("sales", 0.8)),
        (2.0, SpeechEnded()),
        (2.5, SpeechPartial("sales uh")),
    ]:
        engine.clock.call_at(t, lambda e=event: engine.deliver(e))
    run_virtual(engine)
    assert app.to("/s")[0].form["SpeechResult"] == "Sales."
    assert engine.trace.of("request")[1]["t"] == 4.0
