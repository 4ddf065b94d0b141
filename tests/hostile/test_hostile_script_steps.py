"""Hostile script steps and Voice URL methods: ``wait_for`` targets with text and path, ``may_be_ignored``,
``method``/``fallback_method`` in scenario files and on the command line. Each gets one clear line naming
the step or the value (cut short), no traceback, and no call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr_studio.cli import main
from ivr_studio.runtime.scenario import ScenarioError, read_scenario
from ivr_studio.runtime.script import ScriptError, parse_script

HUGE = "x" * 100_000


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"wait_for": "say", "text": HUGE[:5000] + "("}, None),  # a long plain substring is fine
        ({"wait_for": "say", "text": "/" + "(" * 3000 + "/"}, "step 1 (wait_for): bad regular expression"),
        ({"wait_for": "say", "text": ["a", "b"]}, "step 1 (wait_for): text is a substring or /regex/"),
        ({"wait_for": "say", "text": {"a": 1}}, "step 1 (wait_for): text is a substring or /regex/"),
        ({"wait_for": "request", "path": "/" + HUGE}, None),
        ({"wait_for": "request", "path": HUGE}, "step 1 (wait_for): path is a URL path starting with /"),
        (
            {"wait_for": "request", "path": 7},
            "step 1 (wait_for): path is a URL path starting with /, not '7'",
        ),
        ({"wait_for": HUGE}, "step 1 (wait_for): wait_for must be one of"),
        ({"wait_for": ["gather"]}, "step 1 (wait_for): wait_for must be one of"),
        ({"press": "1", "may_be_ignored": HUGE}, "step 1 (press): may_be_ignored is true or false"),
        ({"press": "1", "may_be_ignored": 1}, "step 1 (press): may_be_ignored is true or false, not '1'"),
        ({"press": "1", "may_be_ignored": None}, "step 1 (press): may_be_ignored is true or false"),
    ],
)
def test_a_hostile_step_is_refused_in_one_short_line(step: dict, message: str | None):
    if message is None:
        parse_script({"steps": [step]})  # long but well formed: accepted
        return
    with pytest.raises(ScriptError) as caught:
        parse_script({"steps": [step]})
    text = str(caught.value)
    assert text.startswith(message)
    assert len(text) < 300 and "\n" not in text


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("method: DELETE\n", "method must be GET or POST, not 'DELETE'"),
        ("method: [GET]\n", "method must be GET or POST, not \"['GET']\""),
        (f"method: {HUGE}\n", "method must be GET or POST, not 'xxxxxxxx"),
        ("method: 1\n", "method must be GET or POST, not '1'"),
        ("fallback_url: http://x/f\nfallback_method: {a: 1}\n", "fallback_method must be GET or POST"),
        ("fallback_method: GET\n", "fallback_method needs a fallback_url"),
    ],
)
def test_a_scenario_with_a_bad_method_is_refused(tmp_path: Path, lines: str, message: str):
    path = tmp_path / "calls.test.yaml"
    path.write_text("target: app\n" + lines + "calls:\n  - {name: one, expect_end: completed}\n")
    with pytest.raises(ScenarioError) as caught:
        read_scenario(path)
    text = str(caught.value)
    assert message in text and str(path) in text
    assert len(text) < 400 and "\n" not in text


@pytest.mark.parametrize(
    ("expectation", "message"),
    [
        (f"expect_trace: [{{event: {HUGE}}}]", "expect_trace: 'xxxxxxxx"),
        (f"expect_trace: [{{event: dial, {HUGE[:1000]}: 1}}]", "expect_trace: a dial event has no field(s) xxxx"),
        (f"expect_not_request: [{{{HUGE[:1000]}: 1}}]", "expect_not_request: unknown key(s) xxxx"),
        ("expect_not_request: [[1, 2]]", "expect_not_request items are mappings"),
        ("expect_trace: [{event: [1]}]", "expect_trace items are mappings with an event kind"),
    ],
)
def test_a_hostile_expectation_is_refused_in_one_short_line(tmp_path: Path, expectation: str, message: str):
    path = tmp_path / "calls.test.yaml"
    path.write_text(f"target: app\ncalls:\n  - name: one\n    {expectation}\n")
    with pytest.raises(ScenarioError) as caught:
        read_scenario(path)
    text = str(caught.value)
    assert message in text and str(path) in text
    assert len(text) < 600 and "\n" not in text


def test_a_script_file_with_hostile_steps_fails_the_call_before_it_starts(examples_dir, tmp_path, capsys):
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"steps": [{"wait_for": "say", "text": "/" + "[" * 50_000 + "/"}]}))
    code = main(["call", str(examples_dir / "support-line.ivrflow"), "--script", str(script), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"error: bad script: {script}: step 1 (wait_for): bad regular expression")
    assert len(err) < 300 and "Traceback" not in err


def test_a_huge_method_on_the_command_line_is_refused_by_name(examples_dir, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["call", str(examples_dir / "support-line.ivrflow"), "--method", HUGE[:5000]])
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert err.splitlines()[-1] == (
        "ivr-studio call: error: argument --method: must be GET or POST, not 'xxxxxxxxxxxxxxxxxxxx'"
    )
    assert "x" * 100 not in err and "Traceback" not in err
