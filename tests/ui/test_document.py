"""The document: every edit is one undo step that changes only the model; dirty state; files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_studio.flow.events import FlowEvent
from ivr_studio.flow.ivrflow import FlowFileError, load_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.ui.document import FlowDocument, starter_flow


def test_new_document_is_a_greeting_that_leads_to_a_menu() -> None:
    doc = FlowDocument()
    flow = doc.flow
    assert [n.kind for n in flow] == [NodeKind.SAY, NodeKind.GATHER, NodeKind.SAY, NodeKind.SAY]
    assert flow.start == "start" and flow.node("start").links["next"] == "main_menu"
    menu = flow.node("main_menu")
    assert menu.links[menu.branches[0].exit_name] == "sales" and menu.links["no_input"] == "ask_again"
    assert not doc.is_dirty()


def test_add_node_with_link_is_one_undo_step(document: FlowDocument) -> None:
    node_id = document.add_node("say", (100, 100), link_from=("sorry", "next"))
    assert document.flow.node("sorry").links["next"] == node_id
    assert document.is_dirty()
    document.undo_stack.undo()
    assert node_id not in document.flow.nodes
    assert document.flow.node("sorry").links["next"] == "main_menu"
    assert not document.is_dirty()
    document.undo_stack.redo()
    assert document.flow.node("sorry").links["next"] == node_id


def test_delete_restores_node_links_and_start_on_undo(document: FlowDocument) -> None:
    before_links = dict(document.flow.node("main_menu").links)
    incoming = sorted(document.flow.incoming("main_menu"))
    document.remove_nodes(["welcome", "main_menu"])
    assert "main_menu" not in document.flow.nodes and document.flow.start is None
    assert not any(t == "main_menu" for _, _, t in document.flow.links())
    document.undo_stack.undo()
    assert document.flow.start == "welcome"
    assert sorted(document.flow.incoming("main_menu")) == incoming
    assert document.flow.node("main_menu").links == before_links
    assert list(document.flow.nodes)[:2] == ["welcome", "main_menu"]


def test_typing_merges_into_one_step_but_other_fields_do_not(document: FlowDocument) -> None:
    for text in ("H", "He", "Hel", "Hello"):
        document.set_field("welcome", "text", text, merge="text")
    document.set_field("welcome", "title", "Greeting")
    assert document.undo_stack.count() == 2
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.flow.node("welcome").text == "Welcome to Acme."
    assert document.flow.node("welcome").title == "Welcome"


def test_move_of_several_nodes_is_one_step(document: FlowDocument) -> None:
    document.move_nodes({"welcome": (1, 2), "sorry": (3, 4)})
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.flow.node("welcome").position == (0.0, 200.0)


def test_branch_remove_restores_its_link(document: FlowDocument) -> None:
    document.remove_branch("main_menu", "billing")
    assert "branch:billing" not in document.flow.node("main_menu").links
    document.undo_stack.undo()
    node = document.flow.node("main_menu")
    assert [b.id for b in node.branches] == ["sales", "support", "billing", "repeat"]
    assert node.links["branch:billing"] == "billing_info"


def test_add_branch_picks_the_next_free_key(document: FlowDocument) -> None:
    branch_id = document.add_branch("main_menu")
    assert document.flow.node("main_menu").branch(branch_id).keys == "4"


def test_paste_gives_fresh_ids_and_keeps_internal_links(document: FlowDocument) -> None:
    from ivr_studio.flow.clipboard import extract

    fragment = extract(document.flow, ["voicemail_prompt", "voicemail", "goodbye"])
    ids = document.paste(fragment, (50, 50))
    assert len(ids) == 3 and not set(ids) & {"voicemail_prompt", "voicemail", "goodbye"}
    copy_prompt = document.flow.node(ids[0])
    assert copy_prompt.links.get("next") in ids
    assert document.undo_stack.count() == 1


def test_commands_change_only_the_model_and_emit_events(document: FlowDocument) -> None:
    seen: list[FlowEvent] = []
    document.flow.events.connect(seen.append)
    document.set_attribute("main_menu", "timeout", 7)
    document.undo_stack.undo()
    assert [(e.field, e.new) for e in seen] == [("attributes.timeout", 7), ("attributes.timeout", 5)]


def test_save_marks_clean_and_writes_the_flow(document: FlowDocument, tmp_path: Path) -> None:
    document.set_field("welcome", "title", "Hi")
    target = tmp_path / "out.ivrflow"
    document.save(target)
    assert not document.is_dirty() and document.path == target
    assert load_flow(target).node("welcome").title == "Hi"


def test_open_corrupt_file_changes_nothing(document: FlowDocument, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ivrflow"
    bad.write_text('{"format": "ivrflow", "version": 1, "nodes": [{"id": "a"}]}')
    flow_before = document.flow
    with pytest.raises(FlowFileError, match=r"nodes\[0\]"):
        document.open(bad)
    assert document.flow is flow_before


def test_starter_flow_is_fresh_each_time() -> None:
    assert starter_flow() is not starter_flow()
