"""Flow files with hostile content: ids with a trailing newline, unexportable attribute names, phrases that
match nothing, and saving through links or onto a full disk."""

from __future__ import annotations

import json

import pytest
from hostile_flows import tiny_flow, tiny_flow_text


def test_a_node_id_with_a_trailing_newline_is_refused(hostile):
    flow = tiny_flow()
    flow["nodes"][1]["id"] = "bye\n"
    flow["nodes"][0]["links"] = {}
    hostile.write("menu.ivrflow", json.dumps(flow))
    hostile.run("validate", "menu.ivrflow").fails(2, "$.nodes[1].id: node id 'bye\\n' may contain only")


def test_a_branch_id_with_a_trailing_newline_is_refused(hostile):
    flow = tiny_flow(branches=[{"id": "sales\n", "keys": "1"}], links={})
    hostile.write("menu.ivrflow", json.dumps(flow))
    hostile.run("validate", "menu.ivrflow").fails(2, "$.nodes[0].branches[0].id: branch id 'sales\\n'")


def test_a_huge_node_id_is_cut_in_the_message(hostile):
    flow = tiny_flow()
    flow["nodes"][1]["id"] = "x" * 100_000
    hostile.write("menu.ivrflow", json.dumps(flow))
    hostile.run("validate", "menu.ivrflow").fails(2, "$.nodes[1].id: node id 'xxxx")


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


@pytest.mark.parametrize("size", ["9" * 100_000, "-1", "1e3", "0x10"])
def test_a_hostile_queue_size_is_one_short_warning(hostile, size):
    queue = {"id": "menu", "kind": "enqueue", "title": "Queue", "position": [0, 0], "text": "support"}
    queue["attributes"] = {"maxQueueSize": size}
    flow = tiny_flow()
    flow["nodes"][0] = queue
    hostile.write("menu.ivrflow", json.dumps(flow))
    run = hostile.run("validate", "menu.ivrflow").succeeds()
    (line,) = [x for x in run.stdout.splitlines() if "warning 12200" in x]
    assert line.startswith(
        "menu.ivrflow: warning 12200 menu (attributes.maxQueueSize): <Enqueue maxQueueSize> must be a whole "
        "number from 1 to 5000, not "
    )
    assert len(line) < 250


SAVE = """
from ivr_studio.flow.ivrflow import load_flow, save_flow
flow = load_flow("{source}")
flow.set_name("{name}")
try:
    save_flow(flow, "{target}")
except OSError as exc:
    print("error:", exc.strerror, file=sys.stderr)
    sys.exit(1)
"""


def test_saving_through_a_symlink_updates_the_file_it_points_to(hostile):
    hostile.write("real/menu.ivrflow", tiny_flow_text())
    os_symlink = __import__("os").symlink
    os_symlink("real/menu.ivrflow", hostile.path("link.ivrflow"))
    run = hostile.run_python(SAVE.format(source="link.ivrflow", target="link.ivrflow", name="Saved through"))
    run.succeeds(changed=["real/menu.ivrflow", "real/menu.ivrflow.bak"])
    assert hostile.path("link.ivrflow").is_symlink()
    assert '"name": "Saved through"' in hostile.path("real/menu.ivrflow").read_text()
    assert hostile.path("real/menu.ivrflow.bak").read_text() == tiny_flow_text()


@pytest.mark.parametrize("bigger", ["the new file", "the backup copy"])
def test_a_full_disk_while_saving_keeps_the_file_and_its_backup_whole(hostile, bigger):
    """The disk has room for the smaller of the new file and the copy of the old one, not the bigger."""
    small, large = tiny_flow_text(title="Small"), tiny_flow_text(title="L" * 4000)
    old_backup = tiny_flow_text(title="Oldest")
    current = small if bigger == "the new file" else large
    new_title = "N" * 4000 if bigger == "the new file" else "New"
    hostile.write("menu.ivrflow.bak", old_backup)
    hostile.write("menu.ivrflow", current)
    run = hostile.run_python(
        SAVE.format(source="menu.ivrflow", target="menu.ivrflow", name=new_title), disk_full_after=len(small) + 200
    )
    run.fails(1, "error: File too large")
    assert hostile.path("menu.ivrflow").read_text() == current
    assert hostile.path("menu.ivrflow.bak").read_text() == old_backup


def _flagged(flags: object) -> str:
    flow = tiny_flow()
    flow["version"] = 3
    flow["nodes"][1]["flags"] = flags
    return json.dumps(flow)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ([{"kind": "error", "url": "u" * 1_000_000}], "$.nodes[1].flags[0].url: is 1,000,000 characters"),
        ([{"kind": "dead_end", "url": "x"}] * 100_000, "$.nodes[1].flags: has 100,000 entries; the limit is 10"),
        ([{"kind": "error", "url": "x", "detail": {"a": [[[[]]]]}}], "$.nodes[1].flags[0].detail: expected text"),
        ([{"kind": "x" * 500_000, "url": "x"}], "$.nodes[1].flags[0].kind: is 500,000 characters"),
    ],
)
def test_hostile_map_flags_are_refused_in_one_line(hostile, flags, message):
    hostile.write("map.ivrflow", _flagged(flags))
    hostile.run("validate", "map.ivrflow").fails(2, message)


def test_a_flag_with_a_hostile_url_and_error_is_reported_cut(hostile):
    url = "http://app.example/" + "a" * 1900
    flags = [{"kind": "error", "url": url, "detail": "HTTP 500 \u202e<script>" + "b" * 280}]
    hostile.write("map.ivrflow", _flagged(flags))
    run = hostile.run("validate", "map.ivrflow").succeeds()
    line = next(line for line in run.stdout.splitlines() if "IVR034" in line)
    assert "with an error: HTTP 500" in line and "a" * 90 + "… with" in line and len(line) < 800
    assert "\u202e" not in line  # the terminal is not turned around
