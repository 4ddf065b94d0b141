"""Call queues as Twilio runs them (spec §1.5, §4.9): ``<Enqueue>`` with its wait music, ``<Leave>``,
the agent's ``<Dial><Queue>``, and the action request with ``QueueResult``."""

from __future__ import annotations

from runtime_support import FakeApp, Received, Reply, call, doc

from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.verbs.inner import DEFAULT_HOLD_MUSIC

BYE = doc("<Hangup/>")
QUEUED = doc('<Enqueue action="/queued" waitUrl="/wait">support</Enqueue><Say>Not reached</Say>')


def positions(req: Received) -> str:
    return doc(f'<Say>You are caller {req.form["QueuePosition"]}</Say><Pause length="10"/>')


def test_a_queued_caller_hears_the_wait_music_again_and_again_until_an_agent_takes_the_call():
    r = call(
        {"/menu": QUEUED, "/wait": positions, "/queued": doc("<Say>Thanks for calling</Say>")},
        [{"wait_for": "queue"}, {"wait": 25}, {"dequeue": True, "duration": 60}, {"wait_for": "hangup"}],
    )
    waits = r.app.to("/wait")
    assert [w.form["QueueTime"] for w in waits] == ["0", "12", "24"]  # the document lasts 11.9 s, then again
    first = waits[0].form
    assert (first["QueuePosition"], first["CurrentQueueSize"], first["MaxQueueSize"]) == ("1", "1", "1000")
    assert first["QueueSid"].startswith("QU") and first["AvgQueueTime"] == "0"
    assert waits[2].form["AvgQueueTime"] == "24"
    assert r.said()[:3] == ["You are caller 1"] * 3
    [queued] = r.app.to("/queued")
    assert queued.form["QueueResult"] == "bridged" and queued.form["QueueTime"] == "25"
    assert queued.form["QueueSid"] == first["QueueSid"]
    assert r.time_of("request", url="https://a/queued") == 85.0  # after the 60 s with the agent
    assert [e["status"] for e in r.events("queue")] == ["enqueued", "dequeued", "bridged", "bridged"]
    assert "Not reached" not in r.said()


def test_a_caller_who_presses_1_in_the_wait_music_leaves_the_queue_for_voicemail():
    wait = doc('<Gather numDigits="1" action="/choice"><Say>Press 1 to leave a message</Say></Gather>')
    r = call(
        {
            "/menu": QUEUED,
            "/wait": wait,
            "/choice": lambda req: doc("<Leave/>") if req.form.get("Digits") == "1" else wait,
            "/queued": doc('<Record action="/vm"/>'),
        },
        [{"wait_for": "listening"}, {"press": "1"}],
    )
    [choice] = r.app.to("/choice")
    assert choice.form["Digits"] == "1" and choice.form["QueuePosition"] == "1"  # the wait params ride along
    [queued] = r.app.to("/queued")
    assert queued.form["QueueResult"] == "leave"
    assert [e["status"] for e in r.events("queue")][-1] == "leave"


def test_a_caller_who_hangs_up_in_the_queue_is_reported_without_waiting_for_an_answer():
    r = call({"/menu": QUEUED, "/wait": positions, "/queued": BYE}, [{"wait": 7}, {"hangup": True}])
    [queued] = r.app.to("/queued")
    assert queued.form["QueueResult"] == "hangup" and queued.form["QueueTime"] == "7"
    assert queued.form["CallStatus"] in ("in-progress", "completed")
    record = [e for e in r.events("request") if e["url"] == "https://a/queued"][0]
    assert record["callback"] == "action"  # sent like a callback: the call is over
    assert r.status == "completed"


def test_callers_ahead_move_the_caller_up():
    r = call(
        {"/menu": doc('<Pause length="1"/>' + QUEUED[10:-11]), "/wait": positions, "/queued": BYE},
        [
            {"queue_caller": "support", "label": "early bird"},
            {"wait_for": "queue"},
            {"wait": 5},
            {"dequeue": True},  # the agent takes the early bird
            {"wait": 20},
            {"dequeue": True, "duration": 3},  # ... and then our caller
        ],
    )
    waits = [w.form["QueuePosition"] for w in r.app.to("/wait")]
    assert waits[0] == "2" and waits[-1] == "1"
    assert [e["status"] for e in r.events("queue")][:3] == ["caller_joined", "enqueued", "moved"]
    assert r.app.to("/queued")[0].form["QueueResult"] == "bridged"


def test_a_full_queue_refuses_the_caller():
    r = call(
        {"/menu": doc('<Pause length="1"/><Enqueue action="/queued">support</Enqueue>'), "/queued": BYE},
        [{"queue_caller": "support"}],
        settings=RuntimeSettings(max_queue_size=1),
    )
    [queued] = r.app.to("/queued")
    assert queued.form["QueueResult"] == "queue-full" and "QueueSid" not in queued.form


def test_without_action_the_next_verb_runs_after_the_queue():
    r = call(
        {"/menu": doc('<Enqueue waitUrl="">support</Enqueue><Say>Back from the queue</Say>')},
        [{"wait": 3}, {"dequeue": True, "duration": 2}],
    )
    assert r.said() == ["Back from the queue"] and r.time_of("say", text="Back from the queue") == 5.0


def test_the_agents_queue_url_plays_to_the_caller_before_they_are_connected():
    r = call(
        {
            "/menu": doc('<Enqueue action="/queued" waitUrl="">support</Enqueue>'),
            "/connect": doc("<Say>You are being connected to an agent</Say>"),
            "/queued": BYE,
        },
        [{"wait": 9}, {"dequeue": True, "url": "/connect", "duration": 30}],
    )
    [connect] = r.app.to("/connect")
    assert connect.form["QueueTime"] == "9" and connect.form["DequeingCallSid"].startswith("CA")
    assert connect.form["CallSid"] == r.engine.identity.call_sid  # the dequeued call: ours
    assert r.said() == ["You are being connected to an agent"]
    assert r.app.to("/queued")[0].form["QueueResult"] == "bridged"


def test_default_hold_music_and_silence():
    r = call(
        {"/menu": doc('<Enqueue action="/q">support</Enqueue>'), "/q": BYE}, [{"wait": 70}, {"dequeue": True}]
    )
    assert [e["t"] for e in r.events("play") if e["url"] == DEFAULT_HOLD_MUSIC] == [0.0, 30.0, 60.0]
    r = call(
        {"/menu": doc('<Enqueue action="/q" waitUrl="">support</Enqueue>'), "/q": BYE},
        [{"wait": 70}, {"dequeue": True}],
    )
    assert r.events("play") == []


def test_leave_outside_a_queue_and_verbs_wait_music_may_not_use_are_warned_about():
    r = call({"/menu": doc("<Leave/><Say>Hello</Say>")})
    assert "IVR923" in r.codes() and r.said() == ["Hello"]
    r = call(
        {
            "/menu": QUEUED,
            "/wait": doc('<Dial>+15551234</Dial><Say>Hold on</Say><Pause length="5"/>'),
            "/queued": BYE,
        },
        [{"wait": 3}, {"dequeue": True}],
    )
    assert any(
        e["code"] == "12200" and "<Dial> is not allowed in a waitUrl document" in e["message"]
        for e in r.events("warning")
    )
    assert r.said()[0] == "Hold on"


def test_a_wait_document_that_takes_no_time_is_not_asked_for_again_and_again():
    r = call({"/menu": QUEUED, "/wait": doc(""), "/queued": BYE}, [{"wait": 30}, {"dequeue": True}])
    assert len(r.app.to("/wait")) == 1 and "IVR922" in r.codes()
    assert r.app.to("/queued")[0].form["QueueResult"] == "bridged"


def test_a_failing_wait_url_ends_the_queue_with_error():
    r = call({"/menu": QUEUED, "/wait": Reply("boom", 500, "text/plain"), "/queued": BYE})
    assert r.app.to("/queued")[0].form["QueueResult"] == "error"


def test_a_queue_name_longer_than_64_characters_is_an_error():
    r = call({"/menu": doc(f'<Enqueue action="/queued">{"q" * 65}</Enqueue>'), "/queued": BYE})
    assert r.app.to("/queued")[0].form["QueueResult"] == "error" and "14204" in r.codes()


def test_the_agent_takes_the_first_caller_of_a_queue_with_dial_queue():
    app = FakeApp(
        {
            "/menu": doc(
                '<Pause length="2"/><Dial action="/done"><Queue url="/about">support</Queue></Dial>'
            ),
            "/about": doc("<Say>An agent will speak with you now</Say>"),
            "/done": BYE,
        }
    )
    r = call(app, [{"queue_caller": "support", "label": "customer", "duration": 45}])
    [about] = app.to("/about")
    [done] = app.to("/done")
    assert about.form["CallSid"] == done.form["DialCallSid"] != r.engine.identity.call_sid
    assert about.form["DequeingCallSid"] == r.engine.identity.call_sid == done.form["DequeingCallSid"]
    assert about.form["QueueTime"] == "2" and about.form["QueueSid"] == done.form["QueueSid"]
    assert done.form["DialCallStatus"] == "completed" and done.form["DialCallDuration"] == "45"
    said = [e for e in r.events("say") if e["text"].startswith("An agent")]
    assert said and said[0]["leg"] == "queue caller"  # heard by the dequeued caller, not ours


def test_an_agent_dialling_an_empty_queue_waits_for_a_caller_until_the_timeout():
    r = call(
        {"/menu": doc('<Dial action="/done" timeout="20"><Queue>support</Queue></Dial>'), "/done": BYE},
        [{"wait": 8}, {"queue_caller": "support", "duration": 10}],
    )
    assert r.app.to("/done")[0].form["DialCallStatus"] == "completed"
    assert r.time_of("request", url="https://a/done") == 18.0
    r = call({"/menu": doc('<Dial action="/done" timeout="20"><Queue>support</Queue></Dial>'), "/done": BYE})
    assert r.app.to("/done")[0].form["DialCallStatus"] == "no-answer"



def test_max_queue_size_bounds_the_queue_the_enqueue_creates():
    """§4.9 ``maxQueueSize``: the queue this Enqueue creates holds two callers; a third is refused."""
    r = call(
        {
            "/menu": doc('<Enqueue action="/queued" waitUrl="/wait" maxQueueSize="2">support</Enqueue>'),
            "/wait": positions,
            "/queued": BYE,
        },
        [
            {"wait_for": "queue"},
            {"queue_caller": "support", "label": "second"},
            {"queue_caller": "support", "label": "third", "may_be_ignored": True},
            {"wait": 10},
            {"dequeue": True},
        ],
    )
    assert {w.form["MaxQueueSize"] for w in r.app.to("/wait")} == {"2"}
    [refused] = r.events("step_ignored")
    assert refused["step"] == 3 and "queue 'support' is full" in refused["why"]
    assert r.app.to("/queued")[0].form["QueueResult"] == "bridged"


def test_a_caller_who_finds_the_queue_full_is_warned_about_with_14207():
    r = call(
        {"/menu": doc('<Pause length="1"/><Enqueue action="/queued">support</Enqueue>'), "/queued": BYE},
        [{"queue_caller": "support"}],
        settings=RuntimeSettings(max_queue_size=1),
    )
    assert "14207" in r.codes()
    assert r.app.to("/queued")[0].form["QueueResult"] == "queue-full"
