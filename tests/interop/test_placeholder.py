"""Studio widgets with no local meaning become placeholder nodes: the widget kept as it was, one exit per
original transition, a warning, a call that runs up to them (and ends there, or follows the exit the user
chose), and a Studio export that writes the very widget back."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import jsonschema
import pytest

from ivr_studio.bundle.serve import wsgi_app_for_target
from ivr_studio.flow.ivrflow import flow_to_dict, load_flow, loads, save_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.logic import ConfigError
from ivr_studio.flow.placeholder import PlaceholderConfig
from ivr_studio.flow.validate import validate_flow
from ivr_studio.interop.report import PLACEHOLDER
from ivr_studio.interop.studio_export import export_studio, schema_path
from ivr_studio.interop.studio_import import import_studio, load_studio
from ivr_studio.runtime import CallEngine, VirtualClock, WsgiTransport
from ivr_studio.runtime.script import parse_script, run_virtual

HERE = Path(__file__).parent
VALIDATOR = jsonschema.Draft7Validator(json.loads(schema_path().read_text(encoding="utf-8")))


def _call(path: Path, steps: list[dict]):
    app, url = wsgi_app_for_target(path)
    engine = CallEngine(url, WsgiTransport(app), clock=VirtualClock())
    run_virtual(engine, parse_script({"steps": steps}), max_duration=300)
    return engine.trace


def test_a_run_function_becomes_a_placeholder_with_an_exit_per_transition():
    flow, report = load_studio(HERE / "studio" / "support.json")
    lookup = flow.node("lookup")
    assert lookup.kind == NodeKind.PLACEHOLDER and lookup.title == "lookup"
    assert isinstance(lookup.config, PlaceholderConfig)
    assert lookup.config.type == "run-function"
    assert lookup.config.properties["url"] == "https://example.twil.io/status"
    assert "offset" not in lookup.config.properties  # the node's position holds it
    assert lookup.exit_names() == ["on:success", "on:fail"]
    assert lookup.links == {"on:success": "goodbye", "on:fail": "sorry"}
    [entry] = report.of(PLACEHOLDER)
    assert entry.source == "widget lookup" and "the call ends here" in entry.note
    warnings = [d for d in validate_flow(flow) if d.node_id == "lookup"]
    assert [d.code for d in warnings] == ["IVR032", "IVR035"]  # IVR035: its transitions cannot be tested
    assert "run-function" in warnings[0].message and not warnings[0].is_error


def test_a_split_of_several_matches_gets_one_exit_per_match():
    widget = {
        "name": "route",
        "type": "send-to-flex",
        "transitions": [
            {"event": "callComplete", "next": "bye"},
            {"event": "failedToEnqueue", "next": "bye"},
            {"event": "callFailure"},
        ],
        "properties": {"workflow": "WW123", "channel": "TC123"},
    }
    flow, _ = import_studio(_definition(widget))
    node = flow.node("route")
    assert node.exit_names() == ["on:callComplete", "on:failedToEnqueue", "on:callFailure"]
    assert node.links == {"on:callComplete": "bye", "on:failedToEnqueue": "bye"}
    repeated = PlaceholderConfig.from_widget(
        {"type": "x", "transitions": [{"event": "match"}, {"event": "match"}, {"event": "a b"}]}
    )
    assert [t.exit_name for t in repeated.transitions] == ["on:match", "on:match_2", "on:t3"]


def _definition(*widgets: dict) -> dict:
    first = widgets[0]["name"]
    bye = {
        "name": "bye",
        "type": "say-play",
        "transitions": [{"event": "audioComplete"}],
        "properties": {"say": "Goodbye"},
    }
    trigger = {
        "name": "Trigger",
        "type": "trigger",
        "transitions": [{"event": "incomingCall", "next": first}],
        "properties": {},
    }
    return {"states": [trigger, *widgets, bye], "initial_state": "Trigger"}


def test_the_placeholder_is_saved_read_back_and_written_back_to_studio(tmp_path: Path):
    flow, _ = load_studio(HERE / "studio" / "support.json")
    path = tmp_path / "support.ivrflow"
    save_flow(flow, path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["version"] == 3
    entry = next(n for n in saved["nodes"] if n["id"] == "lookup")
    assert entry["kind"] == "placeholder" and entry["config"]["type"] == "run-function"
    again = load_flow(path)
    assert flow_to_dict(again) == flow_to_dict(flow)
    definition = export_studio(again)
    VALIDATOR.validate(definition)
    widget = next(s for s in definition["states"] if s["name"] == "lookup")
    original = next(
        s
        for s in json.loads((HERE / "studio" / "support.json").read_text())["states"]
        if s["name"] == "lookup"
    )
    assert widget["type"] == original["type"]
    assert widget["transitions"] == [
        {"event": "success", "next": "goodbye"},
        {"event": "fail", "next": "sorry"},
    ]
    assert {k: v for k, v in widget["properties"].items() if k != "offset"} == {
        k: v for k, v in original["properties"].items() if k != "offset"
    }
    definition["description"] = ""  # as if changed in Studio: imported from the widgets
    back, _ = import_studio(definition)
    assert back.node("lookup").config == flow.node("lookup").config
    assert back.node("lookup").links == flow.node("lookup").links


def test_a_call_runs_up_to_the_placeholder_and_ends_there_with_a_log_line(tmp_path: Path, caplog):
    flow, _ = load_studio(HERE / "studio" / "support.json")
    path = tmp_path / "support.ivrflow"
    save_flow(flow, path)
    with caplog.at_level(logging.INFO):
        trace = _call(path, [{"wait_for": "listening"}, {"say": "what is my order status"}])
    assert trace.of("call_end")[0]["status"] == "completed"
    assert trace.of("request")[-1]["path"] == ["lookup end"]
    assert not [e for e in trace.of("say") if e["text"].startswith("Thank you for calling")]
    lines = [r.getMessage() for r in caplog.records if "lookup" in r.getMessage()]
    assert any("run-function" in line and "ends the call" in line for line in lines), lines


def test_a_placeholder_told_to_follow_a_transition_goes_on_past_it(tmp_path: Path, caplog):
    flow, _ = load_studio(HERE / "studio" / "support.json")
    config = flow.node("lookup").config
    flow.set_node_field(
        "lookup", "config", PlaceholderConfig.from_dict({**config.to_dict(), "follow": "on:fail"}, "$")
    )
    path = tmp_path / "support.ivrflow"
    save_flow(flow, path)
    assert load_flow(path).node("lookup").config.follow == "on:fail"
    with caplog.at_level(logging.INFO):
        trace = _call(
            path,
            [{"wait_for": "listening"}, {"say": "what is my order status"}, {"wait_for": "listening"}],
        )
    # past the placeholder by its fail transition: "Sorry …", then the menu again
    texts = [e["text"] for e in trace.of("say")]
    assert "Sorry, I did not get that." in texts
    assert texts.index("Sorry, I did not get that.") > texts.index(
        "For sales press 1 or say sales. For support press 2."
    )
    lines = [r.getMessage() for r in caplog.records if "lookup" in r.getMessage()]
    assert any("follows 'fail'" in line for line in lines), lines


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"origin": "zapier"}, "not a source"),
        ({"type": ""}, "needs its type"),
        ({"follow": "on:nowhere"}, "not one of the widget's transitions"),
        ({"transitions": [{"event": "x", "next": "y"}]}, "unknown field"),
        ({"properties": {"a": "x" * 70_000}}, "the limit is"),
    ],
)
def test_a_malformed_placeholder_is_refused_naming_its_field(change, problem):
    config = {
        "origin": "studio",
        "type": "run-function",
        "properties": {},
        "transitions": [{"event": "success"}],
    }
    with pytest.raises(ConfigError, match=problem):
        PlaceholderConfig.from_dict({**config, **change}, "$.nodes[0].config")


def test_a_placeholder_that_nests_too_deep_is_refused():
    assert PlaceholderConfig.from_dict({"type": "x", "properties": {"p": _nested(30)}}, "$").type == "x"
    with pytest.raises(ConfigError, match="nests deeper"):
        PlaceholderConfig.from_dict({"type": "x", "properties": {"p": _nested(40)}}, "$")


def _nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def test_an_older_format_file_cannot_hold_a_placeholder():
    text = json.dumps(
        {
            "format": "ivrflow",
            "version": 2,
            "start": "p",
            "nodes": [{"id": "p", "kind": "placeholder", "config": {"type": "run-function"}}],
        }
    )
    with pytest.raises(ValueError, match="needs format version 3"):
        loads(text)


def test_a_hang_up_that_kept_a_widget_in_its_notes_is_still_written_back():
    # Files imported before placeholder nodes existed keep the widget in a Hang up node's notes.
    from ivr_studio.flow.model import Flow, Node
    from ivr_studio.interop.studio_widgets import PLACEHOLDER_MARKER

    widget = {"name": "fn", "type": "run-function", "transitions": [{"event": "success"}], "properties": {}}
    notes = PLACEHOLDER_MARKER + "\n" + json.dumps(widget)
    flow = Flow("old", [Node("fn", NodeKind.HANGUP, notes=notes)], "fn")
    definition = export_studio(flow)
    VALIDATOR.validate(definition)
    assert [s["type"] for s in definition["states"] if s["name"] == "fn"] == ["run-function"]
