"""Dynamic flows in the model and in .ivrflow files: logic nodes, captures, variables, format version 2."""

from __future__ import annotations

import json

import pytest

from ivr_studio.flow import Flow, FlowError, FlowFileError, Node, NodeKind, load_flow, save_flow
from ivr_studio.flow.ivrflow import VERSION, dumps, flow_to_dict, loads
from ivr_studio.flow.logic import (
    Assignment,
    Case,
    DecideConfig,
    HolidaySource,
    HoursConfig,
    Interval,
    LookupConfig,
    SetConfig,
    Variable,
)


def static_flow() -> Flow:
    f = Flow("Static")
    f.add_node(Node("hi", NodeKind.SAY, text="Hello"))
    return f


def test_a_flow_without_dynamic_features_is_written_as_version_1():
    assert json.loads(dumps(static_flow()))["version"] == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.add_node(Node("h", NodeKind.HOURS)),
        lambda f: f.set_variables([Variable("tier")]),
        lambda f: f.set_env(["API_TOKEN"]),
        lambda f: f.set_node_field("hi", "text", "Hello {{ call.from }}"),
    ],
    ids=["logic node", "variables", "env", "template"],
)
def test_a_dynamic_feature_makes_it_version_2(change):
    f = static_flow()
    change(f)
    assert json.loads(dumps(f))["version"] == 2


def test_the_example_round_trips(examples_dir, tmp_path):
    flow = load_flow(examples_dir / "account-line.ivrflow")
    assert flow.node("hours").config.zone == "Europe/Berlin"
    assert flow.node("account_menu").capture == "account"
    assert flow.variables["tier"] == Variable("tier", "standard", 10)
    assert flow.env == ("ACME_API_TOKEN",)
    save_flow(flow, tmp_path / "copy.ivrflow")
    assert (tmp_path / "copy.ivrflow").read_text() == (examples_dir / "account-line.ivrflow").read_text()


def test_version_1_files_are_still_read(examples_dir):
    flow = load_flow(examples_dir / "support-line.ivrflow")
    assert json.loads(dumps(flow))["version"] == 1
    assert not flow.uses_dynamic_features()


def test_exits_of_logic_nodes():
    decide = Node(
        "d", NodeKind.DECIDE, config=DecideConfig((Case("vip", "{{ call.from }}", "equals", "+1"),))
    )
    assert decide.exit_names() == ["case:vip", "otherwise"]
    assert Node("h", NodeKind.HOURS).exit_names() == ["open", "closed"]  # no holiday source: no holiday
    with_country = HoursConfig(holidays=HolidaySource(country="DE"))
    assert Node("h", NodeKind.HOURS, config=with_country).exit_names() == ["open", "closed", "holiday"]
    assert Node("h", NodeKind.HOURS, links={"holiday": "x"}).exit_names() == ["open", "closed", "holiday"]
    assert Node("l", NodeKind.LOOKUP).exit_names() == ["ok", "failed"]
    menu = Node("m", NodeKind.GATHER, capture="account")
    assert "captured" in menu.exit_names()


def test_holiday_falls_back_to_closed():
    hours = Node("h", NodeKind.HOURS, links={"closed": "sorry"})
    assert hours.target_of("holiday") == "sorry"
    hours.links["holiday"] = "party"
    assert hours.target_of("holiday") == "party"
    assert hours.target_of("open") is None


def test_config_edits_are_checked_and_emit_one_event():
    f = static_flow()
    f.add_node(Node("s", NodeKind.SET))
    seen = []
    f.events.connect(seen.append)
    f.set_node_field("s", "config", SetConfig((Assignment("tier", "vip"),)))
    assert len(seen) == 1 and seen[0].field == "config"
    with pytest.raises(FlowError, match="SetConfig"):
        f.set_node_field("s", "config", HoursConfig())
    with pytest.raises(FlowError, match="only menus"):
        f.set_node_field("s", "capture", "x")


def test_a_version_1_file_cannot_hold_logic_nodes_or_variables():
    base = {"format": "ivrflow", "version": 1, "name": "x", "start": None}
    with pytest.raises(FlowFileError, match="format version 2"):
        loads(json.dumps({**base, "nodes": [{"id": "h", "kind": "hours"}]}))
    with pytest.raises(FlowFileError, match="unknown field 'variables'"):
        loads(json.dumps({**base, "variables": [], "nodes": []}))


def test_files_from_a_newer_release_are_refused():
    with pytest.raises(FlowFileError, match="newer IVR Studio"):
        loads(json.dumps({"format": "ivrflow", "version": VERSION + 1, "nodes": []}))


def test_variables_are_checked():
    f = static_flow()
    with pytest.raises(FlowError, match="declared twice"):
        f.set_variables([Variable("a"), Variable("a")])
    with pytest.raises(FlowError, match="environment variable name"):
        f.set_env(["lower"])
    data = flow_to_dict(f) | {"version": 2, "variables": [{"name": "a", "default": "xyz", "max_length": 2}]}
    with pytest.raises(FlowFileError, match="longer than max_length"):
        loads(json.dumps(data))


def test_a_lookup_config_lists_its_templates():
    cfg = LookupConfig(
        url="https://x.example/{{ vars.a }}",
        query=(("q", "{{ vars.b }}"),),
        headers=(("Authorization", "Bearer {{ env.T }}"),),
        body_kind="json",
        body='{"a": "{{ vars.a }}"}',
    )
    assert [w for w, _ in cfg.templates()] == ["url", "query.q", "headers.Authorization", "json"]
    assert LookupConfig.from_dict(cfg.to_dict(), "$") == cfg


def test_hours_round_trip():
    cfg = HoursConfig("Europe/Paris", {"mon": (Interval("09:00", "12:00"), Interval("14:00", "24:00"))})
    assert HoursConfig.from_dict(cfg.to_dict(), "$") == cfg
