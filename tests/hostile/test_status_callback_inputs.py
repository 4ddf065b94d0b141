"""Hostile status-callback settings: one clear line naming the value (cut short), no traceback, no call."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_studio.cli import main
from ivr_studio.runtime.scenario import ScenarioError, read_scenario

LONG = "http://" + "x" * 5000


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("status_callback: [1, 2]\n", "status callback URL must be an absolute http(s) URL, not '[1, 2]'"),
        ("status_callback: 42\n", "not '42'"),
        (f"status_callback: /{'x' * 5000}\n", "status callback URL must be an absolute http(s) URL"),
        ("status_callback: http://x/s\nstatus_callback_event: ringing bogus\n", "'bogus' is not one of"),
        ("status_callback: http://x/s\nstatus_callback_event: {a: 1}\n", "is not one of"),
        ("status_callback: http://x/s\nstatus_callback_method: DELETE\n", "GET or POST"),
        ("status_callback_event: completed\n", "status_callback_event needs a status_callback URL"),
    ],
)
def test_a_scenario_with_a_bad_status_callback_is_refused(tmp_path: Path, lines: str, message: str):
    path = tmp_path / "calls.tests.yaml"
    path.write_text("target: app\n" + lines + "calls:\n  - {name: one, expect_end: completed}\n")
    with pytest.raises(ScenarioError) as caught:
        read_scenario(path)
    text = str(caught.value)
    assert message in text and str(path) in text
    assert len(text) < 400 and "\n" not in text  # the value is cut, never echoed whole


def test_a_huge_status_callback_url_on_the_command_line_is_cut_in_the_error(examples_dir, capsys):
    code = main(
        ["call", str(examples_dir / "support-line.ivrflow"), "--quiet", "--status-callback", "/" + LONG]
    )
    err = capsys.readouterr().err
    assert code == 2 and "status callback URL must be an absolute http(s) URL" in err
    assert len(err) < 300 and "Traceback" not in err
