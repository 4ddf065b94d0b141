"""Hostile placeholder nodes in flow files: a kept widget too big, too deep, with too many transitions or a
follow that names no transition is refused by the real command with one line naming the JSON path, inside
the sandbox's memory and time limits, and nothing is written."""

from __future__ import annotations

import json

import pytest


def _flow(config: object) -> str:
    node = {"id": "kept", "kind": "placeholder", "config": config}
    return json.dumps({"format": "ivrflow", "version": 3, "start": "kept", "nodes": [node]})


def _nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"type": "run-function", "properties": {"p": "x" * 200_000}}, "$.nodes[0].config: is 200,"),
        ({"type": "run-function", "properties": {"p": _nested(200)}}, "nests deeper than 32 levels"),
        (
            {"type": "run-function", "transitions": [{"event": "e"}] * 5000},
            "$.nodes[0].config.transitions: has 5,000 entries; the limit is 100",
        ),
        ({"type": "run-function", "follow": "on:nowhere"}, "$.nodes[0].config.follow: 'on:nowhere' is not"),
        ({"type": "x" * 5000}, "$.nodes[0].config.type: is 5,000 characters"),
        ({"origin": "zapier", "type": "run-function"}, "$.nodes[0].config: 'zapier' is not a source"),
    ],
)
def test_a_hostile_placeholder_is_one_line_naming_the_path(hostile, config, message):
    hostile.write("kept.ivrflow", _flow(config))
    hostile.run("export", "--studio", "kept.ivrflow", "-o", "out.json").fails(2, message)
