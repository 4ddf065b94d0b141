"""The Set node's editor: the variables it assigns, in order, each from a template.

A row is ``name = value``: the name is picked from the flow's variables or typed (a new name is declared
in the same undo step, with the default maximum length; the Variables panel changes it), the value is a
template (``{{ vars.count | plus: 1 }}``, ``yes``). Assignments run top to bottom, so a later one can read
an earlier one; ↑ ↓ reorder them, ✕ removes one.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ivr_studio.flow.logic import NAME_PATTERN, Assignment, SetConfig
from ivr_studio.flow.template_names import variable_names
from ivr_studio.twiml.values import BadValue
from ivr_studio.ui.inspector.config_editor import ConfigEditor, moved, small_button, without
from ivr_studio.ui.inspector.fields import EditableChoiceField
from ivr_studio.ui.inspector.template_field import TemplateLine


def parse_name(text: str) -> str:
    """A variable name (letters, digits and _, not starting with a digit, at most 40); BadValue if not."""
    if not NAME_PATTERN.match(text):
        raise BadValue(
            f"“{text[:40]}” is not a variable name (letters, digits, _; not starting with a digit)"
        )
    return text


def new_name(config: SetConfig, known: list[str]) -> str:
    """The first known variable this node does not assign yet, else ``var1``, ``var2`` …"""
    taken = {a.name for a in config.assignments}
    for name in known:
        if name not in taken:
            return name
    n = 1
    while f"var{n}" in taken:
        n += 1
    return f"var{n}"


class AssignmentsEditor(ConfigEditor):
    """Edits a Set node's :class:`SetConfig` (one undo step per change)."""

    def shape_of(self, config: SetConfig) -> int:
        return len(config.assignments)

    def __init__(self, document, node_id: str, parent: QWidget | None = None) -> None:
        super().__init__(document, node_id, parent)
        self.setObjectName("assignmentsEditor")
        config: SetConfig = self.config()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setSpacing(3)
        self.rows: list[tuple[EditableChoiceField, TemplateLine]] = []
        names = variable_names(document.flow)
        count = len(config.assignments)
        if not count:
            hint = QLabel("Nothing to set yet. Add an assignment: a variable and its new value.", self)
            hint.setWordWrap(True)
            outer.addWidget(hint)
        for i in range(count):
            name = EditableChoiceField(
                names, parse=parse_name, pattern=r"[A-Za-z_][A-Za-z0-9_]{0,39}", placeholder="variable"
            )
            name.combo.setObjectName(f"assignName_{i}")
            name.setToolTip("The variable to set (a new name is declared with the flow's variables)")
            name.committed.connect(lambda text, k=i: self._rename(k, text))
            value = TemplateLine(document, node_id, f"config.assign[{i}].value", "value or {{ template }}")
            value.line.setObjectName(f"assignValue_{i}")
            value.committed.connect(lambda text, k=i: self._set_value(k, text))
            grid.addWidget(name, 2 * i, 0)
            grid.addWidget(QLabel("=", self), 2 * i, 1)
            grid.addWidget(
                small_button("✕", "Remove this assignment", self, lambda k=i: self._remove(k)), 2 * i, 2
            )
            grid.addWidget(value, 2 * i + 1, 0, 1, 2)
            order = QHBoxLayout()
            order.setSpacing(0)
            order.addWidget(
                small_button("↑", "Set this one earlier", self, lambda k=i: self._move(k, -1), i > 0)
            )
            order.addWidget(
                small_button("↓", "Set this one later", self, lambda k=i: self._move(k, 1), i < count - 1)
            )
            grid.addLayout(order, 2 * i + 1, 2)
            self.rows.append((name, value))
        grid.setColumnStretch(0, 1)
        outer.addLayout(grid)
        add = QPushButton("+ Add assignment", self)
        add.setObjectName("addAssignment")
        add.clicked.connect(self.add_assignment)
        outer.addWidget(add)
        self.sync()

    def show_config(self, config: SetConfig) -> None:
        for (name, value), assignment in zip(self.rows, config.assignments, strict=True):
            name.set_value(assignment.name)
            value.set_value(assignment.value)

    def _assignments(self, assignments: tuple[Assignment, ...], declare: list[str] = ()) -> None:
        self.commit(dataclasses.replace(self.config(), assignments=assignments), declare)

    def _rename(self, index: int, text: object) -> None:
        name = str(text or "").strip()
        items = list(self.config().assignments)
        if index >= len(items) or not NAME_PATTERN.match(name):
            return  # flagged under the field
        items[index] = dataclasses.replace(items[index], name=name)
        self._assignments(tuple(items), [name])

    def _set_value(self, index: int, text: str) -> None:
        items = list(self.config().assignments)
        if index < len(items):
            items[index] = dataclasses.replace(items[index], value=text)
            self._assignments(tuple(items))

    def _move(self, index: int, step: int) -> None:
        self._assignments(moved(self.config().assignments, index, step))

    def _remove(self, index: int) -> None:
        self._assignments(without(self.config().assignments, index))

    def add_assignment(self) -> str:
        """Add an assignment (declaring its variable if needed); returns the variable's name."""
        config: SetConfig = self.config()
        name = new_name(config, variable_names(self.document.flow))
        self._assignments((*config.assignments, Assignment(name, "")), [name])
        return name
