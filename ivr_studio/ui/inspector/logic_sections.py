"""The inspector sections of dynamic flows: each logic kind's editor, and a menu's capture.

Registered per kind in :data:`ivr_studio.ui.inspector.sections.SECTIONS`; each builds its group into the
panel and registers its editor in ``panel.editors`` (its ``sync()`` follows the model and asks for a
rebuild when the rows change) or its field in ``panel.fields``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QGroupBox, QVBoxLayout, QWidget

from ivr_studio.flow.model import Node
from ivr_studio.flow.template_names import variable_names
from ivr_studio.ui.inspector.assignments_editor import AssignmentsEditor, parse_name
from ivr_studio.ui.inspector.cases_editor import CasesEditor
from ivr_studio.ui.inspector.config_editor import ConfigEditor
from ivr_studio.ui.inspector.fields import EditableChoiceField
from ivr_studio.ui.inspector.request_editor import LookupEditor
from ivr_studio.ui.inspector.schedule_editor import HoursEditor

if TYPE_CHECKING:
    from ivr_studio.ui.inspector.panel import InspectorPanel


def _editor_box(panel: InspectorPanel, title: str, editor: ConfigEditor, body: QWidget) -> QGroupBox:
    box = QGroupBox(title, body)
    editor.setParent(box)
    QVBoxLayout(box).addWidget(editor)
    panel.editors.append(editor)
    return box


def hours(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget:
    """When the line is open: time zone, weekly intervals, closed dates, holidays."""
    return _editor_box(panel, "Opening hours", HoursEditor(panel.document, node.id), body)


def decide(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget:
    """The cases, tried in order; each has its own exit."""
    return _editor_box(
        panel, "Cases, tried in order", CasesEditor(panel.document, node.id), body
    )


def assignments(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget:
    """The variables the node sets, in order."""
    return _editor_box(panel, "Set", AssignmentsEditor(panel.document, node.id), body)


def request(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget:
    """The back-end request and the values of its answer the call keeps."""
    return _editor_box(panel, "Request", LookupEditor(panel.document, node.id), body)


def capture(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget:
    """A menu can keep what the caller pressed or said in a variable (``{{ vars.account }}``)."""
    document, node_id = panel.document, node.id
    box = QGroupBox("Keep the caller's input", body)
    form = QFormLayout(box)
    field = EditableChoiceField(
        variable_names(document.flow),
        parse=parse_name,
        pattern=r"(?:[A-Za-z_][A-Za-z0-9_]{0,39})?",  # empty: input is not kept
        placeholder="not kept",
    )
    field.combo.setObjectName("captureInto")
    field.setToolTip(
        "Store the digits or words the caller entered in this variable (a new name is declared). Input no "
        "choice claims then takes the 'entered' exit. Empty: not kept."
    )

    def commit(value: object) -> None:
        name = str(value or "").strip()
        if name:
            try:
                parse_name(name)
            except ValueError:
                return  # flagged under the field
        document.set_capture(node_id, name)

    field.committed.connect(commit)
    panel.fields["capture"] = field
    form.addRow("Into variable", field)
    return box
