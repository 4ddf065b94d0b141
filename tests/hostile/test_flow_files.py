"""Flow files with hostile content: ids with a trailing newline, unexportable attribute names, phrases that
match nothing, and saving through links or onto a full disk."""

from __future__ import annotations

import json

import pytest
from flows import tiny_flow, tiny_flow_text


def test_a_node_id_with_a_trailing_newline_is_refused(hostile):
    flow = tiny_flow()
    flow["nodes"][1]["id"] = "bye\n"
    flow["nodes"][0]["links"] = {}
    hostile.write("menu.ivrflow", json.dumps(flow))
    hostile.run("validate", "menu.ivrflow").fails(1, "$.nodes[1].id: node id 'bye\\n' may contain only")


def test_a_branch_id_with_a_trailing_newline_is_refused(hostile):
    flow = tiny_flow(branches=[{"id": "sales\n", "keys": "1"}], links={})
    hostile.write("menu.ivrflow", json.dumps(flow))
    hostile.run("validate", "menu.ivrflow").fails(1, "$.nodes[0].branches[0].id: branch id 'sales\\n'")


def test_a_huge_node_id_is_cut_in_the_message(hostile):
    flow = tiny_flow()
    flow["nodes"][1]["id"] = "x" * 100_000
    hostile.write("menu.ivrflow", json.dumps(flow))
    hostile.run("validate", "menu.ivrflow").fails(1, "$.nodes[1].id: node id 'xxxx")


@pytest.mark.parametrize("name", ["bad name", "", "<x", "xmlns:foo", "xml-thing"])
def test_attribute_names_that_are_not_xml_names_fail_validation(hostile, name):
    hostile.write("menu.ivrflow", tiny_flow_text(attributes={"input": "dtmf speech", name: "1"}))
    hostile.run("validate", "menu.ivrflow").fails(1, "IVR015")


@pytest.mark.parametrize("name", ["bad name", "", "<x", "xmlns:foo"])
def test_forced_export_of_unexportable_attribute_names_does_not_crash(hostile, name):
    hostile.write("menu.ivrflow", tiny_flow_text(attributes={"input": "dtmf speech", name: "1"}))
    hostile.run("export", "menu.ivrflow", "-o", "out").fails(1, "IVR015")
    hostile.run("export", "menu.ivrflow", "-o", "out", "--force").succeeds(changed=["out/"])
    xml = hostile.path("out/twiml/menu.xml").read_text()
    assert 'input="dtmf speech"' in xml and '="1"' not in xml


def test_an_attribute_name_on_a_prompt_that_is_not_an_xml_name_fails_validation(hostile):
    prompts = [{"kind": "say", "text": "Hello", "attributes": {"a b": "x"}}]
    hostile.write("menu.ivrflow", tiny_flow_text(prompts=prompts))
    hostile.run("validate", "menu.ivrflow").fails(1, "IVR015")


def test_an_emoji_only_phrase_is_a_warning(hostile):
    branches = [{"id": "sales", "keys": "1", "phrases": ["sales", "🙂🙂"]}]
    hostile.write("menu.ivrflow", tiny_flow_text(branches=branches))
    run = hostile.run("validate", "menu.ivrflow").succeeds()
    assert "warning IVR016 menu (branches[0].phrases): The phrase '🙂🙂' of branch" in run.stdout
