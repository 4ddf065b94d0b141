"""``ivr-studio … --help`` is the reference a user reads first: every argument says what it is for, every
option with a default says it, and every command that can fail says what its exit status means."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from ivr_studio.cli import build_parser, main


def _arguments(parser: argparse.ArgumentParser, name: str) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _arguments(sub, f"{name} {sub_name}")
        elif not isinstance(action, argparse._HelpAction) and action.dest != "version":
            yield name, action


def _commands(parser: argparse.ArgumentParser, name: str) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield f"{name} {sub_name}", sub
                yield from _commands(sub, f"{name} {sub_name}")


def _shows_default(action: argparse.Action) -> bool:
    default, text = action.default, action.help or ""
    if default in (None, False, "", []) or "default" in text:
        return True
    shown = {str(default)}
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        shown |= {f"{default:g}", f"{default:,}", f"{default:,.0f}"}
    return any(s in text for s in shown)


ARGUMENTS = list(_arguments(build_parser(), "ivr-studio"))


@pytest.mark.parametrize(
    ("command", "action"), ARGUMENTS, ids=[f"{c} {a.option_strings or a.dest}" for c, a in ARGUMENTS]
)
def test_every_argument_says_what_it_is_and_its_default(command, action):
    assert action.help and len(action.help) > 10, f"{command} {action.option_strings or action.dest}: no help"
    assert _shows_default(action), f"{command} {action.option_strings}: default {action.default!r} not shown"


@pytest.mark.parametrize("command", ["validate", "export", "call", "test", "load", "import", "map"])
def test_every_command_that_can_fail_says_its_exit_status(command):
    parsers = dict(_commands(build_parser(), "ivr-studio"))
    description = " ".join((parsers[f"ivr-studio {command}"].description or "").split())
    assert "Exits" in description and " 1 " in description and " 2 " in description


def test_the_top_level_help_points_to_each_commands_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "ivr-studio COMMAND --help" in capsys.readouterr().out


def test_test_help_names_its_exit_statuses(capsys):
    with pytest.raises(SystemExit):
        main(["test", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Exits 0 when every call passed, 1 when a call failed, 2 when a file could not be run" in out
