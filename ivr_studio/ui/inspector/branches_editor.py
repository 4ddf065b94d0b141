"""The choices of a menu (key, spoken phrases, where it goes) and where every other exit goes.

Each row edits one branch through the document: keys are limited to keypad characters, phrases are
comma-separated, the target is picked from the flow's nodes. The exits every node has (no input, busy,
next …) get a target picker each, below.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ivr_studio.flow.model import Node
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.inspector.fields import ChoiceField, LineField


def target_choices(document: FlowDocument, exclude: str | None = None) -> list[tuple[str, object]]:
    return [("— not connected —", None)] + [(f"{n.title} ({n.id})", n.id) for n in document.flow]


def split_phrases(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


class BranchesEditor(QWidget):
    """A grid of choices (Gather only) followed by the node's fixed exits.

    :attr:`added` carries the id of a choice added with "+ Add choice", so the inspector can bring the new
    row into view once the form is rebuilt.
    """

    added = Signal(str)

    def __init__(self, document: FlowDocument, node_id: str, parent=None):
        super().__init__(parent)
        self.setObjectName("branchesEditor")
        self.document, self.node_id = document, node_id
        node = document.flow.node(node_id)
        self.shape = self._shape(node)
        self.branch_fields: list[tuple[str, LineField, LineField, ChoiceField]] = []
        self.exit_fields: dict[str, ChoiceField] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        choices = target_choices(document)
        if node.spec.item_exits == "branches":
            grid = QGridLayout()
            for col, (text, tip) in enumerate(
                (
                    ("Key", "The key the caller presses for this choice"),
                    ("Phrases", "What the caller may say instead, comma-separated"),
                    ("Goes to", "The node the call goes to next"),
                    ("", ""),
                )
            ):
                heading = QLabel(f"<small>{text}</small>", self)
                heading.setToolTip(tip)
                grid.addWidget(heading, 0, col)
            for row, branch in enumerate(node.branches, start=1):
                keys = LineField(pattern=r"[0-9*#]{0,20}", placeholder="key", keep_empty=True)
                keys.line.setMaximumWidth(60)
                phrases = LineField(placeholder="e.g. sales, buy")
                target = ChoiceField(choices)
                target.combo.setMinimumContentsLength(4)  # the node's whole title is in the list
                remove = QPushButton("✕", self)
                remove.setToolTip("Remove this choice")
                remove.setFixedWidth(24)
                bid = branch.id
                keys.committed.connect(
                    lambda val, b=bid: self.document.set_branch_field(node_id, b, "keys", val or "")
                )
                phrases.committed.connect(
                    lambda val, b=bid: self.document.set_branch_field(
                        node_id, b, "phrases", split_phrases(val)
                    )
                )
                target.committed.connect(
                    lambda val, b=branch.exit_name: self.document.set_link(node_id, b, val)
                )
                remove.clicked.connect(lambda _=False, b=bid: self.document.remove_branch(node_id, b))
                for col, w in enumerate((keys, phrases, target, remove)):
                    grid.addWidget(w, row, col)
                self.branch_fields.append((bid, keys, phrases, target))
            grid.setColumnStretch(1, 2)  # the phrases get the room; a key is a character or two
            grid.setColumnStretch(2, 1)
            layout.addLayout(grid)
            add = QPushButton("+ Add choice", self)
            add.setObjectName("addBranch")
            add.clicked.connect(lambda: self.added.emit(self.document.add_branch(node_id)))
            layout.addWidget(add)
        exits = QGridLayout()
        fixed = [e for e in node.exits() if e.kind != "branch"]  # a Decide's cases, a capture, fixed exits
        for row, exit_ in enumerate(fixed):
            field = ChoiceField(choices)
            field.committed.connect(lambda val, e=exit_.name: self.document.set_link(node_id, e, val))
            label = QLabel(exit_.label[:1].upper() + exit_.label[1:], self)
            label.setWordWrap(True)  # a Decide case's label can be a whole condition
            exits.addWidget(label, row, 0)
            exits.addWidget(field, row, 1)
            self.exit_fields[exit_.name] = field
        layout.addLayout(exits)
        self.sync()

    @staticmethod
    def _shape(node: Node) -> list[str]:
        return [b.id for b in node.branches] + [e.name for e in node.exits() if e.kind != "branch"]

    def sync(self) -> bool:
        """Show the model's values; False when branches were added or removed (the caller rebuilds)."""
        node = self.document.flow.node(self.node_id)
        if self._shape(node) != self.shape:
            return False
        choices = target_choices(self.document)
        for (bid, keys, phrases, target), branch in zip(self.branch_fields, node.branches, strict=True):
            assert bid == branch.id
            keys.set_value(branch.keys)
            phrases.set_value(", ".join(branch.phrases) or None)
            target.set_choices(choices)
            target.set_value(node.links.get(branch.exit_name))
        for name, field in self.exit_fields.items():
            field.set_choices(choices)
            field.set_value(node.links.get(name))
        return True
