"""``ivr-studio call`` and ``ivr-studio test`` fail a script that did not go as written: a step the call
ended before, or one with no effect, named in the error (unless the step says ``may_be_ignored``)."""

from __future__ import annotations

import json
from pathlib import Path

from ivr_studio.cli import main
from ivr_studio.runtime.trace import read_jsonl


def _script(tmp_path: Path, steps: list[dict]) -> str:
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"steps": steps}))
    return str(path)


def test_the_issue_case_presses_3_in_the_menu_that_2_opened(examples_dir, tmp_path, capsys):
    steps = [{"wait_for": "listening"}, {"press": "2"}, {"wait_for": "gather"}, {"press": "3"}]
    trace = tmp_path / "trace.jsonl"
    flow = str(examples_dir / "support-line.ivrflow")
    assert main(["call", flow, "--script", _script(tmp_path, steps), "--trace", str(trace), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    events = read_jsonl(trace.read_text().splitlines())
    keys = [(e["t"], e["key"], e["accepted"]) for e in events if e["event"] == "dtmf"]
    assert keys == [(14.6, "2", True), (14.6, "3", True)]
    support = [e for e in events if e["event"] == "request" and e.get("exit")]
    assert [(e["node"], e["params"].get("Digits")) for e in support[:2]] == [
        ("support_menu", "2"),
        ("support_menu", "3"),
    ]


def test_a_step_the_call_ended_before_exits_2_naming_it(examples_dir, tmp_path, capsys):
    steps = [
        {"wait_for": "listening"},
        {"press": "2"},
        {"wait_for": "listening"},
        {"press": "1"},
        {"dial_outcome": "answered"},
        {"wait_for": "hangup"},
        {"press": "5"},
        {"press": "6"},
    ]
    flow = str(examples_dir / "support-line.ivrflow")
    assert main(["call", flow, "--script", _script(tmp_path, steps), "--quiet"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: step 7 (press) never ran: the call ended at ")
    assert err[1].startswith("error: step 8 (press) never ran: ")
    allowed = [*steps[:6], {"press": "5", "may_be_ignored": True}]
    assert main(["call", flow, "--script", _script(tmp_path, allowed), "--quiet"]) == 0


def test_a_key_with_no_effect_fails_the_call_and_the_scenario(examples_dir, tmp_path, capsys):
    flow = str(examples_dir / "support-line.ivrflow")
    steps = [{"press": "1"}, {"wait_for": "hangup"}]  # during "Welcome to Acme.", before any Gather
    assert main(["call", flow, "--script", _script(tmp_path, steps), "--quiet"]) == 2
    assert capsys.readouterr().err == (
        "error: step 1 (press) had no effect: key '1': while <Say> played, outside any <Gather>\n"
    )
    scenario = tmp_path / "early.test.yaml"
    scenario.write_text(
        f"target: {flow}\ncalls:\n"
        "  - name: presses too early\n    steps: [{press: '1'}]\n    expect_end: completed\n"
        "  - name: may press too early\n    steps: [{press: '1', may_be_ignored: true}]\n"
        "    expect_end: completed\n"
    )
    assert main(["test", str(scenario)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  " in out and "› presses too early" in out
    assert "step 1 (press) had no effect: key '1': while <Say> played, outside any <Gather>" in out
    assert "PASS  " in out and "› may press too early" in out
    assert "1 passed, 1 failed" in out
