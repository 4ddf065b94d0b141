"""The Inspector: every field of the selected node, with an editor typed for its value.

Title and notes for every node; the kind's text (spoken text, media URL, number …); each Twilio attribute the
kind offers (see :mod:`ivr_studio.flow.kinds`); for menus also the prompt list, max attempts and the choices.
Which sections a kind shows is :data:`ivr_studio.ui.inspector.sections.SECTIONS`.
Edits go through the :class:`FlowDocument` (one undo step each). The panel follows the model's events: values
are refreshed in place, and the form is rebuilt (on the next event-loop turn, never inside the click that
caused it) only when its shape changes: a prompt or a choice added or removed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from ivr_studio.flow import events as ev
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.inspector.branches_editor import BranchesEditor
from ivr_studio.ui.inspector.fields import Field, IntField, TextField
from ivr_studio.ui.inspector.prompts_editor import PromptsEditor
from ivr_studio.ui.inspector.sections import SECTIONS
from ivr_studio.ui.inspector.template_field import TemplateText

#: The fewest characters a text or choice field shows beside its label; narrower, it goes under the label.
READABLE_CHARS = 18
#: The same for several lines of text (what the caller hears, notes): a phrase a line.
PROSE_CHARS = 24


class InspectorPanel(QScrollArea):
    """Shows and edits one node (or says what to do when nothing, or several nodes, are selected)."""

    def __init__(self, document: FlowDocument, parent=None):
        super().__init__(parent)
        self.setObjectName("inspectorPanel")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document = document
        self.node_id: str | None = None
        self.fields: dict[str, Field] = {}
        self.start_box: QCheckBox | None = None
        self.prompts: PromptsEditor | None = None
        self.branches: BranchesEditor | None = None
        self.editors: list = []  # editors with a shape of their own; each has sync() -> bool
        self._rebuild = QTimer(self)
        self._rebuild.setSingleShot(True)
        self._rebuild.setInterval(0)
        self._rebuild.timeout.connect(self.build)
        self._built_for: str | None = None  # the node the form was last built for
        self._reveal: tuple[str, object] | None = None  # ("branch", id) or ("prompt", index) to show
        document.flow_events.connect(self._on_event)
        document.flowReplaced.connect(self._flow_replaced)
        self._flow_replaced()

    def _flow_replaced(self) -> None:
        self.show_node(None)

    def show_node(self, node_id: str | None) -> None:
        self.node_id = node_id
        self.build()

    def show_selection(self, node_ids: list[str]) -> None:
        self.show_node(node_ids[0] if len(node_ids) == 1 else None)
        if len(node_ids) > 1:
            self._message(f"{len(node_ids)} nodes selected. Select one node to edit it.")

    # ------------------------------------------------------------------ building
    def _message(self, text: str) -> None:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setMargin(12)
        self.setWidget(label)

    def build(self) -> None:
        self._rebuild.stop()
        # Rebuilding the same node (a choice or prompt added or removed) keeps the form where it was.
        same_node = self.node_id is not None and self.node_id == self._built_for
        scrolled = self.verticalScrollBar().value() if same_node else 0
        self._built_for = None
        self.fields = {}
        self.editors = []
        self.prompts = self.branches = None
        self.start_box = None
        flow = self.document.flow
        if self.node_id is None or self.node_id not in flow.nodes:
            self.node_id = None
            self._message("Select a node to edit it here. Double-click the canvas or press Tab to add one.")
            return
        node = flow.node(self.node_id)
        body = QWidget()
        body.setObjectName("inspectorBody")
        outer = QVBoxLayout(body)
        for section in SECTIONS[node.kind]:
            widget = section(self, node, body)
            if widget is not None:
                outer.addWidget(widget)
        outer.addStretch(1)
        readable = self.fontMetrics().averageCharWidth() * READABLE_CHARS
        prose = self.fontMetrics().averageCharWidth() * PROSE_CHARS
        for form in body.findChildren(QFormLayout):
            # in a narrow inspector a field goes under its label rather than past the inspector's edge, or
            # than shrink beside a long label to a box too small to read ("ales team")
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            for row in range(form.rowCount()):
                item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
                field = item.widget() if item is not None else None
                if isinstance(field, Field) and not isinstance(field, IntField):  # numbers are short
                    least = prose if isinstance(field, (TextField, TemplateText)) else readable
                    field.setMinimumWidth(max(field.minimumWidth(), least))
        _drop_strays(body)
        self.setWidget(body)
        self._built_for = node.id
        if self.branches is not None:
            self.branches.added.connect(lambda branch_id: self._reveal_later("branch", branch_id))
        if self.prompts is not None:
            self.prompts.added.connect(lambda index: self._reveal_later("prompt", index))
        self.sync()
        body.layout().activate()
        self.widget().resize(self.viewport().width(), max(body.sizeHint().height(), self.viewport().height()))
        self.verticalScrollBar().setValue(scrolled)
        reveal, self._reveal = self._reveal, None
        if reveal is not None:
            self._show_new_row(*reveal)

    def _reveal_later(self, what: str, key: object) -> None:
        """Bring a choice or prompt just added into view once the form has been rebuilt for it."""
        self._reveal = (what, key)

    def _show_new_row(self, what: str, key: object) -> None:
        target: QWidget | None = None
        if what == "branch" and self.branches is not None:
            row = next((r for r in self.branches.branch_fields if r[0] == key), None)
            if row is not None:
                target = row[1].line  # the key field: the user types the key next
        elif what == "prompt" and self.prompts is not None and isinstance(key, int):
            target = self.prompts.row_widget(key)
        if target is None:
            return
        self.ensureWidgetVisible(target, 20, 40)
        if what == "branch":
            target.setFocus()

    # ------------------------------------------------------------------ following the model
    def sync(self) -> None:
        """Show the model's current values in the existing editors."""
        if self.node_id is None or self.node_id not in self.document.flow.nodes:
            return
        node = self.document.flow.node(self.node_id)
        for key, field in self.fields.items():
            if key.startswith("attributes."):
                field.set_value(node.attributes.get(key.split(".", 1)[1]))
            else:
                field.set_value(getattr(node, key))
        if self.start_box is not None:
            self.start_box.setChecked(self.document.flow.start == node.id)
        shape_ok = [editor.sync() for editor in self.editors]
        if not all(shape_ok):
            self._rebuild.start()

    def _on_event(self, event: ev.FlowEvent) -> None:
        if self.node_id is None:
            return
        if isinstance(event, ev.NodeRemoved) and event.node_id == self.node_id:
            self.node_id = None
            self._rebuild.start()
            return
        self.sync()


def _drop_strays(body: QWidget) -> None:
    """Delete widgets a section made in ``body`` but did not hand back: outside the layout, Qt would
    paint them at the top-left corner, over the first heading."""
    layout = body.layout()
    for child in body.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if layout.indexOf(child) < 0:
            child.hide()
            child.deleteLater()
