"""What the editors of logic nodes share: one node's configuration in, a whole new configuration out.

A logic node's configuration is a small frozen value (see :mod:`ivr_studio.flow.logic`); an editor shows
it, and every edit builds the changed configuration with :func:`dataclasses.replace` and hands it to
:meth:`FlowDocument.set_config` — one undo step, links of vanished exits removed with it. Like the other
inspector editors, :meth:`ConfigEditor.sync` shows the model's values in place and returns False when the
configuration's shape (its rows) changed, so the inspector rebuilds the form.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from ivr_studio.flow.logic import Config
from ivr_studio.flow.model import Node
from ivr_studio.ui.canvas.style import ERROR_COLOUR
from ivr_studio.ui.document import FlowDocument


class ConfigEditor(QWidget):
    """Base of the Hours, Decide, Set and Look up editors."""

    def __init__(self, document: FlowDocument, node_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document, self.node_id = document, node_id
        self.shape: Hashable = self.shape_of(self.config())

    def node(self) -> Node:
        return self.document.flow.node(self.node_id)

    def config(self) -> Any:
        return self.node().config

    def commit(self, config: Config, declare: Iterable[str] = ()) -> None:
        self.document.set_config(self.node_id, config, declare)

    def shape_of(self, config: Any) -> Hashable:
        """What decides the form's rows (the editor is rebuilt when it changes)."""
        raise NotImplementedError

    def show_config(self, config: Any) -> None:
        """Show ``config``'s values in the existing rows."""
        raise NotImplementedError

    def sync(self) -> bool:
        if self.node_id not in self.document.flow.nodes:
            return False
        config = self.config()
        if self.shape_of(config) != self.shape:
            return False
        self.show_config(config)
        return True


def small_button(
    text: str, tip: str, parent: QWidget, slot: Callable[[], None], enabled: bool = True, name: str = ""
) -> QPushButton:
    """A narrow button for a row (↑ ↓ ✕ +)."""
    button = QPushButton(text, parent)
    button.setToolTip(tip)
    button.setFixedWidth(24)
    button.setEnabled(enabled)
    if name:
        button.setObjectName(name)
    button.clicked.connect(lambda _checked=False: slot())
    return button


def problem_label(parent: QWidget) -> QLabel:
    """A hidden red line for a problem the rows cannot show on one field (overlapping intervals …)."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOUR};")
    label.hide()
    return label


def show_problem(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setVisible(bool(text))


def moved(items: tuple, index: int, step: int) -> tuple:
    """``items`` with the one at ``index`` moved ``step`` places (unchanged when it would leave the list)."""
    j = index + step
    if not (0 <= index < len(items) and 0 <= j < len(items)):
        return items
    out = list(items)
    out[index], out[j] = out[j], out[index]
    return tuple(out)


def without(items: tuple, index: int) -> tuple:
    return tuple(x for i, x in enumerate(items) if i != index)
