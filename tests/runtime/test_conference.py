"""``<Dial><Conference>`` as Twilio runs it (spec §4.7; Twilio's Conference noun): the caller joins and
stays, hears wait music while the conference has not started, and leaves when it ends."""

from __future__ import annotations

import pytest
from runtime_support import Received, call, doc

from ivr_studio.runtime.script import parse_script, run_virtual
from ivr_studio.runtime.settings import RuntimeSettings
from ivr_studio.runtime.verbs.inner import DEFAULT_HOLD_MUSIC

BYE = doc("<Hangup/>")


def room(attrs: str = "", dial: str = 'action="/after"', name: str = "Room 1234", before: str = "") -> str:
    return doc(f"{before}<Dial {dial}><Conference {attrs}>{name}</Conference></Dial><Say>Not reached</Say>")


def statuses(r) -> list[tuple[str, str | None]]:
    return [(e["status"], e.get("label")) for e in r.events("conference")]


def test_a_lone_caller_hears_hold_music_until_the_conference_starts_and_stays_until_it_ends():
    r = call(
        {"/menu": room(), "/after": BYE},
        [
            {"wait_for": "conference"},
            {"wait": 65},
            {"conference": "join", "label": "agent"},
            {"wait": 40},
            {"conference": "leave", "label": "agent"},
            {"wait": 5},
            {"conference": "end"},
        ],
    )
    music = [e for e in r.events("play") if e["url"] == DEFAULT_HOLD_MUSIC]
    assert [e["t"] for e in music] == [0.0, 30.0, 60.0]  # 30 s at a time (hold_music_seconds), until 65 s
    assert statuses(r) == [
        ("joined", "caller"),
        ("participant_join", "agent"),
        ("started", None),
        ("participant_leave", "agent"),
        ("ended", None),
    ]
    assert r.time_of("conference", status="started") == 65.0
    [after] = r.app.to("/after")
    # a conference's Dial reports "answered", without DialCallSid or DialCallDuration (Dial docs)
    assert after.form["DialCallStatus"] == "answered" and after.form["DialBridged"] == "true"
    assert "DialCallSid" not in after.form and "DialCallDuration" not in after.form
    assert r.time_of("request", url="https://a/after") == 110.0
    assert "Not reached" not in r.said()


def test_wait_url_documents_play_while_waiting_and_fall_silent_when_they_run_out():
    waits: list[Received] = []

    def wait(req: Received) -> str:
        waits.append(req)
        return doc('<Say>Please wait for the host</Say><Pause length="2"/>')

    r = call(
        {"/menu": room('waitUrl="/wait"'), "/wait": wait, "/after": BYE},
        [{"wait": 20}, {"conference": "join", "label": "host"}, {"conference": "end"}],
    )
    assert len(waits) == 1 and waits[0].method == "POST"  # run once: a conference's wait music does not loop
    assert r.said().count("Please wait for the host") == 1
    assert r.events("request")[1].get("document") == "waitUrl"


def test_a_wait_url_that_redirects_to_itself_loops_until_the_conference_starts():
    r = call(
        {
            "/menu": room('waitUrl="/wait" waitMethod="GET"'),
            "/wait": doc('<Play>/music.wav</Play><Redirect method="GET"/>'),
            "/music.wav": _wav(10),
            "/after": BYE,
        },
        [{"wait": 35}, {"conference": "join", "label": "host"}, {"conference": "end"}],
    )
    waits = r.app.to("/wait")
    assert [w.method for w in waits] == ["GET"] * 4  # at 0, 10, 20 and 30 s; the host came at 35 s
    assert not [e for e in r.events("request") if "/wait" in e["url"] and e["t"] > 35]


def test_an_empty_wait_url_is_silence():
    r = call({"/menu": room('waitUrl=""'), "/after": BYE}, [{"wait": 50}, {"conference": "end"}])
    assert r.events("play") == [] and [req.path for req in r.app.requests] == ["/menu", "/after"]


def test_a_moderated_conference_starts_only_when_the_moderator_comes():
    r = call(
        {"/menu": room('startConferenceOnEnter="false" waitUrl=""'), "/after": BYE},
        [
            {"conference": "join", "label": "listener", "start_conference_on_enter": False},
            {"wait": 10},
            {"conference": "join", "label": "moderator", "end_conference_on_exit": True},
            {"wait": 30},
            {"conference": "leave", "label": "moderator"},
        ],
    )
    assert [s for s, _ in statuses(r)] == [
        "joined",
        "participant_join",
        "participant_join",
        "started",
        "participant_leave",
        "ended",
    ]
    assert r.time_of("conference", status="started") == 10.0
    assert r.time_of("conference", status="ended") == 40.0


def test_hangup_on_star_leaves_the_conference_and_a_caller_who_ends_it_on_exit_ends_it():
    r = call(
        {
            "/menu": room(
                'endConferenceOnExit="true" statusCallback="/conf" statusCallbackEvent="start end join leave"',
                dial='action="/after" hangupOnStar="true"',
            ),
            "/after": BYE,
            "/conf": "ok",
        },
        [{"conference": "join", "label": "agent"}, {"wait": 12}, {"press": "*"}],
    )
    assert r.app.to("/after")[0].form["DialCallStatus"] == "answered"
    events = [
        (s.form["StatusCallbackEvent"], s.form.get("CallSid"), s.form["SequenceNumber"])
        for s in r.app.to("/conf")
    ]
    caller = r.engine.identity.call_sid
    assert [e[0] for e in events] == [
        "participant-join",  # the caller
        "participant-join",  # the agent
        "conference-start",
        "participant-leave",  # the caller pressed *
        "conference-end",
    ]
    assert events[0][1] == caller and events[3][1] == caller and events[1][1] != caller
    assert [e[2] for e in events] == ["1", "2", "3", "4", "5"]
    end = r.app.to("/conf")[-1].form
    assert end["ReasonConferenceEnded"] == "participant-with-end-conference-on-exit-left"
    assert end["CallSidEndingConference"] == caller and end["FriendlyName"] == "Room 1234"
    assert end["ConferenceSid"].startswith("CF") and len(end["ConferenceSid"]) == 34
    join = r.app.to("/conf")[0].form
    assert (join["EndConferenceOnExit"], join["StartConferenceOnEnter"], join["Muted"]) == (
        "true",
        "true",
        "false",
    )


def test_a_full_conference_refuses_the_caller():
    r = call(
        {"/menu": room('maxParticipants="2"', before='<Pause length="1"/>'), "/after": BYE},
        [
            {"conference": "join", "label": "a", "name": "Room 1234"},
            {"conference": "join", "label": "b", "name": "Room 1234"},
        ],
    )
    assert ("full", "caller") in statuses(r)
    assert r.app.to("/after")[0].form["DialCallStatus"] == "failed"


def test_without_action_the_next_verb_runs_when_the_conference_ends():
    r = call(
        {"/menu": doc("<Dial><Conference>standup</Conference></Dial><Say>The meeting is over</Say>")},
        [
            {"wait_for": "conference"},
            {"conference": "join", "label": "boss"},
            {"wait": 3},
            {"conference": "end"},
        ],
    )
    assert r.said() == ["The meeting is over"] and r.time_of("say", text="The meeting is over") == 3.0


def test_the_caller_hanging_up_leaves_the_conference():
    r = call(
        {
            "/menu": room('statusCallback="/conf" statusCallbackEvent="leave end"'),
            "/after": BYE,
            "/conf": "ok",
        },
        [{"conference": "join", "label": "agent"}, {"wait": 8}, {"hangup": True}],
    )
    assert r.status == "completed" and r.app.to("/after") == []
    assert [s.form["StatusCallbackEvent"] for s in r.app.to("/conf")] == [
        "participant-leave"
    ]  # agent stays on


def test_time_limit_takes_the_caller_out():
    r = call(
        {"/menu": room('waitUrl=""', dial='action="/after" timeLimit="25"'), "/after": BYE},
        [{"conference": "join", "label": "agent"}],
    )
    assert r.time_of("request", url="https://a/after") == 25.0
    assert ("left", "caller") in statuses(r)


def test_beeps_follow_the_beep_attribute():
    steps = [
        {"conference": "join", "label": "a"},
        {"conference": "leave", "label": "a"},
        {"conference": "end", "may_be_ignored": True},
    ]
    beeps = {}
    for beep in ("true", "false", "onEnter", "onExit"):
        r = call({"/menu": room(f'beep="{beep}" waitUrl=""'), "/after": BYE}, steps)
        beeps[beep] = [e["status"] for e in r.events("conference") if e.get("beep")]
    assert beeps == {
        "true": ["participant_join", "participant_leave"],
        "false": [],
        "onEnter": ["participant_join"],
        "onExit": ["participant_leave"],
    }


def test_a_conference_recorded_from_its_start(tmp_path):
    r = call(
        {
            "/menu": room('record="record-from-start" recordingStatusCallback="/rs" waitUrl=""'),
            "/after": BYE,
            "/rs": "ok",
        },
        [{"wait": 5}, {"conference": "join", "label": "agent"}, {"wait": 42}, {"conference": "end"}],
        settings=RuntimeSettings(recordings_dir=str(tmp_path)),
    )
    [done] = [s.form for s in r.app.to("/rs")]
    assert done["RecordingStatus"] == "completed" and done["RecordingDuration"] == "42"
    assert done["RecordingSource"] == "Conference" and done["ConferenceSid"].startswith("CF")
    assert "CallSid" not in done


def test_joining_with_no_conference_is_a_step_that_did_not_go_as_written():
    from runtime_support import FakeApp

    from ivr_studio.runtime import CallEngine, WsgiTransport

    app = FakeApp({"/menu": doc('<Say>Hello</Say><Pause length="5"/>')})
    engine = CallEngine("https://a/menu", WsgiTransport(app))
    runner = run_virtual(engine, parse_script({"steps": [{"conference": "join", "label": "agent"}]}))
    assert runner.failures == [
        "step 1 (conference) had no effect: the caller is in no conference, and the step names none"
    ]


@pytest.mark.parametrize("name", ["Room 1234", "another"])
def test_a_named_conference_fills_before_the_caller_comes(name: str):
    r = call(
        {"/menu": room('waitUrl=""', before='<Pause length="1"/>'), "/after": BYE},
        [
            {"conference": "join", "label": "early", "name": name},
            {"wait_for": "conference"},
            {"conference": "end"},
        ],
    )
    started = [e for e in r.events("conference") if e["status"] == "started"]
    assert bool(started) == (name == "Room 1234")  # two in the caller's room; alone in another


def _wav(seconds: float):
    import io
    import wave

    from runtime_support import Reply

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(8000)
        w.writeframes(b"\x00\x00" * int(8000 * seconds))
    return Reply(out.getvalue(), content_type="audio/wav")


def test_a_caller_who_coaches_is_reported_coaching_the_call_they_coach():
    coached = "CA" + "c" * 32
    r = call(
        {
            "/menu": room(f'coach="{coached}" statusCallback="/conf" statusCallbackEvent="join leave"'),
            "/after": BYE,
            "/conf": "ok",
        },
        [{"conference": "join", "label": "agent"}, {"wait": 5}, {"conference": "end"}],
    )
    caller = r.engine.identity.call_sid
    joins = [s.form for s in r.app.to("/conf") if s.form["StatusCallbackEvent"] == "participant-join"]
    assert [(j["CallSid"] == caller, j["Coaching"], j.get("CallSidToCoach")) for j in joins] == [
        (True, "true", coached),
        (False, "false", None),  # the agent coaches no one
    ]


def test_a_caller_without_coach_is_not_coaching():
    r = call(
        {"/menu": room('statusCallback="/conf" statusCallbackEvent="join"'), "/after": BYE, "/conf": "ok"},
        [{"conference": "join", "label": "agent"}, {"conference": "end"}],
    )
    first = r.app.to("/conf")[0].form
    assert (first["Coaching"], "CallSidToCoach" in first) == ("false", False)
