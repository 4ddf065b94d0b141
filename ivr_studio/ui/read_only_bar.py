"""The bar above the canvas of a read-only flow (one ``ivr-studio map`` wrote): it says why the flow cannot
be edited and offers "Edit a copy", which opens an editable, unsaved copy; edits to the read-only flow
are refused by the document (see :meth:`FlowDocument.push`) and the bar flashes its message.

The controls that only add or change things (the node palette, Paste, Quick add, Flow ▸ Add node …) are
handed to :meth:`ReadOnlyBar.guard`: they are disabled while the bar shows, with a tooltip that says why
and points at "Edit a copy", and enabled again once an editable flow is open."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolBar, QWidget

from ivr_studio.ui.canvas.style import WARNING_COLOUR
from ivr_studio.ui.document import FlowDocument

#: The main window's actions that add or change nodes (besides Flow ▸ Add node's ``action_add_<kind>``).
EDITING_ACTIONS = frozenset(
    {
        "action_paste",
        "action_duplicate",
        "action_delete",
        "action_rename",
        "action_quick_add",
        "action_auto_layout",
        "action_set_start",
    }
)


def editing_actions(actions: dict[str, QAction]) -> list[QAction]:
    """The actions of ``actions`` (by objectName) a read-only flow disables."""
    return [a for name, a in actions.items() if name in EDITING_ACTIONS or name.startswith("action_add_")]


class ReadOnlyBar(QToolBar):
    """Shown while the open flow is read-only; hidden otherwise."""

    def __init__(self, document: FlowDocument, parent: QWidget | None = None):
        super().__init__("Read-only flow", parent)
        self.setObjectName("readOnlyBar")
        self.setMovable(False)
        self.setFloatable(False)
        self.document = document
        body = QWidget(self)
        layout = QHBoxLayout(body)
        layout.setContentsMargins(8, 2, 8, 2)
        self.message = QLabel(body)
        self.message.setObjectName("readOnlyMessage")
        self.message.setWordWrap(True)
        self.copy_button = QPushButton("Edit a copy", body)
        self.copy_button.setObjectName("editACopy")
        self.copy_button.setToolTip(
            "Open an editable copy of this flow (not saved yet); this file stays as it is"
        )
        self.copy_button.clicked.connect(document.edit_a_copy)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.copy_button)
        self.addWidget(body)
        self._calm = ""
        self._guarded: list[tuple[QWidget | QAction, str]] = []  # (control, its own tooltip)
        self._flash = QTimer(self)
        self._flash.setSingleShot(True)
        self._flash.setInterval(1500)
        self._flash.timeout.connect(lambda: self.setStyleSheet(self._calm))
        document.flowReplaced.connect(self.refresh)
        document.editRefused.connect(self.refused)
        self.refresh()

    def refresh(self) -> None:
        reason = self.document.flow.read_only
        self.message.setText(f"Read-only: {reason}. Choose “Edit a copy” to change it." if reason else "")
        self._calm = f"QToolBar#readOnlyBar {{ border-bottom: 2px solid {WARNING_COLOUR}; }}"
        self.setStyleSheet(self._calm)
        self.setVisible(bool(reason))
        self._apply_guard()

    def guard(self, *controls: QWidget | QAction) -> None:
        """Disable ``controls`` (widgets or actions that add or change things) while the flow is read-only."""
        self._guarded += [(c, c.toolTip()) for c in controls]
        self._apply_guard()

    def _apply_guard(self) -> None:
        read_only = bool(self.document.flow.read_only)
        why = "Read-only flow: choose “Edit a copy” in the bar above the canvas to change it"
        for control, tip in self._guarded:
            control.setEnabled(not read_only)
            control.setToolTip(why if read_only else tip)

    def refused(self, _reason: str) -> None:
        """An edit was refused: make the bar stand out for a moment, so the user sees why nothing changed."""
        self.setStyleSheet(f"QToolBar#readOnlyBar {{ background: {WARNING_COLOUR}; }}")
        self._flash.start()
