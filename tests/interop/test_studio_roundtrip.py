"""The Studio round trip: import(export(f)) gives f back exactly while IVR Studio's notes in the description
match the widgets, and what Studio's widgets carry survives when they do not (the definition was edited in
Studio). Checked for every example and for generated flows of every kind of node, logic nodes included."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from studio_flows import flows

from ivr_studio.flow.ivrflow import flow_to_dict, load_flow
from ivr_studio.flow.kinds import LOGIC_KINDS, NodeKind
from ivr_studio.flow.logic import LookupConfig
from ivr_studio.flow.model import Flow, Node
from ivr_studio.interop.report import WARNING
from ivr_studio.interop.studio_export import export_studio, schema_path
from ivr_studio.interop.studio_import import import_studio

EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"
VALIDATOR = jsonschema.Draft7Validator(json.loads(schema_path().read_text(encoding="utf-8")))
ENDS = {NodeKind.HANGUP, NodeKind.REJECT}


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.ivrflow")))
def test_every_example_exports_valid_studio_json_and_comes_back_the_same(example: str):
    flow = load_flow(EXAMPLES / example)
    definition = export_studio(flow)
    VALIDATOR.validate(definition)
    again, report = import_studio(json.loads(json.dumps(definition)))
    assert flow_to_dict(again) == flow_to_dict(flow)
    assert not report.of(WARNING)


def _choices(flow: Flow, node: Node) -> dict[tuple[str, str], str]:
    """What each key and phrase of a menu leads to (only the input modes the menu listens to). The first
    branch that lists a key or phrase takes it, in the handler as in Studio's split; a choice that ends the
    call (no widget) is left out."""
    modes = str(node.attributes.get("input", "dtmf")).split()
    out: dict[tuple[str, str], str | None] = {}
    for b in node.branches:
        target = node.links.get(b.exit_name)
        if target is not None and flow.node(target).kind in ENDS:
            target = None
        if b.keys and "dtmf" in modes:
            out.setdefault(("key", b.keys), target)
        if "speech" in modes:
            for p in b.phrases:
                out.setdefault(("phrase", p), target)
    return {choice: target for choice, target in out.items() if target is not None}


def _request(config: LookupConfig) -> tuple:
    """What a Look up asks for as Studio can say it: a query of a GET are its parameters; the query of
    another method is written into its URL (Make HTTP Request sends its parameters as the body), and a form
    with no fields is no body."""
    url = config.url
    query = config.query
    if config.method != "GET" and query:
        url += ("&" if "?" in url else "?") + "&".join(f"{k}={v}" for k, v in query)
        query = ()
    body_kind = "none" if config.body_kind == "form" and not config.form else config.body_kind
    return (config.method, url, query, body_kind, config.body, config.form)


def _linked(flow: Flow, node: Node, exit_name: str) -> str | None:
    """Where an exit leads, unless it leads to a node that has no widget (Studio ends the call there)."""
    target = node.links.get(exit_name)
    return None if target is None or flow.node(target).kind in ENDS else target


def _logic_equivalent(flow: Flow, node: Node, twin: Node) -> None:
    if node.kind == NodeKind.DECIDE:  # Studio has no case ids: cases pair up by position
        assert [(c.value, c.op, c.operand, c.label or c.describe()[:100]) for c in node.config.cases] == [
            (c.value, c.op, c.operand, c.label) for c in twin.config.cases
        ], node.id
        for mine, theirs in zip(node.config.cases, twin.config.cases, strict=True):
            assert twin.links.get(theirs.exit_name) == _linked(flow, node, mine.exit_name), (node.id, mine.id)
    elif node.kind == NodeKind.SET:
        assert twin.config == node.config, node.id
    elif node.kind == NodeKind.LOOKUP:
        assert _request(twin.config) == _request(node.config), node.id
    elif node.kind == NodeKind.PLACEHOLDER:  # the widget comes back as it was; "follow" is IVR Studio's
        assert twin.config == replace(node.config, follow=""), node.id
        for t in node.config.transitions:
            assert twin.links.get(t.exit_name) == _linked(flow, node, t.exit_name), (node.id, t.exit_name)


def _widget_equivalent(flow: Flow, again: Flow) -> None:
    """What Studio's widgets carry survives an import that ignores IVR Studio's notes: every node that has
    a widget keeps its kind, text, attributes (a menu's input mode follows its transitions), first prompt,
    choices, a logic node's configuration as far as Studio can say it, and the links into other widgets."""
    for node in flow:
        if node.kind in ENDS:
            assert node.id not in again.nodes
            continue
        twin = again.node(node.id)
        if node.kind == NodeKind.HOURS:  # no Studio widget: a split whose no match is "open"
            assert twin.kind == NodeKind.DECIDE and not twin.config.cases
            assert twin.links.get("otherwise") == _linked(flow, node, "open")
            continue
        _logic_equivalent(flow, node, twin)
        # Numbers, URLs and queue names are exported trimmed, as the bundle's TwiML writes them.
        trimmed = node.kind in (NodeKind.DIAL, NodeKind.REDIRECT, NodeKind.ENQUEUE)
        assert (twin.kind, twin.text) == (node.kind, node.text.strip() if trimmed else node.text), node.id
        if node.kind == NodeKind.GATHER:
            assert {k: v for k, v in twin.attributes.items() if k != "input"} == {
                k: v for k, v in node.attributes.items() if k != "input"
            }, node.id
            assert twin.prompts[:1] == node.prompts[:1], node.id
            assert _choices(again, twin) == _choices(flow, node), node.id
        else:
            assert twin.attributes == node.attributes, node.id
        failed = ("failed",) if node.kind in (NodeKind.LOOKUP, NodeKind.ENQUEUE) else ()
        for exit_name in ("next", "empty", "no_input", "otherwise", "ok", *failed):
            if exit_name in node.exit_names():
                assert twin.links.get(exit_name) == _linked(flow, node, exit_name), (node.id, exit_name)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.ivrflow")))
def test_every_example_survives_an_import_from_the_widgets_alone(example: str):
    flow = load_flow(EXAMPLES / example)
    definition = export_studio(flow)
    definition["description"] = "edited in Studio"
    again, _ = import_studio(definition)
    _widget_equivalent(flow, again)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_any_flow_survives_export_and_import(flow: Flow):
    definition = export_studio(flow)
    VALIDATOR.validate(definition)
    again, _ = import_studio(json.loads(json.dumps(definition)))
    assert flow_to_dict(again) == flow_to_dict(flow)


# The same 60 examples on every run, so that it fails for the change under test and not by chance; searches of
# 1,500 generated flows pass too (they found a phrase that two choices list coming back to the later one).
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(flows())
def test_any_flow_survives_an_import_from_the_widgets_alone(flow: Flow):
    definition = export_studio(flow)
    definition["description"] = "edited in Studio"
    again, _ = import_studio(json.loads(json.dumps(definition)))
    _widget_equivalent(flow, again)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows(min_logic=2))
def test_flows_with_logic_nodes_survive_export_and_import_both_ways(flow: Flow):
    assert sum(1 for n in flow if n.kind in LOGIC_KINDS) >= 2
    definition = json.loads(json.dumps(export_studio(flow)))
    VALIDATOR.validate(definition)
    again, _ = import_studio(definition)
    assert flow_to_dict(again) == flow_to_dict(flow)
    definition["description"] = "edited in Studio"
    again, report = import_studio(definition)
    _widget_equivalent(flow, again)
    kept = {n.id for n in flow if n.kind == NodeKind.PLACEHOLDER}
    assert {e.node for e in report.entries if e.outcome == "placeholder"} == kept
