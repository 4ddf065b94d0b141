"""Mapped flows are read-only for real: the flag is in the file (format version 3, refused by a file of an
older version), the editor shows it, refuses every edit until "Edit a copy", and the copy is editable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ivr_studio.explore.flowmap import map_to_flow
from ivr_studio.explore.mapper import MapOptions, Mapper
from ivr_studio.flow.ivrflow import FlowFileError, load_flow, loads, save_flow
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.runtime import WsgiTransport
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.read_only_bar import ReadOnlyBar

MENU = b'<Response><Gather numDigits="1" action="/pick"><Say>Press 1.</Say></Gather></Response>'


def app(environ, start_response):
    body = MENU if environ["PATH_INFO"] == "/voice" else b"<Response><Say>Bye</Say></Response>"
    start_response("200 OK", [("Content-Type", "text/xml")])
    return [body]


def mapped(tmp_path: Path) -> Path:
    result = Mapper(WsgiTransport(app), "http://menu.local/voice", MapOptions(max_states=5, keys="1")).run()
    flow, _ = map_to_flow(result)
    path = tmp_path / "map.ivrflow"
    save_flow(flow, path)
    return path


def test_a_mapped_flow_is_marked_read_only_in_its_file(tmp_path: Path):
    path = mapped(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 3 and data["read_only"].startswith("mapped from http://menu.local/voice")
    assert load_flow(path).read_only == data["read_only"]
    data["version"] = 2
    with pytest.raises(FlowFileError, match=r"\$: unknown field 'read_only'"):
        loads(json.dumps(data))
    data["version"], data["read_only"] = 3, 7
    with pytest.raises(FlowFileError, match=r"\$.read_only: expected text"):
        loads(json.dumps(data))


def test_the_editor_refuses_edits_until_edit_a_copy(qtbot, tmp_path: Path):
    path = mapped(tmp_path)
    document = FlowDocument()
    document.open(path)
    bar = ReadOnlyBar(document)
    qtbot.addWidget(bar)
    bar.show()
    assert bar.isVisible() and "mapped from http://menu.local/voice" in bar.message.text()
    before = path.read_bytes()
    node_id = next(iter(document.flow.nodes))
    with qtbot.waitSignal(document.editRefused):
        document.set_field(node_id, "title", "changed")
    document.add_node(NodeKind.SAY, (0, 0))
    document.move_nodes({node_id: (500.0, 500.0)})
    assert document.flow.node(node_id).title != "changed" and len(document.flow) == len(load_flow(path))
    assert document.flow.node(node_id).position != (500.0, 500.0)
    assert not document.is_dirty() and document.undo_stack.count() == 0
    bar.copy_button.click()
    assert document.flow.read_only == "" and document.path is None and document.is_dirty()
    assert not bar.isVisible()
    document.set_field(node_id, "title", "changed")
    assert document.flow.node(node_id).title == "changed"
    copy = tmp_path / "copy.ivrflow"
    document.save(copy)
    assert "read_only" not in json.loads(copy.read_text(encoding="utf-8"))
    assert path.read_bytes() == before  # the mapped file is untouched


def test_adding_and_pasting_are_disabled_while_the_flow_is_read_only(qtbot, window, tmp_path: Path):
    path = mapped(tmp_path)
    assert window.open_path(path)
    count = len(window.document.flow)
    editing = ["action_paste", "action_duplicate", "action_delete", "action_quick_add", "action_add_say"]
    assert window.read_only_bar.isVisible()
    assert not window.palette.isEnabled() and "Edit a copy" in window.palette.toolTip()
    assert [name for name in editing if window.actions_[name].isEnabled()] == []
    assert window.actions_["action_copy"].isEnabled()  # reading is still allowed
    # Tab, a double-click on the canvas and the shortcuts open nothing and add nothing; the bar flashes.
    with qtbot.waitSignal(window.document.editRefused):
        window.view.open_quick_add_at_cursor()
    assert not window.view.quick_add.isVisible()
    window.scene.select_nodes([next(iter(window.document.flow.nodes))])
    assert window.view.copy_selection()
    window.actions_["action_paste"].trigger()
    window.actions_["action_add_say"].trigger()
    window.view.paste()  # the method itself goes through the document, which refuses it
    assert len(window.document.flow) == count and window.document.undo_stack.count() == 0
    # An editable copy turns them on again, and what the map saw moves into the nodes' notes.
    flagged = {n.id for n in window.document.flow if n.flags}
    assert flagged  # the goodbye without a hang-up is a dead end
    window.read_only_bar.copy_button.click()
    assert window.palette.isEnabled() and all(window.actions_[name].isEnabled() for name in editing)
    assert window.palette.toolTip() == ""  # its own (no tooltip of its own) again
    assert not any(n.flags for n in window.document.flow)
    assert all("Seen by the map" in window.document.flow.node(n).notes for n in flagged)
    window.view.open_quick_add_at_cursor()
    assert window.view.quick_add.isVisible()
    window.view.quick_add.hide()
    window.actions_["action_add_say"].trigger()
    assert len(window.document.flow) == count + 1
