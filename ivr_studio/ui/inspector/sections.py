"""The inspector's sections, and which of them each kind of node shows: the inspector's registry by kind.

A section is a function that builds one group of editors for a node into the panel (returning the group,
or None when it has nothing to show) and registers its editors with the panel: plain value fields in
``panel.fields`` (refreshed from the model by the panel's ``sync()``), and editors that have a shape of
their own (a prompt list, the choices) in ``panel.editors``, each with a ``sync()`` that returns False
when it must be rebuilt. :data:`SECTIONS` lists every kind, so a new kind is never shown an empty panel;
a new kind's own editors go in their own modules and add a section here (the logic kinds' and a menu's
capture are in :mod:`.logic_sections`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QVBoxLayout, QWidget

from ivr_studio.flow.kinds import NodeKind
from ivr_studio.flow.model import Node
from ivr_studio.twiml import values as v
from ivr_studio.ui.inspector import logic_sections as logic
from ivr_studio.ui.inspector.attributes import attribute_field, label_for
from ivr_studio.ui.inspector.branches_editor import BranchesEditor
from ivr_studio.ui.inspector.fields import Field, IntField, LineField, TextField
from ivr_studio.ui.inspector.placeholder_section import placeholder
from ivr_studio.ui.inspector.prompts_editor import PromptsEditor
from ivr_studio.ui.inspector.template_field import TemplateLine, TemplateText

if TYPE_CHECKING:
    from ivr_studio.ui.inspector.panel import InspectorPanel

Section = Callable[["InspectorPanel", Node, QWidget], QWidget | None]

#: How a kind's text is checked as it is typed (a URL must be a URL).
TEXT_PARSERS = {NodeKind.PLAY: v.url, NodeKind.REDIRECT: v.url}
#: Kinds whose text may hold a template (the handler renders it per request).
TEMPLATE_TEXT_KINDS = (NodeKind.SAY, NodeKind.PLAY, NodeKind.DIAL, NodeKind.REDIRECT)


def general(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget:
    """Title, "Calls start here", and the kind's text (spoken text, media URL, number …).

    Text that may hold a template (what a Say speaks, a Play URL, a Dial number, a Redirect URL) is
    checked as it is typed and completes the flow's names inside ``{{ … }}``.
    """
    document, node_id = panel.document, node.id
    # the heading stays short (a group box's title sets its least width): the verb and a long id are in the tooltip
    shown_id = node.id if len(node.id) <= 16 else node.id[:15] + "…"
    box = QGroupBox(f"{node.spec.label} · {shown_id}", body)
    box.setToolTip(f"{node.spec.label} ({node.spec.verb}) · {node.id}")
    form = QFormLayout(box)
    title = LineField(keep_empty=False, placeholder=node.spec.label)
    title.committed.connect(lambda val: val and document.set_field(node_id, "title", val))
    panel.fields["title"] = title
    form.addRow("Title", title)
    panel.start_box = QCheckBox("Calls start here", box)
    panel.start_box.clicked.connect(lambda on: document.set_start(node_id if on else None))
    form.addRow("", panel.start_box)
    if node.spec.text_label:
        if node.kind == NodeKind.SAY:
            text: Field = TemplateText(document, node_id, "text", "What the caller hears", live=True)
            text.committed.connect(lambda val: document.set_field(node_id, "text", val, merge="text"))
        elif node.kind in TEMPLATE_TEXT_KINDS:
            text = TemplateLine(document, node_id, "text", extra_check=_checker(TEXT_PARSERS.get(node.kind)))
            text.committed.connect(lambda val: document.set_field(node_id, "text", val or ""))
        else:
            text = LineField(parse=TEXT_PARSERS.get(node.kind), keep_empty=True)
            text.committed.connect(lambda val: document.set_field(node_id, "text", val or ""))
        panel.fields["text"] = text
        form.addRow(node.spec.text_label, text)
    return box


def _checker(parse):
    """A template field's extra check from a value parser (None when there is none)."""
    if parse is None:
        return None

    def check(text: str) -> str | None:
        try:
            parse(text)
        except v.BadValue as exc:
            return str(exc)
        return None

    return check


def prompts(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget:
    """A menu's prompt list (what the caller hears while the menu listens)."""
    box = QGroupBox("Prompts", body)  # a long title would make the form wider than the inspector
    box.setToolTip("What the caller hears while the menu listens")
    panel.prompts = PromptsEditor(panel.document, node.id, box)
    panel.editors.append(panel.prompts)
    QVBoxLayout(box).addWidget(panel.prompts)
    return box


def exits(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget | None:
    """The node's item exits (a menu's choices) and fixed exits, each with where it leads."""
    if not (node.spec.exits or node.spec.item_exits):
        return None
    title = "Choices and exits" if node.spec.item_exits == "branches" else "Where the call goes next"
    box = QGroupBox(title, body)
    panel.branches = BranchesEditor(panel.document, node.id, box)
    panel.editors.append(panel.branches)
    QVBoxLayout(box).addWidget(panel.branches)
    return box


def attributes(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget | None:
    """The verb's Twilio attributes the kind offers (and a menu's max attempts)."""
    if not (node.spec.attributes or node.spec.counts_attempts):
        return None
    document, node_id = panel.document, node.id
    box = QGroupBox(f"{node.spec.verb} settings", body)
    form = QFormLayout(box)
    if node.spec.counts_attempts:
        attempts = IntField(1, 20, None, unset_allowed=False)
        attempts.committed.connect(lambda val: document.set_field(node_id, "max_attempts", int(val)))
        attempts.setToolTip("How many times the menu is asked before 'too many attempts'")
        panel.fields["max_attempts"] = attempts
        form.addRow("Max attempts", attempts)
    for name in node.spec.attributes:
        field = attribute_field(node.spec.verb, name)
        field.setToolTip(f"Twilio attribute: {name}")
        field.committed.connect(lambda val, n=name: document.set_attribute(node_id, n, val))
        panel.fields[f"attributes.{name}"] = field
        form.addRow(label_for(name), field)
    return box


def notes(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget:
    """Notes for people editing the flow (not exported)."""
    box = QGroupBox("Notes", body)
    field = TextField(placeholder="Notes for people editing this flow (not exported)")
    field.committed.connect(lambda val: panel.document.set_field(node.id, "notes", val, merge="notes"))
    panel.fields["notes"] = field
    QVBoxLayout(box).addWidget(field)
    return box


_VERB = (general, exits, attributes, notes)

#: The sections each kind of node shows, top to bottom.
SECTIONS: dict[NodeKind, tuple[Section, ...]] = {
    NodeKind.GATHER: (general, prompts, exits, logic.capture, attributes, notes),
    NodeKind.SAY: _VERB,
    NodeKind.PLAY: _VERB,
    NodeKind.PAUSE: _VERB,
    NodeKind.DIAL: _VERB,
    NodeKind.RECORD: _VERB,
    NodeKind.REDIRECT: _VERB,
    NodeKind.HANGUP: _VERB,
    NodeKind.REJECT: _VERB,
    NodeKind.ENQUEUE: _VERB,
    NodeKind.HOURS: (general, logic.hours, exits, notes),
    NodeKind.DECIDE: (general, logic.decide, exits, notes),
    NodeKind.SET: (general, logic.assignments, exits, notes),
    NodeKind.LOOKUP: (general, logic.request, exits, notes),
    NodeKind.PLACEHOLDER: (general, placeholder, exits, notes),
}
