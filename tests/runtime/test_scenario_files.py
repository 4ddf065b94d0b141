"""Scenario files that would pass while testing nothing are refused before any call runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from runtime_support import FakeApp, doc

from ivr_studio.runtime.scenario import ScenarioError, run_scenario_file
from ivr_studio.runtime.transports import WsgiTransport


@pytest.fixture
def app() -> FakeApp:
    return FakeApp({"/menu": doc("<Say>Hello</Say>")})


def _resolver(app: FakeApp):
    def resolve(target: str, base: Path, auth_token: str):
        if target != "app":
            raise ValueError(f"{base / target}: no such file or folder (and not an http(s) URL)")
        return WsgiTransport(app), "https://a/menu"

    return resolve


def _run(tmp_path: Path, app: FakeApp, text: str):
    path = tmp_path / "calls.tests.yaml"
    path.write_text(text)
    return run_scenario_file(path, _resolver(app))


def test_a_file_without_calls_is_an_error(tmp_path: Path, app: FakeApp):
    with pytest.raises(ScenarioError, match=r"calls\.tests\.yaml has no calls"):
        _run(tmp_path, app, "target: app\ncalls: []\n")


@pytest.mark.parametrize("expectations", ["", "    expect_say: []\n", "    expect_node: []\n"])
def test_a_call_without_expectations_is_an_error_naming_it(tmp_path: Path, app: FakeApp, expectations: str):
    text = (
        "target: app\ncalls:\n"
        "  - name: first\n    expect_end: completed\n"
        "  - name: says hello\n    steps: [{wait: 1}]\n" + expectations
    )
    with pytest.raises(ScenarioError) as caught:
        _run(tmp_path, app, text)
    message = str(caught.value)
    assert "'says hello' has no expectations" in message
    assert "add an expectation, e.g. expect_end: completed" in message
    assert app.requests == []  # refused before the first call ran


def test_a_bad_step_in_a_later_call_stops_the_file_before_any_call_runs(tmp_path: Path, app: FakeApp):
    text = (
        "target: app\ncalls:\n"
        "  - name: fine\n    expect_end: completed\n"
        "  - name: broken\n    steps: [{press: x}]\n    expect_end: completed\n"
    )
    with pytest.raises(ScenarioError, match=r"broken: step 1 \(press\)"):
        _run(tmp_path, app, text)
    assert app.requests == []


def test_a_missing_target_is_an_error_naming_the_file(tmp_path: Path, app: FakeApp):
    with pytest.raises(ScenarioError, match=r"calls\.tests\.yaml: target: .*gone\.ivrflow: no such file"):
        _run(tmp_path, app, "target: gone.ivrflow\ncalls:\n  - name: a\n    expect_end: completed\n")


def test_a_call_with_one_expectation_runs(tmp_path: Path, app: FakeApp):
    reports = _run(tmp_path, app, "target: app\ncalls:\n  - name: hello\n    expect_say: [Hello]\n")
    assert [(r.name, r.passed) for r in reports] == [("hello", True)]


def test_ivr_studio_test_exits_2_for_a_file_that_tests_nothing(tmp_path: Path, capsys):
    from ivr_studio.cli import main

    empty = tmp_path / "empty.tests.yaml"
    empty.write_text("target: https://a/menu\ncalls:\n  - name: nothing checked\n    steps: [{wait: 1}]\n")
    assert main(["test", str(empty)]) == 2
    assert "'nothing checked' has no expectations" in capsys.readouterr().out


def test_one_call_of_a_scenario_runs_on_a_real_clock_with_the_same_expectations(tmp_path: Path):
    """A load run plays scenario calls at wall speed: the same call, checked the same way, on a RealClock."""
    from ivr_studio.runtime.clock import RealClock
    from ivr_studio.runtime.scenario import read_scenario, run_scenario_call

    app = FakeApp(
        {
            "/menu": doc('<Gather action="/picked" numDigits="1" timeout="1"><Say>Press 2</Say></Gather>'),
            "/picked": lambda r: doc(f"<Say>You chose {r.params.get('Digits')}</Say>"),
        }
    )
    path = tmp_path / "pick.tests.yaml"
    path.write_text(
        "target: app\ncalls:\n"
        "  - name: picks two\n    steps: [{wait_for: listening}, {press: '2'}]\n"
        "    expect_say: ['You chose 2']\n    expect_end: completed\n"
    )
    scenario = read_scenario(path)
    transport, url = scenario.resolve_target(_resolver(app))
    seen: list[str] = []
    report = run_scenario_call(
        scenario,
        scenario.calls[0],
        transport,
        url,
        clock=RealClock(),
        listener=lambda e: seen.append(e["event"]),
    )
    assert report.passed, report.failures
    assert [r.path for r in app.requests] == ["/menu", "/picked"]
    assert seen.count("request") == 2 and seen[-1] == "call_end"


def test_a_scenario_file_names_the_calls_status_callback(tmp_path: Path):
    app = FakeApp({"/menu": doc("<Say>Hello</Say>"), "/status": "ok"})
    text = (
        "target: app\n"
        "status_callback: https://a/status\n"
        "status_callback_event: initiated answered completed\n"
        "status_callback_method: GET\n"
        "calls:\n  - {name: one, expect_end: completed}\n  - {name: two, expect_end: completed}\n"
    )
    reports = _run(tmp_path, app, text)
    assert all(r.passed for r in reports)
    sent = app.to("/status")
    assert [(s.method, s.query["CallStatus"]) for s in sent] == [
        ("GET", "initiated"),
        ("GET", "in-progress"),
        ("GET", "completed"),
    ] * 2
    assert len({s.query["CallSid"] for s in sent}) == 2  # one status callback leg per call
