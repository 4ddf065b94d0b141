"""The inspector's section for a placeholder node: what the kept widget is, what a test call does when it
reaches it (ends there, or follows one of the widget's transitions), and the widget's JSON, read-only."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QPlainTextEdit, QWidget

from ivr_studio.flow.model import Node
from ivr_studio.flow.placeholder import PlaceholderConfig
from ivr_studio.ui.inspector.fields import ChoiceField

if TYPE_CHECKING:
    from ivr_studio.ui.inspector.panel import InspectorPanel

END = ""


class FollowField(ChoiceField):
    """The exit a local call follows at the placeholder; shows and commits the node's whole config."""

    def __init__(self, config: PlaceholderConfig):
        choices = [("End the call", END)]
        choices += [(f"Follow “{t.label()}”", t.exit_name) for t in config.transitions]
        super().__init__(choices)
        self.config = config
        self.combo.activated.disconnect()
        self.combo.activated.connect(self._chosen)

    def _chosen(self, index: int) -> None:
        self.committed.emit(replace(self.config, follow=self.combo.itemData(index)))

    def set_value(self, value: Any) -> None:
        if isinstance(value, PlaceholderConfig):
            self.config = value
            super().set_value(value.follow)


def placeholder(panel: InspectorPanel, node: Node, body: QWidget) -> QWidget | None:
    """What the widget is, what a test call does when it gets here, and the widget as Studio holds it."""
    config = node.config
    if not isinstance(config, PlaceholderConfig):
        return None
    box = QGroupBox(f"{config.describe()} (kept as it was)", body)
    form = QFormLayout(box)
    why = QLabel(
        "IVR Studio cannot run this widget. A Studio export writes it back unchanged; a test call "
        "that reaches it does what you choose here (the handler logs which).",
        box,
    )
    why.setWordWrap(True)
    form.addRow(why)
    follow = FollowField(config)
    follow.setToolTip(
        "What a test call does when it reaches this widget: end there, or go on as if the widget had ended "
        "with the transition you choose"
    )
    follow.committed.connect(lambda value: panel.document.set_field(node.id, "config", value))
    panel.fields["config"] = follow
    form.addRow("A test call here", follow)
    view = QPlainTextEdit(box)
    view.setObjectName("placeholderWidget")
    view.setReadOnly(True)
    view.setPlainText(json.dumps(config.widget(), indent=2, ensure_ascii=False))
    view.setMinimumHeight(140)
    form.addRow(view)
    return box
