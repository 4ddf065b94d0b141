"""A mapped node's flags (the app's error, dead end, a step not explored): kept in the .ivrflow file,
refused when malformed, reported by the validator as IVR034 naming the node and the observed URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr_studio.flow.ivrflow import FlowFileError, dumps, load_flow, loads, save_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.map_flags import MAX_FLAGS, MapFlag
from ivr_studio.flow.model import Flow, FlowError, Node
from ivr_studio.flow.validate import validate_flow

ERROR = MapFlag("error", "https://app.example/menu?x=1", "HTTP 500 from /menu")
DEAD_END = MapFlag("dead_end", "https://app.example/bye")


def flagged_flow() -> Flow:
    flow = Flow("map", [Node("oops", NodeKind.HANGUP, title="Error: HTTP 500"), Node("bye", NodeKind.SAY)])
    flow.set_start("bye")
    flow.set_link("bye", "next", "oops")
    flow.set_node_field("oops", "flags", (ERROR,))
    flow.set_node_field("bye", "flags", [DEAD_END])
    return flow


def test_flags_round_trip_through_the_file(tmp_path: Path):
    path = tmp_path / "map.ivrflow"
    save_flow(flagged_flow(), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 3
    assert data["nodes"][0]["flags"] == [
        {"kind": "error", "url": "https://app.example/menu?x=1", "detail": "HTTP 500 from /menu"}
    ]
    assert data["nodes"][1]["flags"] == [{"kind": "dead_end", "url": "https://app.example/bye"}]
    back = load_flow(path)
    assert back.node("oops").flags == (ERROR,) and back.node("bye").flags == (DEAD_END,)
    assert dumps(back) == path.read_text(encoding="utf-8")


def test_a_flow_without_flags_keeps_its_older_format():
    flow = flagged_flow()
    for node in flow:
        flow.set_node_field(node.id, "flags", ())
    data = json.loads(dumps(flow))
    assert data["version"] == 1 and all("flags" not in n for n in data["nodes"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(version=2), r"\$.nodes\[0\]: unknown field 'flags'"),
        (lambda d: d["nodes"][0]["flags"][0].update(kind="slow"), r"\.flags\[0\]\.kind: 'slow' is not a map flag"),
        (lambda d: d["nodes"][0]["flags"][0].update(url=7), r"\.flags\[0\]\.url: expected text"),
        (lambda d: d["nodes"][0]["flags"][0].update(url="u" * 5000), r"\.flags\[0\]\.url: is 5,000 characters"),
        (lambda d: d["nodes"][0]["flags"][0].update(when="now"), r"\.flags\[0\]: unknown field 'when'"),
        (lambda d: d["nodes"][0].update(flags=[ERROR.to_dict()] * (MAX_FLAGS + 1)), r"\.flags: has 11 entries"),
        (lambda d: d["nodes"][0].update(flags="error"), r"\.flags: expected a list"),
    ],
)
def test_malformed_flags_are_refused_with_their_path(change, message):
    data = json.loads(dumps(flagged_flow()))
    change(data)
    with pytest.raises(FlowFileError, match=message):
        loads(json.dumps(data))


def test_the_model_refuses_what_is_not_a_flag():
    flow = flagged_flow()
    with pytest.raises(FlowError, match="at most 10 map flags"):
        flow.set_node_field("bye", "flags", ["dead end"])


def test_the_validator_names_each_flagged_node_and_what_was_observed():
    problems = [d for d in validate_flow(flagged_flow()) if d.code == "IVR034"]
    assert [(d.node_id, d.severity.value) for d in problems] == [("oops", "warning"), ("bye", "warning")]
    oops, bye = (d.message for d in problems)
    assert "'Error: HTTP 500'" in oops
    assert "https://app.example/menu?x=1 with an error: HTTP 500 from /menu" in oops
    assert "dead end" in bye and "https://app.example/bye" in bye
    flow = flagged_flow()
    flow.set_node_field("oops", "flags", ())
    assert [d.node_id for d in validate_flow(flow) if d.code == "IVR034"] == ["bye"]


def test_a_pasted_copy_of_a_flagged_node_keeps_what_was_seen_in_its_notes_not_as_a_flag():
    from ivr_studio.flow.clipboard import clone_nodes, extract

    source = flagged_flow()
    target = Flow("mine", [Node("hello", NodeKind.SAY)])
    [copy] = clone_nodes(extract(source, ["oops"]), target, (10, 10))
    assert copy.flags == () and source.node("oops").flags == (ERROR,)
    assert copy.notes == "Seen by the map — error: " + ERROR.describe()
