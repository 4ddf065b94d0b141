"""What a handler serving a local test call reports beside its TwiML, for the trace and the test-call panel:
each logic step with what decided it (``X-IVR-Steps``) and the call's variables afterwards (``X-IVR-Vars``);
a deployed handler reports neither unless asked. The runtime reads them into the request's trace event."""

from __future__ import annotations

import json

from handler_helpers import app_for, post
from test_handler_dynamic import BERLIN_MONDAY_10, STUBS, at, enter, example

from ivr_studio.bundle.handler.backend import StubBackend, parse_stubs
from ivr_studio.flow import load_flow
from ivr_studio.runtime.handler_report import (
    CallValues,
    HandlerReport,
    latest_values,
    read_report,
    trace_fields,
    values_of,
)


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
    assert first == {"vars": {"tier": "vip"}, "steps": {"hours": {"state": "open"}}, "attempts": {}}
    after = json.loads(enter(client, "123456", From="+4930111111").headers["X-IVR-Vars"])
    assert after["vars"] == {"tier": "vip", "account": "123456"}  # the menu's capture, then the Look up
    assert after["steps"]["balance"] == {"status": 200, "body": {"amount": "42.50", "currency": "EUR"}}


def test_a_deployed_handler_reports_neither(examples_dir):
    flow = load_flow(examples_dir / "account-line.ivrflow")
    quiet = app_for(flow, clock=at(BERLIN_MONDAY_10), backend=StubBackend(parse_stubs(STUBS))).test_client()
    response = enter(quiet, "123456")
    assert response.headers["X-IVR-Path"] == "balance ok"
    assert "X-IVR-Steps" not in response.headers and "X-IVR-Vars" not in response.headers


def report(**headers: str) -> HandlerReport:
    return read_report(lambda name: headers.get(name.replace("-", "_")))


def test_the_runtime_reads_the_reports_and_refuses_what_it_cannot_use():
    steps = report(
        x_ivr_steps='[{"node": "h", "kind": "hours", "exit": "open", "detail": "x", "extra": [1]}]'
    )
    assert steps.logic == ({"node": "h", "kind": "hours", "exit": "open", "detail": "x"},)
    state = report(x_ivr_vars='{"vars": {"a": "1"}, "steps": {"n": {"status": 200}}, "attempts": {"m": 2}}')
    assert state.values == CallValues({"a": "1"}, {"n": {"status": 200}}, {"m": 2})
    for bad in ("", "not json", "[" * 5000, '{"vars": [1]}', json.dumps({"vars": {}, "steps": nested(40)})):
        assert report(x_ivr_vars=bad).values is None, bad[:40]
    odd = report(x_ivr_vars='{"vars": {}, "attempts": {"a": true, "b": 0, "c": 101, "d": "2", "e": 3}}')
    assert odd.values == CallValues({}, {}, {"e": 3})
    for bad in ("{}", "[" * 5000, json.dumps([nested(40)])):
        assert report(x_ivr_steps=bad).logic == (), bad[:40]
    long = report(x_ivr_steps=json.dumps([{"node": "n" * 5000, "exit": "x"}] * 500)).logic
    assert len(long) <= 200 and all(len(s["node"]) <= 200 for s in long)
    assert report(x_ivr_path="hours open, vip case:gold,").path == ("hours open", "vip case:gold")


def test_a_request_event_carries_the_report_and_gives_it_back():
    """What the panel, the debugger and a scripted call's trace read: one event, one reader."""
    full = report(
        x_ivr_path="hours open",
        x_ivr_steps='[{"node": "hours", "kind": "hours", "exit": "open", "detail": "Mon"}]',
        x_ivr_lookups='[{"node": "balance", "status": 200}]',
        x_ivr_vars='{"vars": {"tier": "vip"}, "steps": {"hours": {"state": "open"}}, "attempts": {"menu": 1}}',
    )
    event = {"event": "request", "t": 1.0, **trace_fields(full)}
    assert event["path"] == ["hours open"] and event["lookups"] == [{"node": "balance", "status": 200}]
    assert values_of(event) == full.values
    trace = [event, {"event": "request", "t": 2.0}, {"event": "say", "t": 2.5}]
    assert latest_values(trace) == full.values and latest_values(trace, 0) == full.values
    assert values_of({"event": "request", "t": 0.0}) is None and latest_values(trace[1:]) is None


def test_the_handler_reports_menu_attempts_with_the_variables(examples_dir):
    flow = load_flow(examples_dir / "account-line.ivrflow")
    client = app_for(
        flow, clock=at(BERLIN_MONDAY_10), backend=StubBackend(parse_stubs(STUBS)), trace_lookups=True
    ).test_client()
    state = report(**{"x_ivr_vars": enter(client, "").headers["X-IVR-Vars"]}).values
    assert state is not None and state.attempts == {"account_menu": 1}


def nested(depth: int) -> object:
    value: object = "deep"
    for _ in range(depth):
        value = {"a": value}
    return value
