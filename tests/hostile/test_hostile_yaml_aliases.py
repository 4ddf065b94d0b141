"""YAML alias bombs: a few hundred bytes of nested aliases must not expand to gigabytes, whatever field
they sit in; the error names the file and the line and never echoes the value."""

from __future__ import annotations

import pytest
from hostile_flows import tiny_flow_text


def bomb(levels: int = 9) -> str:
    """Anchors ``a``…``i``, each a list of nine aliases of the one before (9**9 strings when expanded)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"[: levels - 1], strict=False):
        lines.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    return "\n".join(lines) + "\n"


def test_the_bomb_is_small():
    assert len(bomb().encode()) < 700


def test_a_script_whose_press_value_is_an_alias_bomb_is_refused(hostile):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write("script.yaml", bomb() + "steps:\n  - press: *i\n")
    run = hostile.run("call", "menu.ivrflow", "--script", "script.yaml", "--quiet", memory_mb=400, seconds=30)
    run.fails(2, "script.yaml: uses a YAML alias (*a) on line 2")


@pytest.mark.parametrize(
    "field",
    [
        "target: *i\ncalls: [{name: x, expect_end: completed}]",
        "target: menu.ivrflow\ncalls: [{name: *i, expect_end: completed}]",
        "target: menu.ivrflow\ncalls: [{name: x, from: *i, expect_end: completed}]",
        "target: menu.ivrflow\nsettings: *i\ncalls: [{name: x, expect_end: completed}]",
        "target: menu.ivrflow\ncalls: [{name: x, expect_say: *i}]",
    ],
    ids=["target", "name", "from", "settings", "expect_say"],
)
def test_a_scenario_field_that_is_an_alias_bomb_is_refused(hostile, field):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write("menu.tests.yaml", bomb() + field + "\n")
    run = hostile.run("test", "menu.tests.yaml", memory_mb=400, seconds=30)
    run.fails(2, "menu.tests.yaml: uses a YAML alias (*a) on line 2")
    assert "lol" not in run.stdout + run.stderr


def test_a_single_harmless_alias_is_refused_with_a_clear_message(hostile):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write("script.yaml", "k: &k '1'\nsteps:\n  - press: *k\n")
    hostile.run("call", "menu.ivrflow", "--script", "script.yaml", "--quiet").fails(
        2, "uses a YAML alias (*k) on line 3; write the value out instead"
    )


def test_a_huge_scalar_in_an_error_is_cut(hostile):
    hostile.write("menu.ivrflow", tiny_flow_text())
    hostile.write("script.yaml", "steps:\n  - press: '" + "x" * 200_000 + "'\n")
    hostile.run("call", "menu.ivrflow", "--script", "script.yaml", "--quiet").fails(
        2, "step 1 (press): press takes keys from 0-9, * and #, not 'xxx"
    )


def test_a_huge_unknown_key_in_a_scenario_is_cut(hostile):
    hostile.write("menu.ivrflow", tiny_flow_text())
    key = "k" * 100_000
    hostile.write("menu.tests.yaml", f"target: menu.ivrflow\ncalls:\n  - ? {key}\n    : 1\n    expect_end: completed\n")
    hostile.run("test", "menu.tests.yaml").fails(2, "has unknown key(s) kkk")
