"""A ``<Gather>`` at its edges: what a caller who hangs up mid-Gather sends (setting
``gather_action_on_hangup``), partial results that stop, start again and never repeat themselves, and the
moment maxSpeechTime ends the Gather (spec §2.4, §2.7, §2.9). Each test pins a behaviour of
``runtime/verbs/gather.py`` that ``make mutation`` found unchecked.

Equivalent mutants of ``runtime/verbs/gather.py`` (mutmut names; the program does the same thing either way):

- ``xǁGatherActivityǁ_partial_tick__mutmut_16``, ``xǁGatherActivityǁ_partial_tick__mutmut_19``: ``zip(…,
  strict=False)`` written ``strict=None`` or without ``strict``: ``zip`` only tests the flag's truth, and its
  default is off, so the stable words are the same.
- ``xǁGatherActivityǁ_partial_tick__mutmut_1``: ``if self.done or not self.speaking: return`` written with
  ``and``. The tick never runs in either state: ``stop()`` (done) and ``SpeechEnded`` (not speaking) cancel
  the partial timer before anything else can run, and only ``_speech_start`` (speaking, not done) or the
  tick itself schedules it again, so the guard is false with ``or`` and with ``and``.
- ``xǁGatherActivityǁ__init____mutmut_46``, ``xǁGatherActivityǁ__init____mutmut_48``,
  ``xǁGatherActivityǁ__init____mutmut_50``, ``xǁGatherActivityǁ__init____mutmut_53`` (``heard_speech``, ``listening``,
  ``done``, ``speaking`` start as ``None`` instead of ``False``) and ``xǁGatherActivityǁon_event__mutmut_32``
  (``speaking = None`` at the end of speech): these flags are only ever tested for truth — in ``if``, ``not``
  and in ``and``/``or`` chains whose value is itself only tested for truth, or (``wants``) whose last operand
  is a real boolean setting — so ``None`` and ``False`` behave alike.
- ``xǁGatherActivityǁ__init____mutmut_56`` (``partial`` starts as ``None``),
  ``xǁGatherActivityǁon_event__mutmut_17`` and ``xǁGatherActivityǁon_event__mutmut_22`` (``partial = None``
  after a final transcript): the interim text is read only by
  ``_transcript``, through ``if include_partial and self.partial``, and the next partial replaces it.
- ``xǁGatherActivityǁ__init____mutmut_63``, ``xǁGatherActivityǁ__init____mutmut_64``,
  ``xǁGatherActivityǁ__init____mutmut_65`` (``timer``, ``speech_timer``, ``max_timer``
  start as ``""``): a timer is only tested for truth (``if self.timer``, ``if t: t.cancel()``) until a handle
  is stored in it, and ``""`` is as false as ``None``.
- ``xǁGatherActivityǁ_listen__mutmut_1`` (``if self.listening and self.done: return``): ``_listen`` runs only
  from ``_prompts_done`` — which the prompt player calls once, when its prompts end, and never after
  ``cut()`` or ``stop()`` — and from ``_first_input`` when the Gather is not listening yet; so it never runs
  while listening or done, and the guard is false written either way.
- ``xǁGatherActivityǁstop__mutmut_1``, ``xǁGatherActivityǁstop__mutmut_2`` (``stop()`` leaves ``done`` false)
  and ``xǁGatherActivityǁwants__mutmut_1`` (a finished Gather wants every event): whoever calls ``stop()`` —
  the Gather's own ``_finish`` just before ``verb_done``, the engine ending the call, wait music ending —
  drops the Gather at once, and ``stop()`` cancels its timers and stops its prompts without their callback,
  so nothing asks a stopped Gather for events or reads ``done`` again.
- ``xǁGatherActivityǁwants__mutmut_17`` (``event.key in "XX*#XX"``): a ``Dtmf`` event refuses any key but
  0–9, ``*`` and ``#``, so ``X`` never reaches the test and the two strings hold the same keys.
"""

from __future__ import annotations

import pytest
from runtime_support import FixedTTS, Reply, call, doc, only

from ivr_studio.runtime.events import SpeechEnded, SpeechFinal, SpeechPartial, SpeechStarted
from ivr_studio.runtime.settings import RuntimeSettings

BYE = doc("<Hangup/>")
ON_HANGUP = RuntimeSettings(gather_action_on_hangup=True)
#: The parameters a Gather adds to the standard ones (§2.8), and the call's status.
GATHER_FIELDS = ("Digits", "SpeechResult", "Confidence", "msg", "FinishedOnKey", "CallStatus")


def sent(form: dict[str, str]) -> dict[str, str]:
    return {k: form[k] for k in GATHER_FIELDS if k in form}


# ------------------------------------------------------------------ §2.7 a caller who hangs up
def test_a_caller_who_hangs_up_after_keys_sends_them_with_the_gather_end_fields():
    r = call(
        {"/menu": doc('<Gather finishOnKey="" action="/r"/>'), "/r": BYE},
        [{"press": "12"}, {"hangup": True}],
        settings=ON_HANGUP,
    )
    assert sent(only(r.app.to("/r")).form) == {
        "Digits": "12",
        "msg": "Gather End",
        "FinishedOnKey": "",
        "CallStatus": "completed",
    }


def test_a_caller_who_hangs_up_while_speaking_sends_the_words_heard_so_far():
    """The interim words count: the caller was cut off mid-sentence, there is no final transcript."""
    events = [(1.0, SpeechStarted()), (1.5, SpeechFinal("i want", 0.7)), (2.0, SpeechPartial("to pay"))]
    r = call(
        {"/menu": doc('<Gather input="speech" action="/s"/>'), "/s": BYE},
        [{"wait": 2.5}, {"hangup": True}],
        events=events,
        settings=ON_HANGUP,
    )
    assert sent(only(r.app.to("/s")).form) == {
        "SpeechResult": "I want to pay.",
        "msg": "Gather End",
        "FinishedOnKey": "",
        "CallStatus": "completed",
    }


def test_a_hang_up_request_masks_profanity_like_the_action_request():
    events = [(1.0, SpeechStarted()), (1.5, SpeechFinal("damn card", 0.7))]
    r = call(
        {"/menu": doc('<Gather input="speech" action="/s"/>'), "/s": BYE},
        [{"wait": 2}, {"hangup": True}],
        events=events,
        settings=ON_HANGUP,
    )
    assert only(r.app.to("/s")).form["SpeechResult"] == "D*** card."


def test_a_hang_up_request_keeps_the_transcript_as_heard_when_punctuation_is_off():
    events = [(1.0, SpeechStarted()), (1.5, SpeechFinal("i want", 0.7))]
    settings = RuntimeSettings(
        gather_action_on_hangup=True, punctuate_speech=False, send_gather_end_params=False
    )
    r = call(
        {"/menu": doc('<Gather input="speech" action="/s"/>'), "/s": BYE},
        [{"wait": 2}, {"hangup": True}],
        events=events,
        settings=settings,
    )
    assert sent(only(r.app.to("/s")).form) == {"SpeechResult": "i want", "CallStatus": "completed"}


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        # speech first: the Gather is a speech Gather, the key after it is not part of its result
        ([{"say": "billing", "duration": 1.0}, {"press": "4"}], {"SpeechResult": "Billing."}),
        # keys first: the words after them are not part of the result
        ([{"press": "4"}, {"say": "billing", "duration": 1.0}], {"Digits": "4"}),
    ],
)
def test_with_an_unlocked_mode_a_hang_up_sends_only_the_input_that_came_first(steps, expected):
    r = call(
        {
            "/menu": doc(
                '<Gather input="dtmf speech" finishOnKey="" speechTimeout="9" timeout="9" action="/r"/>'
            ),
            "/r": BYE,
        },
        [*steps, {"hangup": True}],
        settings=RuntimeSettings(gather_action_on_hangup=True, lock_input_mode=False),
    )
    form = only(r.app.to("/r")).form
    assert {k: form[k] for k in ("Digits", "SpeechResult") if k in form} == expected


def test_a_caller_who_hangs_up_before_any_input_sends_no_input_fields():
    r = call(
        {"/menu": doc('<Gather input="dtmf speech" action="/r"/>'), "/r": BYE},
        [{"wait": 1}, {"hangup": True}],
        settings=ON_HANGUP,
    )
    assert sent(only(r.app.to("/r")).form) == {
        "msg": "Gather End",
        "FinishedOnKey": "",
        "CallStatus": "completed",
    }


def test_a_hang_up_during_a_gather_without_action_goes_to_the_current_document():
    r = call(
        {"/menu": doc('<Gather numDigits="3"/><Say>Bye</Say>')},
        [{"press": "7"}, {"hangup": True}],
        settings=ON_HANGUP,
    )
    assert [(q.path, q.form.get("Digits")) for q in r.app.requests] == [("/menu", None), ("/menu", "7")]


# ------------------------------------------------------------------ §2.5 speech first, then keys
def test_after_speech_the_terminator_is_ignored_even_when_keys_follow_it():
    """Unlocked mode (keys after speech are heard): the caller said something, then typed ``4#``; the ``#``
    does not end the Gather with the key, the silence after the words does (§2.5)."""
    r = call(
        {"/menu": doc('<Gather input="dtmf speech" speechTimeout="3" timeout="5" action="/r"/>'), "/r": BYE},
        [{"say": "billing", "duration": 1.0}, {"press": "4#", "may_be_ignored": True}],
        settings=RuntimeSettings(lock_input_mode=False),
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["finished_on_key"]) == (4.0, "speech", "")
    form = only(r.app.to("/r")).form
    assert (form["SpeechResult"], form["FinishedOnKey"], "Digits" in form) == ("Billing.", "", False)


@pytest.mark.parametrize("locked", [True, False])
def test_a_terminator_before_any_digit_in_legacy_mode_ends_the_gather_and_says_why(locked):
    """§2.3 F0, legacy reading: the ``#`` alone ends the Gather; the call timeline names the rule, and with
    actionOnEmptyResult the action request carries the key but no Digits."""
    r = call(
        {"/menu": doc('<Gather actionOnEmptyResult="true" action="/r"/>'), "/r": BYE},
        [{"wait": 1}, {"press": "#"}],
        settings=RuntimeSettings(terminator_first="legacy", lock_input_mode=locked),
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["finished_on_key"], end["digits"]) == (
        1.0,
        "terminator-first",
        "#",
        "",
    )
    assert sent(only(r.app.to("/r")).form) == {
        "msg": "Gather End",
        "FinishedOnKey": "#",
        "CallStatus": "in-progress",
    }


# ------------------------------------------------------------------------------ §2.9 partial results
def partial_results(
    events: list, gather: str = '<Gather input="speech" partialResultCallback="/p" action="/s"/>'
):
    r = call({"/menu": doc(gather), "/p": BYE, "/s": BYE}, events=events)
    return r, [(p.form["SequenceNumber"], p.form["UnstableSpeechResult"]) for p in r.app.to("/p")]


def test_words_that_do_not_change_are_posted_once():
    events = [
        (0.1, SpeechStarted()),  # partial results due at 0.6, 1.1, 1.6
        (0.3, SpeechPartial("sales")),
        (1.9, SpeechFinal("sales", 0.9)),
        (1.9, SpeechEnded()),
    ]
    assert partial_results(events)[1] == [("1", "sales")]


def test_partial_results_start_again_when_the_caller_goes_on_after_a_pause():
    events = [
        (0.1, SpeechStarted()),  # partial results due at 0.6 …
        (0.3, SpeechPartial("i need")),
        (0.8, SpeechFinal("i need", 0.8)),
        (0.8, SpeechEnded()),  # … and none while the caller is silent
        (1.5, SpeechStarted()),  # due again at 2.0
        (1.7, SpeechPartial("billing")),
        (2.3, SpeechFinal("billing", 0.8)),
        (2.3, SpeechEnded()),
    ]
    r, partials = partial_results(events)
    assert partials == [("1", "i need"), ("2", "i need billing")]
    assert [e["t"] for e in r.events("request") if e["url"] == "https://a/p"] == [0.6, 2.0]
    assert [p.path for p in r.app.requests] == ["/menu", "/p", "/p", "/s"]


def test_no_partial_result_follows_the_end_of_the_gather_by_max_speech_time():
    """maxSpeechTime ends the Gather (no wait for a final transcript): a partial result due at that very
    moment is not sent, though the words changed since the last one."""
    events = [
        (1.0, SpeechStarted()),  # partial results due at 1.5, 2.0 … 4.0; maxSpeechTime at 4.0
        (1.2, SpeechPartial("opening")),
        (3.8, SpeechPartial("opening hours")),
    ]
    r = call(
        {
            "/menu": doc('<Gather input="speech" maxSpeechTime="3" partialResultCallback="/p" action="/s"/>'),
            "/p": BYE,
            "/s": BYE,
        },
        events=events,
        settings=RuntimeSettings(max_speech_final_wait=0.0),
    )
    assert [p.form["UnstableSpeechResult"] for p in r.app.to("/p")] == ["opening"]
    assert only(r.app.to("/s")).form["SpeechResult"] == "Opening hours."


@pytest.mark.parametrize("start", [0.3, 1.1, 4.4])
def test_a_final_transcript_at_the_very_instant_of_max_speech_time_ends_the_gather_then(start):
    """Whatever the start time (1.1 + 3 − 1.1 is a hair under 3 in floating point), the transcript that
    arrives as maxSpeechTime is reached is the result, with no wait for another one."""
    events = [(start, SpeechStarted()), (start + 3, SpeechFinal("opening hours", 0.8))]
    r = call(
        {"/menu": doc('<Gather input="speech" maxSpeechTime="3" action="/s"/>'), "/s": BYE}, events=events
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["speech"]) == (start + 3, "maxSpeechTime", "Opening hours.")


def test_a_speech_gather_without_a_partial_callback_posts_no_partials_however_the_words_change():
    events = [
        (0.1, SpeechStarted()),
        (0.3, SpeechPartial("sal")),
        (0.9, SpeechPartial("sales")),
        (1.6, SpeechFinal("sales", 0.9)),
        (1.6, SpeechEnded()),
    ]
    r = call({"/menu": doc('<Gather input="speech" action="/s"/>'), "/s": BYE}, events=events)
    assert [q.path for q in r.app.requests] == ["/menu", "/s"]


# ------------------------------------------------------------------------------ transcripts
def test_a_transcript_ending_in_a_capital_letter_still_gets_its_full_stop():
    said = [(1.0, SpeechStarted()), (2.0, SpeechFinal("tesla model X", 0.8)), (2.0, SpeechEnded())]
    r = call({"/menu": doc('<Gather input="speech" action="/s"/>'), "/s": BYE}, events=said)
    assert only(r.app.to("/s")).form["SpeechResult"] == "Tesla model X."


# ------------------------------------------------------------------------------ what the trace says
def test_the_trace_gives_the_gather_its_attributes_timeout_and_confidence():
    events = [(1.0, SpeechStarted()), (2.0, SpeechFinal("sales", 0.8)), (2.0, SpeechEnded())]
    r = call(
        {"/menu": doc('<Gather input="speech" timeout="3" speechTimeout="1" action="/s"/>'), "/s": BYE},
        events=events,
    )
    (start,) = r.events("gather_start")
    assert start["attributes"] == {"input": "speech", "timeout": "3", "speechTimeout": "1", "action": "/s"}
    assert [e["timeout"] for e in r.events("listening")] == [3.0]
    assert r.events("gather_end")[0]["confidence"] == 0.8
    keys = call({"/menu": doc('<Gather numDigits="1" action="/r"/>'), "/r": BYE}, [{"press": "5"}])
    assert keys.events("gather_end")[0]["confidence"] is None


def test_a_bad_gather_attribute_is_a_warning_that_says_what_is_wrong():
    r = call({"/menu": doc('<Gather timeout="soon"/>')})
    (warning,) = [e for e in r.events("warning") if e["code"] == "13313"]
    assert "soon" in warning["message"]


def test_a_barge_in_starts_listening_once():
    r = call(
        {"/menu": doc('<Gather numDigits="2" action="/r"><Say>Six</Say></Gather>'), "/r": BYE},
        [{"wait": 2}, {"press": "1"}, {"wait": 1}, {"press": "2"}],
        tts=FixedTTS({"Six": 6}),
    )
    assert [e["t"] for e in r.events("listening")] == [2.0]


def test_a_play_in_a_gather_that_is_not_audio_is_the_gathers_error():
    r = call(
        {
            "/menu": doc("<Gather><Play>x.txt</Play></Gather>"),
            "/x.txt": Reply("hi", content_type="text/plain"),
        }
    )
    assert "13325" in r.codes("error") and "13420" not in r.codes("error")


# ------------------------------------------------------------------------------ unlocked input mode
UNLOCKED = RuntimeSettings(lock_input_mode=False)


def test_unlocked_keys_that_run_out_of_time_are_the_result():
    r = call(
        {"/menu": doc('<Gather input="dtmf speech" timeout="2" action="/r"/>'), "/r": BYE},
        [{"press": "12"}],
        settings=UNLOCKED,
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["digits"]) == (pytest.approx(2.2), "timeout", "12")  # 2 s after "2"
    assert sent(only(r.app.to("/r")).form)["Digits"] == "12"


def test_unlocked_silence_waits_the_timeout_not_the_speech_timeout():
    r = call(
        {
            "/menu": doc(
                '<Gather input="dtmf speech" timeout="5" speechTimeout="1" actionOnEmptyResult="true" action="/r"/>'
            ),
            "/r": BYE,
        },
        settings=UNLOCKED,
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"]) == (5.0, "timeout")


def test_unlocked_a_transcript_without_a_start_of_speech_after_keys_leaves_the_keys_the_result():
    events = [(1.0, SpeechFinal("billing", 0.8))]
    r = call(
        {"/menu": doc('<Gather input="dtmf speech" timeout="3" action="/r"/>'), "/r": BYE},
        [{"press": "7"}],
        events=events,
        settings=UNLOCKED,
    )
    assert sent(only(r.app.to("/r")).form)["Digits"] == "7"


# ------------------------------------------------------------------------------ speech during a prompt
def test_speech_during_a_non_interruptible_prompt_ends_after_the_speech_timeout_once_it_is_over():
    """bargeIn="false": the caller spoke and stopped while the prompt played; the silence counts from the
    end of the prompt, and the no-input timeout (shorter here) does not apply to a caller who spoke."""
    events = [(1.0, SpeechStarted()), (2.0, SpeechFinal("sales", 0.8)), (2.0, SpeechEnded())]
    r = call(
        {
            "/menu": doc(
                '<Gather input="speech" bargeIn="false" timeout="1" speechTimeout="3" action="/s">'
                "<Say>Six</Say></Gather>"
            ),
            "/s": BYE,
        },
        events=events,
        tts=FixedTTS({"Six": 6}),
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["speech"]) == (9.0, "speech", "Sales.")


# ------------------------------------------------------------------------------ recognisers
def test_words_reported_without_a_start_of_speech_start_the_speech():
    """A recogniser that sends words before (or without) a start-of-speech event: the first words start the
    caller's speech, so maxSpeechTime counts from them."""
    events = [(1.0, SpeechPartial("opening")), (2.0, SpeechPartial("opening hours please"))]
    r = call(
        {"/menu": doc('<Gather input="speech" timeout="9" maxSpeechTime="3" action="/s"/>'), "/s": BYE},
        events=events,
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["speech"]) == (5.0, "maxSpeechTime", "Opening hours please.")


def test_an_interim_guess_the_recogniser_withdrew_is_not_the_result_at_max_speech_time():
    """The recogniser's final for the first words is empty (it understood nothing): the interim guess is
    dropped, so at maxSpeechTime there is nothing to send and the Gather falls through."""
    events = [
        (1.0, SpeechStarted()),
        (1.5, SpeechPartial("opening")),
        (2.0, SpeechFinal("", None)),
    ]
    r = call(
        {
            "/menu": doc('<Gather input="speech" timeout="9" maxSpeechTime="3" action="/s"/><Say>Next</Say>'),
            "/s": BYE,
        },
        events=events,
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["speech"]) == (5.0, "maxSpeechTime", "")
    assert r.app.to("/s") == [] and r.said() == ["Next"]


def test_an_empty_final_after_max_speech_time_leaves_the_interim_words_the_result():
    events = [(1.0, SpeechStarted()), (2.0, SpeechPartial("opening hours")), (4.4, SpeechFinal("", None))]
    r = call(
        {"/menu": doc('<Gather input="speech" timeout="9" maxSpeechTime="3" action="/s"/>'), "/s": BYE},
        events=events,
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["speech"]) == (4.4, "maxSpeechTime", "Opening hours.")
    assert sent(only(r.app.to("/s")).form)["FinishedOnKey"] == ""


def test_a_final_transcript_without_a_start_of_speech_starts_the_speech():
    """A recogniser that reports only the final words and the end of speech: the words start the caller's
    speech (the no-input timeout stops), and the silence after them ends the Gather."""
    events = [(1.0, SpeechFinal("sales", 0.8)), (1.0, SpeechEnded())]
    r = call(
        {"/menu": doc('<Gather input="speech" timeout="2" speechTimeout="3" action="/s"/>'), "/s": BYE},
        events=events,
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["speech"]) == (4.0, "speech", "Sales.")


def test_unlocked_speech_after_keys_during_a_non_interruptible_prompt_ends_after_its_silence():
    """Unlocked mode, bargeIn="false": the caller pressed a key, then spoke and stopped, while the prompt
    played. Once it is over the silence after the words runs out first, so the words are the result."""
    events = [(2.0, SpeechStarted()), (3.0, SpeechFinal("sales", 0.8)), (3.0, SpeechEnded())]
    r = call(
        {
            "/menu": doc(
                '<Gather input="dtmf speech" bargeIn="false" timeout="5" speechTimeout="2" action="/r">'
                "<Say>Six</Say></Gather>"
            ),
            "/r": BYE,
        },
        [{"wait": 1}, {"press": "4"}],
        events=events,
        tts=FixedTTS({"Six": 6}),
        settings=UNLOCKED,
    )
    end = r.events("gather_end")[0]
    assert (end["t"], end["reason"], end["speech"], end["digits"]) == (8.0, "speech", "Sales.", "")
