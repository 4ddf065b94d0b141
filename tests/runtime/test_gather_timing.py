"""When a ``<Gather>`` ends and with what: keys during a prompt that cannot be interrupted, a caller who
pauses and goes on, maxSpeechTime with and without a final transcript, Gathers late in a call, and the
fields of partial results (spec §2.2, §2.4, §2.6, §2.9). Each test pins one timing rule of
``runtime/verbs/gather.py`` that ``make mutation`` found unchecked.
"""

from __future__ import annotations

import pytest
from runtime_support import FixedTTS, call, doc, only

from ivr_studio.runtime.events import SpeechEnded, SpeechFinal, SpeechPartial, SpeechStarted
from ivr_studio.runtime.settings import RuntimeSettings

BYE = doc("<Hangup/>")


def gather_end(r) -> dict:
    (end,) = r.events("gather_end")
    return {k: end[k] for k in ("t", "reason", "digits", "speech")}


# ------------------------------------------------------------------ §2.6 bargeIn="false" and the keys
def test_keys_completing_num_digits_during_a_non_interruptible_prompt_wait_for_its_end():
    r = call(
        {
            "/menu": doc('<Gather numDigits="2" bargeIn="false" action="/r"><Say>Six</Say></Gather>'),
            "/r": BYE,
        },
        [{"wait": 2}, {"press": "4"}, {"wait": 1}, {"press": "2"}],
        tts=FixedTTS({"Six": 6}),
    )
    (say,) = r.events("say")
    assert "interrupted_at" not in say, "the prompt plays to its end"
    assert gather_end(r) == {"t": 6.0, "reason": "numDigits", "digits": "42", "speech": ""}
    assert only(r.app.to("/r")).form["Digits"] == "42"
    assert r.time_of("request", url="https://a/r") == 6.0


def test_finish_on_key_during_a_non_interruptible_prompt_waits_for_its_end():
    r = call(
        {"/menu": doc('<Gather bargeIn="false" action="/r"><Say>Six</Say></Gather>'), "/r": BYE},
        [{"wait": 2}, {"press": "7"}, {"press": "#"}],
        tts=FixedTTS({"Six": 6}),
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["finished_on_key"]) == (6.0, "finishOnKey", "#")
    assert only(r.app.to("/r")).form["Digits"] == "7"


def test_keys_during_an_interruptible_prompt_cut_it_and_complete_at_once():
    r = call(
        {"/menu": doc('<Gather numDigits="1" action="/r"><Say>Six</Say></Gather>'), "/r": BYE},
        [{"wait": 2}, {"press": "4"}],
        tts=FixedTTS({"Six": 6}),
    )
    (say,) = r.events("say")
    assert say["interrupted_at"] == 2.0
    assert gather_end(r) == {"t": 2.0, "reason": "numDigits", "digits": "4", "speech": ""}


# ------------------------------------------------------------------------------ §2.4 speech timing
def test_a_caller_who_pauses_and_goes_on_within_speech_timeout_is_heard_to_the_end():
    events = [
        (1.0, SpeechStarted()),
        (2.0, SpeechFinal("I need", 0.7)),
        (2.0, SpeechEnded()),
        (3.5, SpeechStarted()),  # 1.5 s of silence: less than speechTimeout
        (4.5, SpeechFinal("billing", 0.8)),
        (4.5, SpeechEnded()),
    ]
    r = call(
        {"/menu": doc('<Gather input="speech" speechTimeout="2" action="/s"/>'), "/s": BYE}, events=events
    )
    assert gather_end(r) == {"t": 6.5, "reason": "speech", "digits": "", "speech": "I need billing."}
    form = only(r.app.to("/s")).form
    assert (form["SpeechResult"], form["Confidence"]) == ("I need billing.", "0.8")


def test_silence_of_speech_timeout_ends_the_utterance():
    events = [(1.0, SpeechStarted()), (2.0, SpeechFinal("billing", 0.8)), (2.0, SpeechEnded())]
    r = call(
        {"/menu": doc('<Gather input="speech" speechTimeout="2" action="/s"/>'), "/s": BYE}, events=events
    )
    assert gather_end(r) == {"t": 4.0, "reason": "speech", "digits": "", "speech": "Billing."}


def test_max_speech_time_ends_a_gather_whose_recogniser_never_sends_a_final_transcript():
    """A recogniser that only ever sends partials: maxSpeechTime still ends the Gather, with the words
    heard so far, after waiting ``max_speech_final_wait`` for a final transcript that does not come."""
    events = [
        (1.0, SpeechStarted()),
        (1.5, SpeechPartial("opening")),
        (2.5, SpeechPartial("opening hours please")),
    ]
    r = call(
        {"/menu": doc('<Gather input="speech" maxSpeechTime="3" action="/s"/>'), "/s": BYE}, events=events
    )
    # 1.0 + 3 s of speech, + 1.0 s (the default wait for the final transcript)
    assert gather_end(r) == {
        "t": 5.0,
        "reason": "maxSpeechTime",
        "digits": "",
        "speech": "Opening hours please.",
    }
    form = only(r.app.to("/s")).form
    assert (form["SpeechResult"], form["FinishedOnKey"]) == ("Opening hours please.", "")


def test_max_speech_time_without_the_wait_ends_at_once():
    events = [(1.0, SpeechStarted()), (1.5, SpeechPartial("opening"))]
    settings = RuntimeSettings(max_speech_final_wait=0.0)
    r = call(
        {"/menu": doc('<Gather input="speech" maxSpeechTime="3" action="/s"/>'), "/s": BYE},
        events=events,
        settings=settings,
    )
    assert gather_end(r) == {"t": 4.0, "reason": "maxSpeechTime", "digits": "", "speech": "Opening."}


def test_the_final_transcript_that_arrives_after_max_speech_time_is_the_result():
    events = [
        (1.0, SpeechStarted()),
        (2.0, SpeechPartial("opening ours")),
        (4.4, SpeechFinal("opening hours please", 0.6)),  # within the 1 s wait after 4.0
    ]
    r = call(
        {"/menu": doc('<Gather input="speech" maxSpeechTime="3" action="/s"/>'), "/s": BYE}, events=events
    )
    assert gather_end(r) == {
        "t": 4.4,
        "reason": "maxSpeechTime",
        "digits": "",
        "speech": "Opening hours please.",
    }
    assert only(r.app.to("/s")).form["Confidence"] == "0.6"


@pytest.mark.parametrize("start", [0.0, 30.0, 95.0])
def test_a_gather_late_in_the_call_gives_the_caller_the_whole_max_speech_time(start):
    """maxSpeechTime counts from when this caller started speaking, not from the start of the call."""
    pause = f'<Pause length="{start:g}"/>' if start else ""
    events = [
        (start + 1.0, SpeechStarted()),
        (start + 3.0, SpeechFinal("billing please", 0.8)),
        (start + 3.0, SpeechEnded()),
    ]
    r = call(
        {
            "/menu": doc(f'{pause}<Gather input="speech" maxSpeechTime="5" speechTimeout="1" action="/s"/>'),
            "/s": BYE,
        },
        events=events,
        max_duration=3600,
    )
    assert gather_end(r) == {"t": start + 4.0, "reason": "speech", "digits": "", "speech": "Billing please."}


# ------------------------------------------------------------------------------ §2.9 partial results
def test_partial_results_carry_the_stable_part_stability_and_the_language():
    events = [
        (0.1, SpeechStarted()),  # partial results every 0.5 s from here: at 0.6, 1.1, 1.6
        (0.3, SpeechPartial("abrir")),
        (0.9, SpeechPartial("abrir una")),
        (1.3, SpeechPartial("abrir una")),  # unchanged: nothing new is posted
        (1.45, SpeechPartial("abrir una cuenta")),
        (1.9, SpeechFinal("abrir una cuenta", 0.9)),
        (1.9, SpeechEnded()),
    ]
    r = call(
        {
            "/menu": doc('<Gather input="speech" language="es-ES" partialResultCallback="/p" action="/s"/>'),
            "/p": BYE,
            "/s": BYE,
        },
        events=events,
    )
    fields = ("SequenceNumber", "StableSpeechResult", "UnstableSpeechResult", "Stability", "LanguageCode")
    assert [tuple(p.form[f] for f in fields) for p in r.app.to("/p")] == [
        ("1", "", "abrir", "0.8", "es-ES"),
        ("2", "abrir", "abrir una", "0.8", "es-ES"),
        ("3", "abrir una", "abrir una cuenta", "0.8", "es-ES"),
    ]
    assert only(r.app.to("/s")).form["SpeechResult"] == "Abrir una cuenta."


def test_a_partial_that_corrects_a_word_keeps_only_the_agreed_words_stable():
    events = [
        (0.1, SpeechStarted()),  # partial results at 0.6 and 1.1
        (0.3, SpeechPartial("opening ours")),
        (0.9, SpeechPartial("opening hours please")),
        (1.3, SpeechFinal("opening hours please", 0.9)),
        (1.3, SpeechEnded()),
    ]
    r = call(
        {
            "/menu": doc('<Gather input="speech" partialResultCallback="/p" action="/s"/>'),
            "/p": BYE,
            "/s": BYE,
        },
        events=events,
    )
    stable = [(p.form["StableSpeechResult"], p.form["UnstableSpeechResult"]) for p in r.app.to("/p")]
    assert stable == [("", "opening ours"), ("opening", "opening hours please")]


# ------------------------------------------------------------------------------ settings of the Gather
def test_keys_during_a_non_interruptible_prompt_can_be_dropped_instead():
    """``keep_keys_without_barge_in=False``: keys pressed while a bargeIn="false" prompt plays are lost."""
    r = call(
        {
            "/menu": doc('<Gather numDigits="1" bargeIn="false" action="/r"><Say>Six</Say></Gather>'),
            "/r": BYE,
        },
        [
            {"wait": 2},
            {"press": "1", "may_be_ignored": True},
            {"wait_for": "listening"},
            {"wait": 1},
            {"press": "2"},
        ],
        tts=FixedTTS({"Six": 6}),
        settings=RuntimeSettings(keep_keys_without_barge_in=False),
    )
    assert gather_end(r) == {"t": 7.0, "reason": "numDigits", "digits": "2", "speech": ""}


@pytest.mark.parametrize(("restarts", "ends_at"), [(False, 5.0), (True, 8.0)])
def test_an_ignored_terminator_may_restart_the_timeout(restarts, ends_at):
    """A ``#`` with no digits before it is ignored (F0); ``ignored_terminator_restarts_timer`` decides
    whether it still counts as the caller doing something (§8.8)."""
    r = call(
        {"/menu": doc('<Gather timeout="5" actionOnEmptyResult="true" action="/r"/>'), "/r": BYE},
        [{"wait": 3}, {"press": "#", "may_be_ignored": True}],
        settings=RuntimeSettings(ignored_terminator_restarts_timer=restarts),
    )
    assert gather_end(r) == {"t": ends_at, "reason": "timeout", "digits": "", "speech": ""}


def test_the_gather_end_parameters_can_be_left_out():
    routes = {"/menu": doc('<Gather numDigits="1" action="/r"/>'), "/r": BYE}
    sent = only(call(routes, [{"press": "4"}]).app.to("/r")).form
    assert (sent["Digits"], sent["msg"], sent["FinishedOnKey"]) == ("4", "Gather End", "")
    bare = call(routes, [{"press": "4"}], settings=RuntimeSettings(send_gather_end_params=False))
    form = only(bare.app.to("/r")).form
    assert form["Digits"] == "4" and "msg" not in form and "FinishedOnKey" not in form


def test_transcripts_are_punctuated_like_twilios_unless_turned_off():
    routes = {"/menu": doc('<Gather input="speech" action="/s"/>'), "/s": BYE}
    assert only(call(routes, [{"say": "is it open"}]).app.to("/s")).form["SpeechResult"] == "Is it open."
    asked = [(1.0, SpeechStarted()), (2.0, SpeechFinal("is it open?", 0.8)), (2.0, SpeechEnded())]
    assert only(call(routes, events=asked).app.to("/s")).form["SpeechResult"] == "Is it open?"
    plain = call(routes, [{"say": "is it open"}], settings=RuntimeSettings(punctuate_speech=False))
    assert only(plain.app.to("/s")).form["SpeechResult"] == "is it open"


def test_profanity_is_masked_whatever_its_case():
    routes = {"/menu": doc('<Gather input="speech" action="/s"/>'), "/s": BYE}
    said = [(1.0, SpeechStarted()), (2.0, SpeechFinal("Shit my DAMN card", 0.8)), (2.0, SpeechEnded())]
    assert only(call(routes, events=said).app.to("/s")).form["SpeechResult"] == "S*** my D*** card."


def test_partial_results_use_their_own_method():
    events = [
        (0.1, SpeechStarted()),
        (0.3, SpeechPartial("sales")),
        (0.9, SpeechFinal("sales", 0.9)),
        (0.9, SpeechEnded()),
    ]
    r = call(
        {
            "/menu": doc(
                '<Gather input="speech" partialResultCallback="/p" partialResultCallbackMethod="GET" action="/s"/>'
            ),
            "/p": BYE,
            "/s": BYE,
        },
        events=events,
    )
    (partial,) = r.app.to("/p")
    assert partial.method == "GET" and partial.query["UnstableSpeechResult"] == "sales"
    assert only(r.app.to("/s")).method == "POST"


def test_max_speech_time_after_the_caller_stopped_ends_at_once_with_no_finishing_key():
    """The caller already stopped (speechTimeout still running): nothing to wait for at maxSpeechTime."""
    events = [(1.0, SpeechStarted()), (2.0, SpeechFinal("billing", 0.8)), (2.0, SpeechEnded())]
    r = call(
        {"/menu": doc('<Gather input="speech" maxSpeechTime="2" speechTimeout="5" action="/s"/>'), "/s": BYE},
        events=events,
    )
    assert gather_end(r) == {"t": 3.0, "reason": "maxSpeechTime", "digits": "", "speech": "Billing."}
    form = only(r.app.to("/s")).form
    assert (form["SpeechResult"], form["FinishedOnKey"]) == ("Billing.", "")


def test_a_speech_gather_without_a_partial_callback_sends_only_its_action():
    events = [(0.1, SpeechStarted()), (1.6, SpeechFinal("sales", 0.9)), (1.6, SpeechEnded())]
    r = call({"/menu": doc('<Gather input="speech" action="/s"/>'), "/s": BYE}, events=events)
    assert [q.path for q in r.app.requests] == ["/menu", "/s"]
    assert only(r.app.to("/s")).form["FinishedOnKey"] == ""
