"""The Inspector: every field of the selected node, with an editor typed for its value.

Title and notes for every node; the kind's text (spoken text, media URL, number …); each Twilio attribute the
kind offers (see :mod:`ivr_studio.flow.kinds`); for menus also the prompt list, max attempts and the choices.
Edits go through the :class:`FlowDocument` (one undo step each). The panel follows the model's events: values
are refreshed in place, and the form is rebuilt (on the next event-loop turn, never inside the click that
caused it) only when its shape changes: a prompt or a choice added or removed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from ivr_studio.flow import events as ev
from ivr_studio.flow.kinds import NodeKind
from ivr_studio.twiml import values as v
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.inspector.attributes import attribute_field, label_for
from ivr_studio.ui.inspector.branches_editor import BranchesEditor
from ivr_studio.ui.inspector.fields import Field, IntField, LineField, TextField
from ivr_studio.ui.inspector.prompts_editor import PromptsEditor

TEXT_PARSERS = {NodeKind.PLAY: v.url, NodeKind.REDIRECT: v.url}


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
        self._rebuild = QTimer(self)
        self._rebuild.setSingleShot(True)
        self._rebuild.setInterval(0)
        self._rebuild.timeout.connect(self.build)
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
        self.fields = {}
        self.prompts = self.branches = None
        self.start_box = None
        flow = self.document.flow
        if self.node_id is None or self.node_id not in flow.nodes:
            self.node_id = None
            self._message("Select a node to edit it here. Double-click the canvas or press Tab to add one.")
            return
        node = flow.node(self.node_id)
        node_id = node.id
        body = QWidget()
        body.setObjectName("inspectorBody")
        outer = QVBoxLayout(body)

        general = QGroupBox(f"{node.spec.label} ({node.spec.verb}) · {node.id}", body)
        form = QFormLayout(general)
        title = LineField(keep_empty=False, placeholder=node.spec.label)
        title.committed.connect(lambda val: val and self.document.set_field(node_id, "title", val))
        self.fields["title"] = title
        form.addRow("Title", title)
        self.start_box = QCheckBox("Calls start here", general)
        self.start_box.clicked.connect(lambda on: self.document.set_start(node_id if on else None))
        form.addRow("", self.start_box)
        if node.spec.text_label:
            if node.kind == NodeKind.SAY:
                text: Field = TextField(placeholder="What the caller hears")
                text.committed.connect(
                    lambda val: self.document.set_field(node_id, "text", val, merge="text")
                )
            else:
                text = LineField(parse=TEXT_PARSERS.get(node.kind), keep_empty=True)
                text.committed.connect(lambda val: self.document.set_field(node_id, "text", val or ""))
            self.fields["text"] = text
            form.addRow(node.spec.text_label, text)
        outer.addWidget(general)

        if node.kind == NodeKind.GATHER:
            prompts_box = QGroupBox("Prompts (what the caller hears while the menu listens)", body)
            self.prompts = PromptsEditor(self.document, node_id, prompts_box)
            QVBoxLayout(prompts_box).addWidget(self.prompts)
            outer.addWidget(prompts_box)

        exits_box = QGroupBox(
            "Choices and exits" if node.kind == NodeKind.GATHER else "Where the call goes next", body
        )
        if node.spec.exits or node.branches or node.kind == NodeKind.GATHER:
            self.branches = BranchesEditor(self.document, node_id, exits_box)
            QVBoxLayout(exits_box).addWidget(self.branches)
            outer.addWidget(exits_box)

        if node.spec.attributes or node.kind == NodeKind.GATHER:
            attrs_box = QGroupBox(f"{node.spec.verb} settings", body)
            attrs = QFormLayout(attrs_box)
            if node.kind == NodeKind.GATHER:
                attempts = IntField(1, 20, None, unset_allowed=False)
                attempts.committed.connect(
                    lambda val: self.document.set_field(node_id, "max_attempts", int(val))
                )
                attempts.setToolTip("How many times the menu is asked before 'too many attempts'")
                self.fields["max_attempts"] = attempts
                attrs.addRow("Max attempts", attempts)
            for name in node.spec.attributes:
                field = attribute_field(node.spec.verb, name)
                field.setToolTip(f"Twilio attribute: {name}")
                field.committed.connect(lambda val, n=name: self.document.set_attribute(node_id, n, val))
                self.fields[f"attributes.{name}"] = field
                attrs.addRow(label_for(name), field)
            outer.addWidget(attrs_box)

        notes_box = QGroupBox("Notes", body)
        notes = TextField(placeholder="Notes for people editing this flow (not exported)")
        notes.committed.connect(lambda val: self.document.set_field(node_id, "notes", val, merge="notes"))
        self.fields["notes"] = notes
        QVBoxLayout(notes_box).addWidget(notes)
        outer.addWidget(notes_box)
        outer.addStretch(1)
        self.setWidget(body)
        self.sync()

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
        shape_ok = (self.prompts is None or self.prompts.sync()) and (
            self.branches is None or self.branches.sync()
        )
        if not shape_ok:
            self._rebuild.start()

    def _on_event(self, event: ev.FlowEvent) -> None:
        if self.node_id is None:
            return
        if isinstance(event, ev.NodeRemoved) and event.node_id == self.node_id:
            self.node_id = None
            self._rebuild.start()
            return
        self.sync()
