"""The Variables panel: the flow's call variables and environment names, edited through the document."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QTableWidgetItem

from ivr_studio.flow.logic import Variable
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.variables_panel import VariablesPanel


@pytest.fixture
def panel(qtbot, examples_dir):
    document = FlowDocument()
    document.open(examples_dir / "account-line.ivrflow")
    widget = VariablesPanel(document)
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    return widget


def cells(panel: VariablesPanel) -> list[list[str]]:
    t = panel.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def edit(panel: VariablesPanel, row: int, col: int, text: str) -> None:
    panel.table.item(row, col).setText(text)  # what the cell editor does when the user presses Enter


def test_it_lists_the_variables_and_who_sets_them(panel):
    assert cells(panel) == [
        ["account", "", "12", "Account number"],
        ["tier", "standard", "10", "Remember VIP"],
    ]
    assert [panel.env.item(i).text() for i in range(panel.env.count())] == ["ACME_API_TOKEN"]


def test_edits_are_undoable_steps_and_bad_values_are_named(panel):
    document = panel.document
    edit(panel, 1, 1, "gold")
    assert document.flow.variables["tier"] == Variable("tier", "gold", 10)
    edit(panel, 1, 2, "3")
    assert panel.problem.isVisible() and "longer than the maximum (3)" in panel.problem.text()
    assert document.flow.variables["tier"].max_length == 10 and cells(panel)[1][2] == "10"
    edit(panel, 0, 0, "9lives")
    assert "is not a variable name" in panel.problem.text() and "account" in document.flow.variables
    edit(panel, 0, 0, "tier")
    assert panel.problem.text() == "tier is declared already"
    edit(panel, 0, 2, "20000")
    assert "from 1 to 1000" in panel.problem.text()
    edit(panel, 0, 0, "account_number")
    assert list(document.flow.variables) == ["account_number", "tier"] and panel.problem.isHidden()
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.flow.variables["tier"].default == "standard" and "account" in document.flow.variables
    assert cells(panel)[0][0] == "account"


def test_variables_and_environment_names_are_added_and_removed(panel):
    document = panel.document
    name = panel.add_variable()
    assert name == "var1" and "var1" in document.flow.variables
    panel.table.setCurrentCell(2, 0)
    panel.remove_variable()
    assert "var1" not in document.flow.variables
    panel.add_env()
    item = panel.env.item(1)
    item.setText("acme_region")  # names are upper case
    assert document.flow.env == ("ACME_API_TOKEN", "ACME_REGION")
    panel.env.item(1).setText("ACME REGION!")
    assert "is not an environment variable name" in panel.problem.text()
    assert document.flow.env == ("ACME_API_TOKEN", "ACME_REGION")
    panel.env.setCurrentRow(0)
    panel.remove_env()
    assert document.flow.env == ("ACME_REGION",)
    assert document.undo_stack.count() == 5


def test_it_follows_the_flow(panel):
    document = panel.document
    document.set_capture("account_menu", "pin")
    assert cells(panel)[-1] == ["pin", "", "64", "Account number"]
    assert cells(panel)[0][3] == "—"  # nothing sets account any more
    document.undo_stack.undo()
    assert [row[0] for row in cells(panel)] == ["account", "tier"]
    assert isinstance(panel.table.item(0, 3), QTableWidgetItem)
