"""Text from a flow that could rewrite the user's terminal line (a right-to-left override, an escape
sequence, a carriage return) is shown escaped by the command line, never passed to the terminal."""

from __future__ import annotations

import json

from hostile_flows import tiny_flow

#: A right-to-left override, an isolate, an ANSI "clear screen" and a carriage return.
HOSTILE_TITLE = "Menu\u202eevil\u2066\x1b[2J\rOK"


def _raw_controls(text: str) -> list[str]:
    bad = {"\u202e", "\u2066", "\x1b", "\r"}
    return [c for c in text if c in bad]


def test_validate_escapes_bidi_and_control_characters_in_titles(hostile):
    flow = tiny_flow(title=HOSTILE_TITLE, links={})
    hostile.write("menu.ivrflow", json.dumps(flow))
    run = hostile.run("validate", "menu.ivrflow")
    assert run.exit == 1, run.stderr
    assert _raw_controls(run.stdout + run.stderr) == []
    assert "'Menu\\u202eevil\\u2066\\x1b[2J\\x0dOK' has no no-input handling" in run.stdout


def test_an_error_naming_a_file_escapes_its_name(hostile):
    """A file name is user text too: the command-line's messages all pass through the same escaping."""
    hostile.write("menu\u202eevil.ivrflow", b"\xff\xfe not a flow")
    run = hostile.run("validate", "menu\u202eevil.ivrflow")
    run.fails(2, "menu\\u202eevil.ivrflow")
    assert _raw_controls(run.stdout + run.stderr) == []
