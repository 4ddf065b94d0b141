"""The logic nodes in the editor: in the palette and quick-add, one port per exit, a generic inspector."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ivr_studio.flow.kinds import LOGIC_KINDS, NodeKind, spec_of
from ivr_studio.flow.logic import Case, DecideConfig
from ivr_studio.ui.canvas.node_item import NodeItem, exit_rows
from ivr_studio.ui.canvas.palette import NodePalette
from ivr_studio.ui.canvas.quick_add import QuickAddBox
from ivr_studio.ui.canvas.style import current_theme
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.inspector.panel import InspectorPanel


def test_palette_and_quick_add_offer_the_logic_kinds(qtbot):
    palette = NodePalette()
    qtbot.addWidget(palette)
    offered = {palette.item(i).data(Qt.ItemDataRole.UserRole) for i in range(palette.count())}
    assert {k.value for k in LOGIC_KINDS if spec_of(k).addable} <= offered
    box = QuickAddBox(palette)
    box._filter("holiday")
    visible = [box.list.item(i) for i in range(box.list.count()) if not box.list.item(i).isHidden()]
    assert [i.data(Qt.ItemDataRole.UserRole) for i in visible] == ["hours"]


def test_a_decide_card_has_a_port_per_case(qtbot, examples_dir):
    document = FlowDocument()
    document.open(examples_dir / "account-line.ivrflow")
    node = document.flow.node("vip_check")
    assert [r.name for r in exit_rows(node)] == ["case:vip", "otherwise"]
    item = NodeItem(node, current_theme())
    assert item.logic
    assert item.port_at(item.exit_port_pos("case:vip")) == "case:vip"
    document.flow.set_node_field(
        "vip_check",
        "config",
        DecideConfig((*node.config.cases, Case("gold", "{{ vars.tier }}", "equals", "gold"))),
    )
    assert [r.name for r in exit_rows(document.flow.node("vip_check"))] == [
        "case:vip",
        "case:gold",
        "otherwise",
    ]


def test_the_inspector_shows_a_logic_nodes_editor_and_exits(qtbot, examples_dir):
    from ivr_studio.ui.inspector.request_editor import LookupEditor

    document = FlowDocument()
    document.open(examples_dir / "account-line.ivrflow")
    panel = InspectorPanel(document)
    qtbot.addWidget(panel)
    panel.show_node("balance")
    look = next(e for e in panel.editors if isinstance(e, LookupEditor))
    assert look.keep.line.text() == "amount, currency"
    assert set(panel.branches.exit_fields) == {"ok", "failed"}
    panel.branches.exit_fields["failed"].committed.emit("goodbye")
    assert document.flow.node("balance").links["failed"] == "goodbye"
    document.undo_stack.undo()
    assert document.flow.node("balance").links["failed"] == "lookup_failed"


def test_a_new_logic_node_gets_its_default_configuration_in_one_undo_step(qtbot):
    document = FlowDocument()
    node_id = document.add_node(NodeKind.HOURS, (0.0, 0.0))
    node = document.flow.node(node_id)
    assert node.config is not None and node.exit_names() == ["open", "closed"]
    document.undo_stack.undo()
    assert node_id not in document.flow.nodes
