"""What a handler serving a local test call reports beside its TwiML, for the trace and the test-call panel:
each logic step with what decided it (``X-IVR-Steps``) and the call's variables afterwards (``X-IVR-Vars``);
a deployed handler reports neither unless asked. The runtime reads them into the request's trace event."""

from __future__ import annotations

import json

from handler_helpers import app_for, post
from test_handler_dynamic import BERLIN_MONDAY_10, STUBS, at, enter, example

from ivr_studio.bundle.handler.backend import StubBackend, parse_stubs
from ivr_studio.flow import load_flow
from ivr_studio.runtime.http_client import _steps, _values


def test_each_logic_step_says_what_decided_it(examples_dir):
    client = example(examples_dir).test_client()
    response = post(client, "/node/hours", From="+4930111111")
    steps = json.loads(response.headers["X-IVR-Steps"])
    assert [(s["node"], s["kind"], s["exit"]) for s in steps] == [
        ("hours", "hours", "open"),
        ("vip_check", "decide", "case:vip"),
        ("mark_vip", "set", "next"),
    ]
    assert steps[0]["detail"] == "Mon 2026-12-21 10:00 CET: open (08:00–18:00)"  # the interval that applied
    assert steps[1]["detail"].startswith("'+4930111111' one_of")  # the condition that matched
    assert steps[2]["detail"] == "set tier"


def test_the_calls_variables_and_kept_results_follow_each_answer(examples_dir):
    client = example(examples_dir, stubs=STUBS).test_client()
    first = json.loads(post(client, "/node/hours", From="+4930111111").headers["X-IVR-Vars"])
    assert first == {"vars": {"tier": "vip"}, "steps": {"hours": {"state": "open"}}}
    after = json.loads(enter(client, "123456", From="+4930111111").headers["X-IVR-Vars"])
    assert after["vars"] == {"tier": "vip", "account": "123456"}  # the menu's capture, then the Look up
    assert after["steps"]["balance"] == {"status": 200, "body": {"amount": "42.50", "currency": "EUR"}}


def test_a_deployed_handler_reports_neither(examples_dir):
    flow = load_flow(examples_dir / "account-line.ivrflow")
    quiet = app_for(flow, clock=at(BERLIN_MONDAY_10), backend=StubBackend(parse_stubs(STUBS))).test_client()
    response = enter(quiet, "123456")
    assert response.headers["X-IVR-Path"] == "balance ok"
    assert "X-IVR-Steps" not in response.headers and "X-IVR-Vars" not in response.headers


def test_the_runtime_reads_the_reports_and_refuses_what_it_cannot_use():
    assert _steps('[{"node": "h", "kind": "hours", "exit": "open", "detail": "x", "extra": [1]}]') == [
        {"node": "h", "kind": "hours", "exit": "open", "detail": "x"}
    ]
    assert _values('{"vars": {"a": "1"}, "steps": {"n": {"status": 200}}}') == ({"a": "1"}, {"n": {"status": 200}})
    for bad in ("", "not json", "[" * 5000, '{"vars": [1]}', json.dumps({"vars": {}, "steps": nested(40)})):
        assert _values(bad) is None, bad[:40]
    for bad in ("{}", "[" * 5000, json.dumps([nested(40)])):
        assert _steps(bad) == [], bad[:40]
    long = _steps(json.dumps([{"node": "n" * 5000, "exit": "x"}] * 500))
    assert len(long) <= 200 and all(len(s["node"]) <= 200 for s in long)


def nested(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = {"a": value}
    return value
