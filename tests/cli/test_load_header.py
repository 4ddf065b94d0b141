"""The first line of ``ivr-studio load`` says what is being called as the user named it."""

from __future__ import annotations

from ivr_studio.cli import build_parser
from ivr_studio.cli.load import header_lines


def _args(*argv: str):
    return build_parser().parse_args(["load", *argv])


def test_a_flow_file_is_named_as_given_not_by_its_stand_in_url():
    args = _args("support-line.ivrflow", "--callers", "1", "--calls", "3", "--think-time", "fast")
    first, mix = header_lines(args, "http://ivr-studio.local/voice", 1.0, 60.0, {"random caller": 1.0})
    assert first == (
        "Load test of support-line.ivrflow (served in process): 1 caller (started at 1/s) for 60 s "
        "or 3 calls, think time fast"
    )
    assert "ivr-studio.local" not in first
    assert mix == "Caller mix: random caller 100%"


def test_a_url_is_shown_as_it_is_called():
    url = "http://127.0.0.1:8000/voice"
    first, _ = header_lines(
        _args(url, "--callers", "4", "--seed", "7"), url, 4.0, 15.0, {"random caller": 1.0}
    )
    assert first == f"Load test of {url}: 4 callers (started at 4/s) for 15 s, think time real, seed 7"
