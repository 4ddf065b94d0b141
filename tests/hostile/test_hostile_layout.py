"""Graphviz's dot is a program the layout runs and reads: an answer that is garbage, huge or never comes
must end in the built-in layout, within the caps, with no traceback."""

from __future__ import annotations

import stat

import pytest
from hostile_flows import example_flow_text

ARRANGE = """
from ivr_studio.flow.ivrflow import load_flow
from ivr_studio.flow.dot_layout import DotUnavailable, dot_layout
from ivr_studio.flow.layout import arrange, auto_layout

flow = load_flow("{example}")
size = lambda node: (236.0, 60.0 + 22.0 * len(node.exit_names()))
try:
    dot_layout(flow, size, timeout=2)
except DotUnavailable as exc:
    print("refused:", exc)
positions, engine = arrange(flow, size, dot_timeout=2)
print("engine:", engine, positions == auto_layout(flow, size))
"""

ANSWERS = {
    "garbage": ("echo 'not json'", "refused: dot's answer could not be read (JSONDecodeError)"),
    "no positions": ('echo \'{"bb": "0,0,10,10", "objects": []}\'', "refused: dot gave no position for node"),
    "wrong shapes": ('echo \'{"bb": 5, "objects": 7}\'', "refused: dot's answer could not be read"),
    "a crash": ("kill -SEGV $$", "refused: dot failed (-11): no message"),
    "no answer": ("exec sleep 30", "refused: dot took longer than 2 s"),
    "a flood": ("exec yes '{}'", "refused: dot's answer is too large"),
}


@pytest.mark.parametrize("answer", ANSWERS, ids=str)
def test_hostile_dot_answers_fall_back_to_the_built_in_layout(hostile, answer: str) -> None:
    script, message = ANSWERS[answer]
    exe = hostile.write("bin/dot", f"#!/bin/sh\ncat > /dev/null\n{script}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    example = hostile.write("menu.ivrflow", example_flow_text())
    run = hostile.run_python(
        ARRANGE.format(example=example),
        env={"PATH": f"{exe.parent}:/usr/bin:/bin"},
        seconds=40,
    )
    run.succeeds()
    assert message in run.stdout
    assert "engine: built-in True" in run.stdout
