"""Placeholder nodes in the editor: not offered for adding, a port per kept transition, and an inspector
that shows the kept widget and sets what a test call does when it reaches it (one undo step)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit

from ivr_studio.flow.kinds import NodeKind
from ivr_studio.interop.studio_import import load_studio
from ivr_studio.ui.canvas.node_item import NodeItem, exit_rows
from ivr_studio.ui.canvas.palette import NodePalette
from ivr_studio.ui.canvas.quick_add import QuickAddBox
from ivr_studio.ui.canvas.style import current_theme, preview_text
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.inspector.panel import InspectorPanel

SUPPORT = Path(__file__).parents[1] / "interop" / "studio" / "support.json"


def _document() -> FlowDocument:
    flow, _ = load_studio(SUPPORT)
    document = FlowDocument()
    document.replace(flow, None)
    return document


def test_a_placeholder_is_not_offered_for_adding(qtbot):
    palette = NodePalette()
    qtbot.addWidget(palette)
    offered = {palette.item(i).data(Qt.ItemDataRole.UserRole) for i in range(palette.count())}
    assert NodeKind.PLACEHOLDER.value not in offered and NodeKind.LOOKUP.value in offered
    box = QuickAddBox(palette)
    box._filter("studio widget")
    assert NodeKind.PLACEHOLDER.value not in box.kinds_shown()


def test_a_placeholder_card_has_a_port_per_transition_and_says_what_it_keeps(qtbot):
    document = _document()
    node = document.flow.node("lookup")
    assert [(r.name, r.label) for r in exit_rows(node)] == [("on:success", "success"), ("on:fail", "fail")]
    item = NodeItem(node, current_theme())
    assert item.port_at(item.exit_port_pos("on:fail")) == "on:fail"
    assert preview_text(node) == "run-function · not run here: the call ends"


def test_the_inspector_sets_what_a_test_call_does_at_the_placeholder(qtbot):
    document = _document()
    panel = InspectorPanel(document)
    qtbot.addWidget(panel)
    panel.show_node("lookup")
    kept = panel.findChild(QPlainTextEdit, "placeholderWidget")
    assert kept is not None and kept.isReadOnly()
    assert json.loads(kept.toPlainText())["properties"]["url"] == "https://example.twil.io/status"
    follow = panel.fields["config"]
    assert [follow.combo.itemText(i) for i in range(follow.combo.count())] == [
        "End the call",
        "Follow “success”",
        "Follow “fail”",
    ]
    follow.combo.activated.emit(2)
    assert document.flow.node("lookup").config.follow == "on:fail"
    assert preview_text(document.flow.node("lookup")) == "run-function · not run here: goes on by fail"
    document.undo_stack.undo()
    assert document.flow.node("lookup").config.follow == ""
    assert follow.combo.currentData() == ""
