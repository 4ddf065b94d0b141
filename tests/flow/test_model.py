"""The flow model: edits go through Flow and each emits exactly the events a view needs."""

from __future__ import annotations

import pytest

from ivr_studio.flow import Branch, Flow, FlowError, Node, NodeKind, Prompt
from ivr_studio.flow.events import (
    BranchAdded,
    BranchChanged,
    BranchRemoved,
    FlowChanged,
    LinkChanged,
    NodeAdded,
    NodeChanged,
    NodeRemoved,
)


@pytest.fixture
def flow_and_events():
    flow = Flow("t")
    events: list = []
    flow.events.connect(events.append)
    return flow, events


def test_first_node_becomes_start(flow_and_events):
    flow, events = flow_and_events
    flow.add_node(Node("menu", NodeKind.GATHER))
    assert flow.start == "menu"
    assert events == [NodeAdded("menu", 0), FlowChanged("start", None, "menu")]


def test_default_title_comes_from_kind():
    assert Node("x", NodeKind.GATHER).title == "Menu"
    assert Node("x", "dial").title == "Transfer"


def test_ids_are_stable_and_validated(flow_and_events):
    flow, _ = flow_and_events
    with pytest.raises(FlowError, match="may contain only"):
        flow.add_node(Node("bad id", NodeKind.SAY))
    flow.add_node(Node("say_1", NodeKind.SAY))
    with pytest.raises(FlowError, match="already exists"):
        flow.add_node(Node("say_1", NodeKind.SAY))
    assert flow.new_node_id(NodeKind.SAY) == "say_2"


def test_set_field_and_attribute_emit_old_and_new(flow_and_events):
    flow, events = flow_and_events
    flow.add_node(Node("m", NodeKind.GATHER))
    events.clear()
    flow.set_node_field("m", "title", "Main")
    flow.set_attribute("m", "timeout", 3)
    flow.set_attribute("m", "timeout", 3)  # no change, no event
    flow.set_attribute("m", "timeout", None)
    assert events == [
        NodeChanged("m", "title", "Menu", "Main"),
        NodeChanged("m", "attributes.timeout", None, 3),
        NodeChanged("m", "attributes.timeout", 3, None),
    ]
    assert "timeout" not in flow.node("m").attributes


def test_prompts_are_copied_not_shared(flow_and_events):
    flow, _ = flow_and_events
    flow.add_node(Node("m", NodeKind.GATHER))
    prompts = [Prompt("say", "Hello")]
    flow.set_node_field("m", "prompts", prompts)
    prompts[0].text = "changed behind the model's back"
    assert flow.node("m").prompts[0].text == "Hello"


def test_branches_and_links(flow_and_events):
    flow, events = flow_and_events
    flow.add_node(Node("m", NodeKind.GATHER))
    flow.add_node(Node("s", NodeKind.SAY))
    events.clear()
    flow.add_branch("m", Branch("b1", "1", ["sales"]))
    flow.set_link("m", "branch:b1", "s")
    flow.set_branch_field("m", "b1", "keys", "2")
    flow.remove_branch("m", "b1")
    assert events == [
        BranchAdded("m", "b1", 0),
        LinkChanged("m", "branch:b1", None, "s"),
        BranchChanged("m", "b1", "keys", "1", "2"),
        LinkChanged("m", "branch:b1", "s", None),
        BranchRemoved("m", "b1", 0),
    ]


def test_only_menus_have_branches(flow_and_events):
    flow, _ = flow_and_events
    flow.add_node(Node("s", NodeKind.SAY))
    with pytest.raises(FlowError, match="only menus"):
        flow.add_branch("s", Branch("b1", "1"))


def test_link_to_unknown_exit_or_node_is_refused(flow_and_events):
    flow, _ = flow_and_events
    flow.add_node(Node("s", NodeKind.SAY))
    with pytest.raises(FlowError, match="no exit"):
        flow.set_link("s", "no_match", "s")
    with pytest.raises(FlowError, match="no node"):
        flow.set_link("s", "next", "ghost")


def test_removing_a_node_unlinks_incoming_links_first(flow_and_events):
    flow, events = flow_and_events
    flow.add_node(Node("a", NodeKind.SAY))
    flow.add_node(Node("b", NodeKind.SAY))
    flow.set_link("a", "next", "b")
    events.clear()
    flow.remove_node("b")
    assert events == [LinkChanged("a", "next", "b", None), NodeRemoved("b", 1)]
    assert flow.node("a").links == {}


def test_removing_the_start_clears_start(flow_and_events):
    flow, events = flow_and_events
    flow.add_node(Node("a", NodeKind.SAY))
    events.clear()
    flow.remove_node("a")
    assert flow.start is None
    assert events == [FlowChanged("start", "a", None), NodeRemoved("a", 0)]


def test_exits_list_branches_then_fixed_exits():
    node = Node("m", NodeKind.GATHER, branches=[Branch("b1", "1"), Branch("b2", "", ["help"])])
    assert node.exit_names() == ["branch:b1", "branch:b2", "no_input", "no_match", "max_attempts"]
    assert [e.label for e in node.exits()][:2] == ["1", '"help"']


def test_listener_can_unsubscribe_while_called():
    flow = Flow()
    seen = []

    def once(event):
        seen.append(event)
        unsubscribe()

    unsubscribe = flow.events.connect(once)
    flow.add_node(Node("a", NodeKind.SAY))
    flow.add_node(Node("b", NodeKind.SAY))
    assert len(seen) == 1
