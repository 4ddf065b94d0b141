"""Which exits a call took, from its trace: the pure module (no Qt needed) and ``ivr-studio test --coverage``."""

from __future__ import annotations

import json

import pytest

from ivr_studio.bundle.coverage import (
    CoverageTracker,
    all_exits,
    coverage_json,
    exit_for_request,
    read_coverage,
    taken_exits,
)
from ivr_studio.bundle.routing import routing_data
from ivr_studio.bundle.serve import wsgi_app_for_target
from ivr_studio.flow.ivrflow import load_flow
from ivr_studio.runtime.engine import CallEngine
from ivr_studio.runtime.script import parse_script, run_virtual
from ivr_studio.runtime.transports import WsgiTransport


@pytest.fixture
def support_line(examples_dir):
    return examples_dir / "support-line.ivrflow"


@pytest.fixture
def routing(support_line):
    return routing_data(load_flow(support_line))


def run_call(support_line, steps):
    app, url = wsgi_app_for_target(support_line)
    engine = CallEngine(url, WsgiTransport(app))
    runner = run_virtual(engine, parse_script(steps))
    assert runner.failures == [], runner.failures
    return engine.trace.events


def test_two_branches_to_one_node_are_told_apart_by_digits(support_line, routing):
    for key, branch in (("1", "branch:internet"), ("2", "branch:phone")):
        trace = run_call(
            support_line, [{"wait_for": "gather"}, {"press": "2"}, {"wait_for": "gather"}, {"press": key}]
        )
        # the queue's default timeout passes unanswered, then the voicemail hears nothing: the whole path
        assert taken_exits(routing, trace) == {
            ("welcome", "next"),
            ("main_menu", "branch:support"),
            ("support_menu", branch),
            ("support_queue", "no_answer"),
            ("voicemail_prompt", "next"),
            ("voicemail", "empty"),
            ("goodbye", "next"),
        }


def test_no_input_no_match_speech_and_the_last_attempt(support_line, routing):
    steps = [
        {"wait_for": "listening"}, {"wait_for": "listening"},  # attempt 1: silence → no_input (the menu again)
        {"press": "7"},  # attempt 2: no such branch → no_match → "sorry", back to the menu
        {"wait_for": "listening"}, {"say": "hmm"},  # attempt 3 (the last): no match → max_attempts
    ]  # fmt: skip
    trace = run_call(support_line, steps)
    assert taken_exits(routing, trace) == {
        ("welcome", "next"),
        ("main_menu", "no_input"),
        ("main_menu", "no_match"),
        ("sorry", "next"),
        ("main_menu", "max_attempts"),
        ("goodbye", "next"),
    }


def test_dial_outcome_exits(support_line, routing):
    trace = run_call(support_line, [{"wait_for": "gather"}, {"dial_outcome": "busy"}, {"press": "1"}])
    assert taken_exits(routing, trace) == {
        ("welcome", "next"),
        ("main_menu", "branch:sales"),
        ("to_sales", "busy"),
        ("voicemail_prompt", "next"),
        ("voicemail", "empty"),
        ("goodbye", "next"),
    }


def test_the_handler_named_exit_wins(routing):
    event = {
        "event": "request",
        "url": "http://x/node/main_menu/result",
        "node": "sorry",
        "exit": "main_menu no_input",
    }
    assert exit_for_request(routing, event, "main_menu") == ("main_menu", "no_input")
    tracker = CoverageTracker(routing)
    tracker.feed({"event": "request", "url": "http://x/voice", "node": "welcome", "purpose": "twiml"})
    assert tracker.path == ["welcome"] and tracker.taken == []


def test_coverage_json_round_trip(tmp_path, routing):
    out = tmp_path / "c.json"
    out.write_text(coverage_json({("welcome", "next")}, routing))
    data = json.loads(out.read_text())
    assert data["covered"] == 1 and data["exits"] == len(all_exits(routing)) == 27
    assert data["taken"] == [["welcome", "next"]]
    assert sorted(map(tuple, data["untaken"])) == sorted(all_exits(routing) - {("welcome", "next")})
    assert read_coverage(out) == {("welcome", "next")}
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ValueError, match="not an ivr-studio coverage file"):
        read_coverage(tmp_path / "bad.json")


def test_cli_test_writes_coverage(tmp_path, support_line, capsys):
    from ivr_studio.cli import main

    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        f"target: {support_line}\n"
        "calls:\n"
        "  - name: billing\n"
        "    steps: [{wait_for: gather}, {press: '3'}, {wait: 1}, {hangup: true}]\n"
        "    expect_node: [welcome, main_menu, billing_info]\n"
    )
    out = tmp_path / "coverage.json"
    assert main(["test", str(scenario), "--coverage", str(out)]) == 0, capsys.readouterr().out
    # the caller hangs up during the billing message: its own exit is not taken
    assert read_coverage(out) == {("welcome", "next"), ("main_menu", "branch:billing")}
    assert json.loads(out.read_text())["flow"] == "Acme support line"
