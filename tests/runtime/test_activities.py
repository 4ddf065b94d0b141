"""Verbs run against a fake call context: no engine, no webhook, just the verb, a virtual clock and events."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_context import FakeContext, element

from ivr_studio.runtime.events import DialOutcome, Dtmf, SpeechEnded, SpeechStarted
from ivr_studio.runtime.player import PromptsActivity
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.verbs.control import HangupActivity, RedirectActivity, RejectActivity
from ivr_studio.runtime.verbs.dial import DialActivity
from ivr_studio.runtime.verbs.gather import GatherActivity
from ivr_studio.runtime.verbs.record import RecordActivity
from ivr_studio.runtime.verbs.registry import ACTIVITIES
from ivr_studio.twiml.verbs import KNOWN_VERBS


def test_a_gather_posts_the_digit_that_completes_num_digits_to_its_resolved_action():
    ctx = FakeContext(doc_url="https://app.example/a/menu")
    gather = GatherActivity(ctx, element('<Gather numDigits="2" action="next"/>'))
    ctx.run(gather, [(1.0, Dtmf("4")), (2.5, Dtmf("2"))])
    [(t, outcome)] = ctx.ends
    assert t == 2.5 and outcome is not None
    assert (outcome.kind, outcome.url, outcome.method) == ("transfer", "https://app.example/a/next", "POST")
    assert outcome.params == {"msg": "Gather End", "FinishedOnKey": "", "Digits": "42"}


def test_a_silent_gather_falls_through_after_its_timeout():
    ctx = FakeContext()
    ctx.run(GatherActivity(ctx, element('<Gather timeout="3"/>')))
    assert ctx.ends == [(3.0, None)]
    assert [e["event"] for e in ctx.trace.events] == ["gather_start", "listening", "gather_end"]


def test_a_gather_with_a_partial_result_callback_sends_interim_text_through_the_context():
    ctx = FakeContext()
    from ivr_studio.runtime.events import SpeechFinal, SpeechPartial

    gather = GatherActivity(
        ctx, element('<Gather input="speech" partialResultCallback="/p" speechTimeout="1"/>')
    )
    ctx.run(
        gather,
        [
            (0.0, SpeechStarted()),
            (0.4, SpeechPartial("opening")),
            (0.9, SpeechPartial("opening hours")),
            (1.2, SpeechFinal("opening hours", 0.8)),
            (1.2, SpeechEnded()),
        ],
    )
    assert [c.params["UnstableSpeechResult"] for c in ctx.callbacks] == ["opening", "opening hours"]
    assert [c.url for c in ctx.callbacks] == ["https://app.example/p"] * 2
    [(t, outcome)] = ctx.ends
    assert t == pytest.approx(2.2) and outcome is not None
    assert outcome.params["SpeechResult"] == "Opening hours." and outcome.params["Confidence"] == "0.8"


def test_a_caller_hanging_up_mid_gather_sends_nothing_unless_the_setting_says_so():
    quiet = FakeContext()
    gather = GatherActivity(quiet, element('<Gather action="/r"/>'))
    gather.start()
    gather.on_event(Dtmf("7"))
    gather.on_caller_hangup()
    assert quiet.ignored == []

    ctx = FakeContext(settings=RuntimeSettings(gather_action_on_hangup=True))
    gather = GatherActivity(ctx, element('<Gather action="/r"/>'))
    gather.start()
    gather.on_event(Dtmf("7"))
    gather.on_caller_hangup()
    [sent] = ctx.ignored
    assert sent.url == "https://app.example/r" and sent.params["Digits"] == "7"
    assert sent.params["CallStatus"] == "completed"


def test_a_dial_takes_the_callee_behaviour_posted_before_it_started():
    ctx = FakeContext(pending_dial=DialOutcome("answered", duration=12, ring=2))
    ctx.run(DialActivity(ctx, element('<Dial action="/d">+15551230000</Dial>')))
    [(t, outcome)] = ctx.ends
    assert t == 14 and outcome is not None
    assert outcome.params["DialCallStatus"] == "completed" and outcome.params["DialCallDuration"] == "12"
    assert ctx.pending_dial is None
    assert [e["status"] for e in ctx.events("dial")] == ["ringing", "answered", "completed"]


def test_a_dial_nobody_answers_ends_no_answer_at_its_timeout():
    ctx = FakeContext()
    ctx.run(DialActivity(ctx, element('<Dial timeout="7">+15551230000</Dial>')))
    assert ctx.ends == [(7.0, None)]  # no action: the next verb


def test_a_record_posts_its_duration_and_a_recording_file(tmp_path: Path):
    ctx = FakeContext(settings=RuntimeSettings(recordings_dir=str(tmp_path)))
    record = RecordActivity(ctx, element('<Record action="/rec" timeout="2" playBeep="false"/>'))
    ctx.run(record, [(1.0, SpeechStarted()), (4.0, SpeechEnded())])
    [(t, outcome)] = ctx.ends
    assert t == 6.0 and outcome is not None and outcome.url == "https://app.example/rec"
    assert outcome.params["RecordingDuration"] == "4"
    assert (tmp_path / f"{outcome.params['RecordingSid']}.wav").is_file()


def test_a_recording_cut_by_a_hang_up_goes_to_the_action_as_a_callback(tmp_path: Path):
    ctx = FakeContext(settings=RuntimeSettings(recordings_dir=str(tmp_path)))
    record = RecordActivity(ctx, element('<Record action="/rec" playBeep="false"/>'))
    record.start()
    ctx.clock.advance(1)
    record.on_event(SpeechStarted())
    ctx.clock.advance(2)
    record.on_caller_hangup()
    [sent] = ctx.callbacks
    assert sent.url == "https://app.example/rec" and sent.params["Digits"] == "hangup"
    assert ctx.ends == []


def test_redirect_hangup_and_reject_end_at_once():
    ctx = FakeContext()
    ctx.run(RedirectActivity(ctx, element("<Redirect/>")))
    assert ctx.ends[0][1] is not None and ctx.ends[0][1].url == "https://app.example/doc"

    ctx = FakeContext()
    ctx.run(HangupActivity(ctx, element("<Hangup/>")))
    assert ctx.ends[0][1] is not None and ctx.ends[0][1].kind == "hangup"

    ctx = FakeContext(answered=False)
    ctx.run(RejectActivity(ctx, element('<Reject reason="busy"/>')))
    outcome = ctx.ends[0][1]
    assert outcome is not None and (outcome.kind, outcome.status) == ("hangup", "busy")

    ctx = FakeContext(answered=True, settings=RuntimeSettings(reject_after_answer="ignore"))
    ctx.run(RejectActivity(ctx, element("<Reject/>")))
    assert ctx.ends == [(0.0, None)] and ctx.warnings[0][0] == "IVR907"


def test_a_top_level_say_ignores_keys_and_ends_after_its_estimated_length():
    ctx = FakeContext()
    say = PromptsActivity(ctx, element("<Say>one two three four five</Say>"))
    assert not say.wants(Dtmf("1"))
    ctx.run(say)
    assert ctx.ends == [(pytest.approx(2.3), None)]  # 5 words / 2.5 per second + 0.3


def test_every_executed_verb_is_a_known_twilio_verb():
    assert set(ACTIVITIES) <= KNOWN_VERBS


def test_an_enqueued_caller_plays_the_wait_documents_with_the_queue_parameters_until_dequeued():
    from ivr_studio.runtime.events import Dequeue
    from ivr_studio.runtime.verbs.queue import EnqueueActivity

    ctx = FakeContext()
    ctx.documents["https://app.example/wait"] = '<Response><Pause length="4"/></Response>'
    enqueue = EnqueueActivity(ctx, element('<Enqueue action="/done" waitUrl="/wait">sales</Enqueue>'))
    ctx.run(enqueue, [(10.0, Dequeue(duration=5))])
    assert [f.params["QueueTime"] for f in ctx.fetched] == ["0", "4", "8"]
    assert {f.params["QueuePosition"] for f in ctx.fetched} == {"1"}
    [(t, outcome)] = ctx.ends
    assert t == 15.0 and outcome is not None and outcome.url == "https://app.example/done"
    assert outcome.params["QueueResult"] == "bridged" and outcome.params["QueueTime"] == "10"
    assert ctx.world.queue("sales").members == []


def test_a_caller_alone_in_a_conference_waits_until_a_second_participant_starts_it():
    from ivr_studio.runtime.events import ConferenceEnds, ParticipantJoins
    from ivr_studio.runtime.verbs.conference import ConferenceActivity

    ctx = FakeContext()
    conference = ConferenceActivity(
        ctx, element('<Dial action="/d"><Conference waitUrl="">team</Conference></Dial>')
    )
    ctx.run(conference, [(3.0, ParticipantJoins("agent")), (9.0, ConferenceEnds())])
    assert [(e["t"], e["status"]) for e in ctx.events("conference")] == [
        (0.0, "joined"),
        (3.0, "participant_join"),
        (3.0, "started"),
        (9.0, "ended"),
    ]
    [(t, outcome)] = ctx.ends
    assert (
        t == 9.0
        and outcome is not None
        and outcome.params == {"DialCallStatus": "answered", "DialBridged": "true"}
    )
