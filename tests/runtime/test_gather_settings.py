"""Gather settings for the [INF] choices of spec §2 (timeout="0", symbols, input locking, empty results) and
the end of speech reported late by a live VAD (``SpeechEnded.ago``), on the virtual clock."""

from __future__ import annotations

import pytest
from runtime_support import FixedTTS, call, doc, only

from ivr_studio.runtime.events import SpeechEnded, SpeechFinal, SpeechStarted
from ivr_studio.runtime.settings import RuntimeSettings

BYE = doc("<Hangup/>")


def test_zero_timeout_waits_the_configured_seconds_after_the_prompt():
    routes = {"/menu": doc('<Gather timeout="0"><Say>Hi</Say></Gather><Say>Z</Say>')}
    now = call(routes, tts=FixedTTS({"Hi": 1}))
    assert now.time_of("say", text="Z") == 1.0 and "13313" in now.codes()
    waits = call(routes, tts=FixedTTS({"Hi": 1}), settings=RuntimeSettings(zero_timeout_seconds=3))
    assert waits.time_of("say", text="Z") == 4.0


def test_symbols_that_are_not_the_terminator_can_be_ignored():
    routes = {"/menu": doc('<Gather numDigits="3" finishOnKey="" action="/r"/>'), "/r": BYE}
    steps = [{"press": "1*#23", "may_be_ignored": True}]
    counted = call(routes, steps)
    assert only(counted.app.to("/r")).form["Digits"] == "1*#"
    assert counted.allowed() == [
        "step 1 (press) had no effect: the call ended before keys '23' could be pressed"
    ]
    ignored = call(routes, steps, settings=RuntimeSettings(symbols_count_as_digits=False))
    assert only(ignored.app.to("/r")).form["Digits"] == "123"
    assert [e["accepted"] for e in ignored.events("dtmf")] == [True, False, False, True, True]
    assert ignored.allowed() == [
        "step 1 (press) had no effect: keys '*#': setting symbols_count_as_digits is false, "
        "so * and # are not digits"
    ]


def test_the_terminator_still_ends_the_gather_when_symbols_are_ignored():
    r = call(
        {"/menu": doc('<Gather action="/r"/>'), "/r": BYE},
        [{"press": "1*2#", "may_be_ignored": True}],
        settings=RuntimeSettings(symbols_count_as_digits=False),
    )
    req = only(r.app.to("/r"))
    assert req.form["Digits"] == "12" and req.form["FinishedOnKey"] == "#"
    assert r.allowed() == [
        "step 1 (press) had no effect: key '*': setting symbols_count_as_digits is false, "
        "so * and # are not digits"
    ]


def test_speech_after_keys_counts_when_the_mode_is_not_locked():
    routes = {"/menu": doc('<Gather input="dtmf speech" speechTimeout="1" action="/r"/>'), "/r": BYE}
    steps = [{"press": "1"}, {"say": "sales", "duration": 1.0, "may_be_ignored": True}]
    locked = call(routes, steps)
    assert (
        only(locked.app.to("/r")).form["Digits"] == "1" and "SpeechResult" not in locked.app.to("/r")[0].form
    )
    assert locked.allowed() == [
        "step 2 (say) had no effect: the <Gather> had already taken keys, so it ignores other input"
    ]
    r = call(routes, steps, settings=RuntimeSettings(lock_input_mode=False))
    assert r.allowed() == []  # the speech was heard
    req = only(r.app.to("/r"))
    assert req.form["SpeechResult"] == "Sales." and "Digits" not in req.form
    assert r.time_of("request", url="https://a/r") == pytest.approx(2.0)


def test_keys_after_speech_count_when_the_mode_is_not_locked():
    routes = {
        "/menu": doc('<Gather input="dtmf speech" numDigits="1" speechTimeout="3" action="/r"/>'),
        "/r": BYE,
    }
    steps = [{"say": "billing", "duration": 1.0}, {"wait": 0.5}, {"press": "4", "may_be_ignored": True}]
    locked = call(routes, steps)
    assert only(locked.app.to("/r")).form["SpeechResult"] == "Billing."
    assert locked.time_of("request", url="https://a/r") == pytest.approx(4.0)
    assert locked.allowed() == [
        "step 3 (press) had no effect: key '4': the <Gather> had already taken speech, so it ignores other input"
    ]
    r = call(routes, steps, settings=RuntimeSettings(lock_input_mode=False))
    assert r.allowed() == []
    req = only(r.app.to("/r"))
    assert req.form["Digits"] == "4" and "SpeechResult" not in req.form
    assert r.time_of("request", url="https://a/r") == pytest.approx(1.5)


def test_the_terminator_is_ignored_after_speech_when_the_mode_is_not_locked():
    r = call(
        {"/menu": doc('<Gather input="dtmf speech" speechTimeout="2" action="/r"/>'), "/r": BYE},
        [{"say": "billing", "duration": 1.0}, {"press": "#"}],
        settings=RuntimeSettings(lock_input_mode=False),
    )
    assert only(r.app.to("/r")).form["SpeechResult"] == "Billing."
    assert r.time_of("request", url="https://a/r") == pytest.approx(3.0)


@pytest.mark.parametrize(
    ("gather", "step", "why"),
    [
        (
            '<Gather action="/r">',
            {"say": "hello"},
            'step 2 (say) had no effect: the <Gather> takes keys only (input="dtmf")',
        ),
        (
            '<Gather input="speech" action="/r">',
            {"press": "1"},
            "step 2 (press) had no effect: key '1': the <Gather> takes speech only (input=\"speech\")",
        ),
    ],
)
def test_input_the_gather_does_not_collect_can_barge_in(gather: str, step: dict, why: str):
    routes = {"/menu": doc(f"{gather}<Say>Long</Say></Gather><Say>Next</Say>"), "/r": BYE}
    steps = [{"wait": 2}, {**step, "may_be_ignored": True}]
    plays_on = call(routes, steps, tts=FixedTTS({"Long": 10}))
    assert plays_on.time_of("listening") == 10.0 and plays_on.time_of("say", text="Next") == 15.0
    assert plays_on.allowed() == [why]
    cut = call(
        routes, steps, tts=FixedTTS({"Long": 10}), settings=RuntimeSettings(other_input_barges_in=True)
    )
    assert cut.time_of("listening") == 2.0 and cut.time_of("say", text="Next") == 7.0
    assert not cut.app.to("/r")
    assert cut.allowed() == []  # heard: it cut the prompt


def test_an_empty_result_can_send_empty_parameters():
    routes = {"/menu": doc('<Gather input="dtmf speech" action="/r" actionOnEmptyResult="true"/>'), "/r": BYE}
    absent = only(call(routes).app.to("/r")).form
    assert "Digits" not in absent and "SpeechResult" not in absent
    empty = only(call(routes, settings=RuntimeSettings(empty_result_params="empty")).app.to("/r")).form
    assert empty["Digits"] == "" and empty["SpeechResult"] == "" and "Confidence" not in empty
    dtmf_only = {"/menu": doc('<Gather action="/r" actionOnEmptyResult="true"/>'), "/r": BYE}
    form = only(call(dtmf_only, settings=RuntimeSettings(empty_result_params="empty")).app.to("/r")).form
    assert form["Digits"] == "" and "SpeechResult" not in form


def test_speech_with_an_empty_transcript_can_still_send_the_action():
    routes = {
        "/menu": doc('<Gather input="speech" speechTimeout="1" action="/s"/><Say>Next</Say>'),
        "/s": BYE,
    }
    mumble = [(1.0, SpeechStarted()), (2.0, SpeechFinal("", 0.1)), (2.0, SpeechEnded())]
    nothing = call(routes, events=mumble)
    assert not nothing.app.to("/s") and nothing.time_of("say", text="Next") == 3.0
    sent = call(routes, events=mumble, settings=RuntimeSettings(empty_transcript_is_no_input=False))
    form = only(sent.app.to("/s")).form
    assert "SpeechResult" not in form and form["msg"] == "Gather End"
    assert sent.time_of("request", url="https://a/s") == 3.0
    both = RuntimeSettings(empty_transcript_is_no_input=False, empty_result_params="empty")
    assert only(call(routes, events=mumble, settings=both).app.to("/s")).form["SpeechResult"] == ""


def test_silence_without_speech_is_still_no_input_when_empty_transcripts_count():
    routes = {"/menu": doc('<Gather input="speech" timeout="2" action="/s"/><Say>Next</Say>'), "/s": BYE}
    r = call(routes, settings=RuntimeSettings(empty_transcript_is_no_input=False))
    assert not r.app.to("/s") and r.time_of("say", text="Next") == 2.0


@pytest.mark.parametrize(("ago", "at"), [(0.0, 4.0), (0.5, 3.5), (1.5, 2.5), (5.0, 2.0)])
def test_speech_timeout_counts_from_when_the_speech_really_ended(ago: float, at: float):
    r = call(
        {"/menu": doc('<Gather input="speech" speechTimeout="2" action="/s"/>'), "/s": BYE},
        events=[(1.0, SpeechStarted()), (2.0, SpeechFinal("sales", 0.8)), (2.0, SpeechEnded(ago=ago))],
    )
    assert only(r.app.to("/s")).form["SpeechResult"] == "Sales."
    assert r.time_of("gather_end") == pytest.approx(at)
    end = [e for e in r.events("speech") if e["phase"] == "end"][0]
    assert end.get("ago", 0.0) == ago


def test_record_silence_counts_from_when_the_speech_really_ended(tmp_path):
    r = call(
        {"/menu": doc('<Record action="/rec" timeout="3" playBeep="false"/>'), "/rec": BYE},
        events=[(0.5, SpeechStarted()), (2.0, SpeechEnded(ago=1.0))],
        settings=RuntimeSettings(recordings_dir=str(tmp_path)),
    )
    assert r.time_of("request", url="https://a/rec") == pytest.approx(4.0)
    assert only(r.app.to("/rec")).form["RecordingDuration"] == "1"


def test_a_negative_ago_is_refused():
    with pytest.raises(ValueError, match="ago"):
        SpeechEnded(ago=-0.1)
