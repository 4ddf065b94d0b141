"""Script steps mean what they say: steps with no effect, steps the call ended before, and every
``wait_for`` target, against small WSGI apps on virtual time (``runtime/script.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from runtime_support import FakeApp, FixedTTS, Reply, call, doc, only

from ivr_studio.runtime.audio import clip_to_wav
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.events import SpeechEnded, SpeechFinal, SpeechStarted
from ivr_studio.runtime.script import ScriptError, parse_script, run_virtual
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.trace import format_event
from ivr_studio.runtime.transports import WsgiTransport
from ivr_studio.voice.interfaces import AudioClip
from ivr_studio.voice.pcm import silence, write_wav

BYE = doc("<Hangup/>")


def _run(routes: dict, steps: list[dict], **kw):
    """A call whose steps may fail: returns (engine, runner) without asserting on the script."""
    app = FakeApp(routes)
    engine = CallEngine("https://a/menu", WsgiTransport(app), **kw)
    runner = run_virtual(engine, parse_script({"steps": steps}))
    return engine, runner


# ----- input with no effect -----
def test_speech_while_nothing_listens_had_no_effect():
    engine, runner = _run({"/menu": doc("<Say>Hello there caller</Say>")}, [{"say": "sales"}])
    assert runner.failures == [
        "step 1 (say) had no effect: while <Say> played, outside any <Gather> or <Record>"
    ]
    (ignored,) = engine.trace.of("step_ignored")
    assert ignored == {
        "t": 0.7,
        "event": "step_ignored",
        "step": 1,
        "step_kind": "say",
        "step_name": "step 1 (say)",
        "why": "while <Say> played, outside any <Gather> or <Record>",
        "ran": True,
        "may_be_ignored": False,
    }


def test_a_say_during_the_record_beep_never_reached_the_recording(tmp_path: Path):
    """Spec §4.8: a recording with no caller speech is empty and falls through; the script is told why."""
    routes = {"/menu": doc('<Record action="/rec"/><Say>Nothing recorded</Say>'), "/rec": BYE}
    settings = RuntimeSettings(recordings_dir=str(tmp_path), beep_seconds=0.5)
    engine, runner = _run(routes, [{"say": "hi", "duration": 0.3}], settings=settings)
    assert runner.failures == [
        "step 1 (say) had no effect: during the <Record> beep, before the recording began"
    ]
    assert [e["status"] for e in engine.trace.of("record")] == ["recording", "empty"]
    heard = call(routes, [{"wait_for": "record"}, {"say": "hi", "duration": 0.3}], settings=settings)
    assert only(heard.app.to("/rec")).form["RecordingDuration"] == "1"


def test_a_key_during_a_dial_had_no_effect():
    routes = {"/menu": doc('<Dial timeout="5">+15550100</Dial>')}
    engine, runner = _run(routes, [{"wait_for": "dial"}, {"press": "5"}])
    assert runner.failures == [
        "step 2 (press) had no effect: key '5': during a <Dial>, only * with hangupOnStar=\"true\" is heard, "
        "once the callee answered"
    ]


def test_may_be_ignored_is_traced_but_is_not_a_failure():
    engine, runner = _run(
        {"/menu": doc("<Say>Hello</Say>")}, [{"press": "1", "may_be_ignored": True}, {"wait_for": "hangup"}]
    )
    assert runner.failures == []
    (ignored,) = engine.trace.of("step_ignored")
    assert ignored["may_be_ignored"] is True
    assert format_event(ignored) == (
        "    0.00s  step 1 (press) had no effect (allowed: may_be_ignored): "
        "key '1': while <Say> played, outside any <Gather>"
    )


def test_a_dial_outcome_replaced_before_any_dial_had_no_effect():
    routes = {"/menu": doc('<Pause length="1"/><Dial action="/d">+15550100</Dial>'), "/d": BYE}
    engine, runner = _run(routes, [{"dial_outcome": "busy"}, {"dial_outcome": "failed"}])
    assert runner.failures == ["step 1 (dial_outcome) had no effect: step 2 replaced it before any <Dial>"]
    assert [e["status"] for e in engine.trace.of("dial")] == ["ringing", "failed"]


def test_say_wav_with_nothing_in_it_had_no_effect(tmp_path: Path):
    write_wav(tmp_path / "quiet.wav", AudioClip(silence(0.5)))
    app = FakeApp({"/menu": doc('<Gather input="speech" action="/s"/>')})
    engine = CallEngine("https://a/menu", WsgiTransport(app))
    script = parse_script({"steps": [{"wait_for": "listening"}, {"say_wav": "quiet.wav"}]}, tmp_path)
    runner = run_virtual(engine, script, speech_feeder=lambda *args: [])
    assert runner.failures == [
        "step 2 (say_wav) had no effect: no speech or key tones were found in the audio"
    ]


def test_a_say_wav_heard_in_part_went_as_written(tmp_path: Path):
    write_wav(tmp_path / "two.wav", AudioClip(silence(0.5)))
    feed = [
        (0.0, SpeechStarted()),
        (1.0, SpeechFinal("sales", 0.8)),
        (1.0, SpeechEnded()),
        (9.0, SpeechStarted()),  # after the Gather: nobody listens
        (9.5, SpeechEnded()),
    ]
    app = FakeApp({"/menu": doc('<Gather input="speech" speechTimeout="1" action="/s"/>'), "/s": BYE})
    engine = CallEngine("https://a/menu", WsgiTransport(app))
    script = parse_script({"steps": [{"say_wav": "two.wav"}]}, tmp_path)
    runner = run_virtual(engine, script, speech_feeder=lambda *args: feed)
    assert only(app.to("/s")).form["SpeechResult"] == "Sales."
    assert [r.state for r in runner.results] == ["done"]


# ----- steps the call ended before -----
def test_steps_after_the_end_of_the_call_never_ran():
    engine, runner = _run(
        {"/menu": doc('<Gather numDigits="1" action="/r"/>'), "/r": BYE},
        [{"press": "1"}, {"press": "2"}, {"wait_for": "gather"}, {"wait_for": "hangup"}],
    )
    assert runner.failures == [
        "step 2 (press) never ran: the call ended at 0.00 s, before it",
        "step 3 (wait_for gather) never ran: the call ended at 0.00 s, before it",
    ]
    assert [r.state for r in runner.results] == ["done", "not_run", "not_run", "done"]
    kinds = [e["event"] for e in engine.trace.events]
    assert kinds[-4:] == ["step_ignored", "step_ignored", "hangup", "call_end"]  # all before the end
    assert [e["ran"] for e in engine.trace.of("step_ignored")] == [False, False]


def test_keys_the_call_ended_before_were_never_pressed():
    engine, runner = _run(
        {"/menu": doc('<Gather numDigits="1" action="/r"/>'), "/r": BYE}, [{"press": "123", "gap": 1}]
    )
    assert runner.failures == [
        "step 1 (press) had no effect: the call ended before keys '23' could be pressed"
    ]


def test_a_wait_for_the_call_ended_before_waited_in_vain():
    engine, runner = _run({"/menu": doc("<Say>Hi</Say>")}, [{"wait_for": "gather"}])
    assert runner.failures == [
        "step 1 (wait_for gather) waited in vain: the call ended before a Gather began"
    ]


def test_a_wait_for_that_times_out_waited_in_vain_and_the_next_step_starts_then():
    routes = {"/menu": doc('<Pause length="5"/><Gather numDigits="1" action="/r"/>'), "/r": BYE}
    engine, runner = _run(
        routes, [{"wait_for": "gather", "timeout": 2}, {"wait_for": "gather"}, {"press": "4"}]
    )
    assert runner.failures == ["step 1 (wait_for gather) waited in vain: no Gather began within 2 s"]
    assert engine.trace.of("step_ignored")[0]["t"] == 2.0
    assert engine.trace.of("dtmf")[0]["t"] == 5.0


def test_a_wait_for_that_times_out_at_the_instant_its_event_happens_sees_it():
    """Spec-free rule of the runner: the call acts first at an instant, so the event that comes at the
    timeout's very instant is there when the wait_for looks."""
    routes = {"/menu": doc('<Pause length="2"/><Gather numDigits="1" action="/r"/>'), "/r": BYE}
    r = call(routes, [{"wait_for": "gather", "timeout": 2}, {"press": "4"}])
    assert only(r.app.to("/r")).form["Digits"] == "4"


# ----- wait_for targets -----
def test_wait_for_say_with_a_text_match():
    routes = {"/menu": doc("<Say>One</Say><Say>Two two</Say><Gather numDigits='1' action='/r'/>"), "/r": BYE}
    tts = FixedTTS({"One": 1, "Two two": 2})
    r = call(routes, [{"wait_for": "say", "text": "Two"}, {"press": "1", "may_be_ignored": True}], tts=tts)
    assert r.events("dtmf")[0]["t"] == 1.0
    three = {"/menu": doc("<Say>One</Say><Say>Two two</Say><Say>Three</Say>")}
    r = call(three, [{"wait_for": "say", "text": "/^two/i"}, {"wait_for": "say"}, {"hangup": True}], tts=tts)
    assert r.end_time() == 3.0  # "Three" began at 3 s, and the caller hung up then
    engine, runner = _run(routes, [{"wait_for": "say", "text": "Three"}], settings=RuntimeSettings())
    assert runner.failures == [
        "step 1 (wait_for say) waited in vain: the call ended before a <Say> matching 'Three' began"
    ]


def test_wait_for_request_with_a_path():
    routes = {
        "/menu": doc('<Gather numDigits="1" action="/r"/>'),
        "/r": doc("<Say>Thanks</Say><Redirect>/next</Redirect>"),
        "/next": doc('<Gather numDigits="1" action="/done"/>'),
        "/done": BYE,
    }
    r = call(
        routes, [{"press": "1"}, {"wait_for": "request", "path": "/next"}, {"press": "2"}], tts=FixedTTS()
    )
    assert only(r.app.to("/done")).form["Digits"] == "2"
    assert r.time_of("request", url="https://a/done") == 1.0  # after "Thanks" (1 s)


def test_wait_for_record_starts_after_the_beep_and_play_is_not_the_beep(tmp_path: Path):
    tune = Reply(clip_to_wav(AudioClip(silence(1.0))), 200, "audio/wav")
    app = FakeApp(
        {
            "/menu": doc('<Record action="/rec" timeout="2"/><Play>https://a/tune.wav</Play>'),
            "/tune.wav": tune,
        }
    )
    settings = RuntimeSettings(recordings_dir=str(tmp_path), beep_seconds=0.5)
    r = call(app, [{"wait_for": "record"}, {"wait": 0.25}, {"wait_for": "play"}], settings=settings)
    assert r.time_of("record", status="recording") == 0.5
    plays = r.events("play")
    assert plays[0]["url"] is None and plays[1]["url"] == "https://a/tune.wav"  # the beep, then the Play
    assert r.runner.results[2].state == "done"


def test_wait_for_dial_then_the_callee_is_busy():
    routes = {"/menu": doc('<Say>Connecting</Say><Dial action="/d">+15550100</Dial>'), "/d": BYE}
    r = call(routes, [{"wait_for": "dial"}, {"dial_outcome": "busy"}], tts=FixedTTS())
    assert r.time_of("dial", status="ringing") == r.time_of("dial", status="busy") == 1.0
    assert only(r.app.to("/d")).form["DialCallStatus"] == "busy"


def test_wait_for_listening_ignores_a_gather_that_a_key_cut_and_ended():
    """The key cuts the first menu's prompt (its timer starts: listening) and completes it at once; the
    wait_for listening after it is about the menu the key opened."""
    routes = {
        "/menu": doc('<Gather numDigits="1" action="/r"><Say>Long menu</Say></Gather>'),
        "/r": doc('<Gather numDigits="1" action="/done"><Say>Second</Say></Gather>'),
        "/done": BYE,
    }
    steps = [{"wait_for": "gather"}, {"press": "1"}, {"wait_for": "listening"}, {"press": "2"}]
    r = call(routes, steps, tts=FixedTTS())
    assert [e["t"] for e in r.events("listening")] == [0.0, 1.0]
    assert r.events("dtmf")[1]["t"] == 1.0  # after "Second" (1 s), not at once in its prompt


# ----- what a script may say -----
@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            {"press": "1", "may_be_ignored": "yes"},
            "step 1 (press): may_be_ignored is true or false, not 'yes'",
        ),
        (
            {"wait_for": "gather", "text": "x"},
            "step 1 (wait_for): text goes with wait_for: say, not with wait_for: gather",
        ),
        (
            {"wait_for": "say", "text": ""},
            "step 1 (wait_for): text is a substring or /regex/ to find in the <Say>",
        ),
        ({"wait_for": "say", "text": "/(/"}, "step 1 (wait_for): bad regular expression '/(/'"),
        (
            {"wait_for": "request", "path": "next"},
            "step 1 (wait_for): path is a URL path starting with /, not 'next'",
        ),
        (
            {"wait_for": "say", "path": "/x"},
            "step 1 (wait_for): path goes with wait_for: request, not with wait_for: say",
        ),
        (
            {"wait_for": "parking"},
            "step 1 (wait_for): wait_for must be one of gather, listening, hangup, record, dial",
        ),
        ({"press": "1", "maybe_ignored": True}, "step 1 (press): unknown option(s) maybe_ignored"),
    ],
)
def test_a_bad_step_is_refused_naming_the_step(step: dict, message: str):
    with pytest.raises(ScriptError) as caught:
        parse_script({"steps": [step]})
    assert str(caught.value).startswith(message)
