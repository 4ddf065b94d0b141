"""``ivr-studio call`` and ``ivr-studio test`` end to end, against a flow file and a local WSGI-free URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr_studio.cli import main
from ivr_studio.runtime.trace import read_jsonl


@pytest.fixture
def flow(examples_dir: Path) -> Path:
    return examples_dir / "support-line.ivrflow"


def test_call_a_flow_with_a_script_and_write_the_trace(tmp_path, flow, capsys):
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"steps": [{"wait_for": "listening"}, {"press": "3"}]}))
    trace = tmp_path / "trace.jsonl"
    code = main(["call", str(flow), "--script", str(script), "--trace", str(trace)])
    assert code == 0
    events = read_jsonl(trace.read_text().splitlines())
    assert events[0]["event"] == "request" and events[0]["node"] == "welcome"
    assert events[-1]["event"] == "call_end" and events[-1]["status"] == "completed"
    pressed = [e for e in events if e["event"] == "dtmf"]
    assert len(pressed) == 1 and pressed[0]["key"] == "3" and pressed[0]["accepted"]
    requests = [e for e in events if e["event"] == "request"]
    assert any(e["params"].get("Digits") == "3" for e in requests)
    assert all(isinstance(e["t"], float) for e in events)
    out = capsys.readouterr().out
    assert "say 'Welcome to Acme.'" in out and "call ended: completed" in out


def test_quiet_prints_nothing(flow, capsys):
    assert main(["call", str(flow), "--quiet", "--max-duration", "5"]) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ({"steps": [{"press": "1x"}]}, "step 1 (press)"),
        ({"steps": [{"wait": -1}]}, "step 1 (wait)"),
        ({"steps": [{"wait": 1}, {"jump": 1}]}, "step 2"),
        ({"steps": [{"wait_for": "godot"}]}, "wait_for must be one of"),
    ],
)
def test_a_bad_script_names_the_step(tmp_path, flow, capsys, script, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(script))
    assert main(["call", str(flow), "--script", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_a_bad_target_is_a_usage_error(tmp_path, capsys):
    assert main(["call", str(tmp_path / "missing.ivrflow")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_an_unreachable_url_is_an_application_error(capsys):
    assert main(["call", "http://127.0.0.1:9/voice#ct=200&rc=0", "--quiet"]) == 1


def test_scenarios_pass_fail_and_junit(tmp_path, flow, capsys):
    scenario = tmp_path / "menu.yaml"
    scenario.write_text(
        f"""
target: {flow}
calls:
  - name: billing by key
    steps: [{{wait_for: listening}}, {{press: "3"}}]
    expect_node: [welcome, main_menu]
    expect_request: [{{params: {{Digits: "3"}}}}]
    expect_end: completed
  - name: expects the impossible
    expect_say: ["/^Never said$/"]
"""
    )
    junit = tmp_path / "junit.xml"
    assert main(["test", str(scenario), "--junit", str(junit)]) == 1
    out = capsys.readouterr().out
    assert "PASS" in out and "billing by key" in out
    assert "FAIL" in out and "expects the impossible" in out and "trace around" in out
    assert out.strip().endswith("1 passed, 1 failed")
    xml = junit.read_text()
    assert 'tests="2"' in xml and 'failures="1"' in xml


def test_an_unusable_scenario_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("calls: []\n")
    assert main(["test", str(bad)]) == 2
    assert "needs a 'target'" in capsys.readouterr().out
