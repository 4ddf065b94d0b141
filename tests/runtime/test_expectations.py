"""Scenario expectations that say what must not happen (``expect_not_request``) and what the trace must show
(``expect_trace``), and malformed expectations refused before any call runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from runtime_support import FakeApp, doc

from ivr_studio.runtime.scenario import ScenarioError, run_scenario_file
from ivr_studio.runtime.transports import WsgiTransport

MENU = doc('<Gather numDigits="1" action="/choice"><Say>Press 1 for sales, 2 for support</Say></Gather>')


def _app() -> FakeApp:
    def choice(req) -> str:
        if req.form.get("Digits") == "1":
            return doc('<Say>Sales</Say><Dial action="/after">+15550100</Dial>')
        return doc("<Redirect>/support</Redirect>")

    return FakeApp(
        {"/menu": MENU, "/choice": choice, "/support": doc("<Say>Support</Say>"), "/after": doc("")}
    )


def _run(tmp_path: Path, calls: str, app: FakeApp | None = None):
    app = app or _app()
    path = tmp_path / "menu.test.yaml"
    path.write_text("target: app\ncalls:\n" + calls)

    def resolve(target: str, base: Path, auth_token: str):
        return WsgiTransport(app), "https://a/menu"

    return run_scenario_file(path, resolve), app


def test_expect_not_request_passes_when_the_request_never_comes_and_fails_when_it_does(tmp_path: Path):
    calls = (
        "  - name: sales\n    steps: [{wait_for: listening}, {press: '1'}, {dial_outcome: answered}]\n"
        "    expect_not_request: [{path: /support}]\n"
        "  - name: support\n    steps: [{wait_for: listening}, {press: '2'}]\n"
        "    expect_not_request: [{path: /support}, {params: {Digits: '9'}}]\n"
    )
    (sales, support), app = _run(tmp_path, calls)
    assert sales.passed and [r.path for r in app.requests][:2] == ["/menu", "/choice"]
    assert not support.passed
    (failure,) = support.failures
    first, *context = failure.splitlines()
    assert first == "expected no request {'path': '/support'}; the call made 1, the first at t=3.10s:"
    assert any(line.startswith("  > ") and "POST https://a/support" in line for line in context)


def test_expect_trace_matches_events_in_order_with_their_fields(tmp_path: Path):
    calls = (
        "  - name: sales answered\n"
        "    steps: [{wait_for: gather}, {wait: 1}, {press: '1'}, {dial_outcome: answered, duration: 30}]\n"
        "    expect_trace:\n"
        "      - {event: say, text: 'Press 1 for sales, 2 for support', interrupted_at: 1.0}\n"
        "      - {event: request, method: POST, params: {Digits: '1', FinishedOnKey: ''}}\n"
        "      - {event: dial, status: answered}\n"
        "      - {event: dial, status: completed, duration: 30}\n"
        "      - {event: call_end, status: completed, answered: true}\n"
    )
    (report,), _ = _run(tmp_path, calls)
    assert report.passed, report.failures


def test_expect_trace_reports_the_first_event_it_did_not_find(tmp_path: Path):
    calls = (
        "  - name: sales busy\n    steps: [{wait_for: listening}, {press: '1'}, {dial_outcome: busy}]\n"
        "    expect_trace: [{event: dial, status: ringing}, {event: dial, status: answered}, {event: hangup}]\n"
    )
    (report,), _ = _run(tmp_path, calls)
    (failure,) = report.failures
    lines = failure.splitlines()
    assert lines[0] == "expected a dial event with status='answered' after t=3.80s; dial events from there:"
    assert lines[1].strip() == "3.80s  dial number=+15550100 status=busy duration=0"


def test_a_step_the_script_allowed_to_be_ignored_can_be_expected(tmp_path: Path):
    calls = (
        "  - name: presses during the prompt of nothing\n"
        "    steps: [{wait_for: request, path: /support}, {press: '5', may_be_ignored: true}]\n"
        "    expect_trace: [{event: step_ignored, step: 2, ran: true, may_be_ignored: true}]\n"
    )
    app = _app()
    app.routes["/menu"] = doc("<Redirect>/support</Redirect>")
    (report,), _ = _run(tmp_path, calls, app)
    assert report.passed, report.failures


@pytest.mark.parametrize(
    ("expectation", "message"),
    [
        (
            "expect_request: [{paht: /x}]",
            "expect_request: unknown key(s) paht (use path, url, method, params)",
        ),
        ("expect_not_request: [/x]", "expect_not_request items are mappings of path, url, method, params"),
        ("expect_not_request: [{}]", "expect_not_request items are mappings of path, url, method, params"),
        ("expect_request: [{params: [Digits]}]", "expect_request: params is a mapping of parameter names"),
        ("expect_trace: [dial]", "expect_trace items are mappings with an event kind, not 'dial'"),
        ("expect_trace: [{event: ring}]", "expect_trace: 'ring' is not a trace event (one of request, "),
        (
            "expect_trace: [{event: dial, state: busy}]",
            "expect_trace: a dial event has no field(s) state (it has t,",
        ),
        ("expect_say: ['/(/']", "bad regular expression '/(/'"),
        ("expect_say: [{a: 1}]", "expect_say items are texts or /regex/, not {'a': 1}"),
    ],
)
def test_a_malformed_expectation_stops_the_file_before_any_call(
    tmp_path: Path, expectation: str, message: str
):
    app = _app()
    with pytest.raises(ScenarioError) as caught:
        _run(tmp_path, f"  - name: one\n    {expectation}\n", app)
    assert f"menu.test.yaml: call 1: {message}" in str(caught.value)
    assert app.requests == []
