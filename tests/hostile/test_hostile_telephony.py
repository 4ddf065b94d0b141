"""Hostile input to conferences, queues and whispers: script steps for the people around the caller, Dial
nouns and ``<Enqueue>`` attributes out of range, and wait music or whisper documents that try to spin the call
in one instant. Each step problem is one short line naming the step; a bad document or value is a warning or
an error in the trace, and the call still ends."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ivr_studio.runtime.script import ScriptError, parse_script

HUGE = "x" * 100_000


def _app(routes: dict[str, str]) -> Callable:
    """A WSGI app answering each path with its TwiML (inside <Response>), 404 elsewhere."""

    def app(environ: dict, start_response: Callable) -> list[bytes]:
        body = routes.get(environ["PATH_INFO"])
        if body is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not here"]
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [f"<Response>{body}</Response>".encode()]

    return app


def _call(hostile, serve_wsgi, routes: dict[str, str], steps: list[dict], *extra: str):
    base = serve_wsgi(_app(routes))
    hostile.write("script.json", json.dumps({"steps": steps}))
    return hostile.run(
        "call",
        f"{base}/menu",
        "--script",
        "script.json",
        "--max-duration",
        "120",
        "--trace",
        "t.jsonl",
        *extra,
        seconds=60,
    )


def _trace(hostile) -> list[dict]:
    return [json.loads(line) for line in hostile.path("t.jsonl").read_text().splitlines()]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"callee": "1"}, "step 1 (callee): callee takes one of press, say, hangup"),
        ({"callee": {"press": "1", "say": "yes"}}, "step 1 (callee): callee takes one of"),
        ({"callee": {"press": HUGE}}, "step 1 (press):"),
        ({"callee": {"say_wav": "a.wav"}}, "step 1 (callee): callee takes one of"),
        ({"callee": {"press": "1", "may_be_ignored": True}}, "step 1 (callee): the callee can press"),
        ({"conference": HUGE}, "step 1 (conference): conference is one of join, leave, end, not 'xxx"),
        ({"conference": "join"}, "step 1 (conference): conference join needs the participant's label"),
        ({"conference": "join", "label": HUGE}, "step 1 (conference): label is a name of 1 to 128"),
        ({"conference": "join", "label": ["a"]}, "step 1 (conference): label is a name"),
        (
            {"conference": "join", "label": "caller"},
            "step 1 (conference): the label 'caller' is the caller's",
        ),
        ({"conference": "end", "label": "a"}, "step 1 (conference): conference end takes no label"),
        ({"conference": "leave", "label": "a", "muted": True}, "step 1 (conference): muted goes with"),
        ({"conference": "join", "label": "a", "muted": "yes"}, "step 1 (conference): muted is true or false"),
        ({"dequeue": "now"}, 'step 1 (dequeue): write {"dequeue": true}'),
        ({"dequeue": True, "duration": -1}, "step 1 (dequeue): duration"),
        ({"dequeue": True, "duration": HUGE}, "step 1 (dequeue): duration"),
        ({"dequeue": True, "method": "PUT"}, "step 1 (dequeue): method is GET or POST, not 'PUT'"),
        ({"dequeue": True, "url": ""}, "step 1 (dequeue): url is the <Queue url> document's URL"),
        ({"dequeue": True, "queue": HUGE}, "step 1 (dequeue): queue is a name of 1 to 128"),
        ({"queue_caller": ""}, "step 1 (queue_caller): queue_caller is a name"),
        ({"queue_caller": {"a": 1}}, "step 1 (queue_caller): queue_caller is a name"),
        ({"queue_caller": "q", "bogus": 1}, "step 1 (queue_caller): unknown option(s) bogus"),
    ],
)
def test_a_hostile_telephony_step_is_refused_in_one_short_line(step: dict, message: str):
    with pytest.raises(ScriptError) as caught:
        parse_script({"steps": [step]})
    text = str(caught.value)
    assert text.startswith(message), text
    assert len(text) < 300 and "\n" not in text


@pytest.mark.parametrize(
    ("routes", "steps"),
    [
        (  # conference wait music that only sends the caller back to itself
            {"/menu": '<Dial><Conference waitUrl="/wait">r</Conference></Dial>', "/wait": "<Redirect/>"},
            [{"wait": 30, "may_be_ignored": True}],
        ),
        (
            {
                "/menu": '<Dial><Conference waitUrl="/wait">r</Conference></Dial>',
                "/wait": "<Say></Say><Redirect/>",
            },
            [{"wait": 30, "may_be_ignored": True}],
        ),
        (  # queue wait music the same
            {"/menu": '<Enqueue waitUrl="/wait">q</Enqueue>', "/wait": "<Redirect>/wait</Redirect>"},
            [{"wait": 30, "may_be_ignored": True}],
        ),
        (  # a whisper that redirects to itself forever
            {"/menu": '<Dial><Number url="/w">+15550100</Number></Dial>', "/w": "<Redirect/>"},
            [{"dial_outcome": "answered", "duration": 5, "may_be_ignored": True}],
        ),
    ],
)
def test_documents_a_verb_runs_for_itself_that_spin_in_one_instant_stop_the_call(
    hostile, serve_wsgi, routes, steps
):
    run = _call(hostile, serve_wsgi, routes, steps)
    run.fails(1, "IVR902", changed=["script.json", "t.jsonl"])
    trace = _trace(hostile)
    assert len([e for e in trace if e["event"] == "request"]) <= 51  # max_instant_fetches, then stopped
    assert trace[-1]["event"] == "call_end" and trace[-1]["duration"] == 0.0


def test_queue_wait_music_that_runs_out_at_once_is_not_asked_for_again_and_again(hostile, serve_wsgi):
    run = _call(
        hostile,
        serve_wsgi,
        {"/menu": '<Enqueue waitUrl="/wait">q</Enqueue>', "/wait": ""},
        [{"wait": 30}, {"dequeue": True, "duration": 1}],
    )
    run.succeeds(changed=["script.json", "t.jsonl"])
    trace = _trace(hostile)
    assert len([e for e in trace if e["event"] == "request" and e.get("document") == "waitUrl"]) == 1
    assert "IVR922" in {e.get("code") for e in trace}


@pytest.mark.parametrize(
    ("twiml", "code"),
    [
        ('<Dial><Conference maxParticipants="9999">r</Conference></Dial>', "12200"),
        ('<Dial><Conference beep="loud">r</Conference></Dial>', "12200"),
        (
            '<Dial><Conference statusCallback="/s" statusCallbackEvent="explode">r</Conference></Dial>',
            "12200",
        ),
        (f"<Enqueue>{'q' * 65}</Enqueue>", "14204"),
        ("<Enqueue>   </Enqueue>", "14204"),
        ('<Enqueue waitUrlMethod="DELETE" waitUrl="">q</Enqueue>', "14205"),
        ('<Enqueue maxQueueSize="99999" waitUrl="">q</Enqueue>', "12200"),
        ('<Dial><Queue url="/u" method="PUT">q</Queue></Dial>', "12200"),
    ],
)
def test_out_of_range_noun_and_enqueue_attributes_are_warned_about(
    hostile, serve_wsgi, twiml: str, code: str
):
    run = _call(hostile, serve_wsgi, {"/menu": twiml + "<Say>after</Say>"}, [{"hangup": True}])
    run.succeeds(changed=["script.json", "t.jsonl"])
    trace = _trace(hostile)
    assert code in {e.get("code") for e in trace if e["event"] == "warning"}, [
        e for e in trace if e["event"] == "warning"
    ]
    assert len(max((e.get("message", "") for e in trace), key=len)) < 400  # long values are cut
