"""The prompt list of a menu: what the caller hears while the menu listens (Say, Play, Pause).

Every change replaces the node's ``prompts`` through the document, so it is one undo step; typing in a
prompt's text merges into one step per prompt. A Say's text and a Play's URL may hold templates: they are
checked as they are typed and complete the flow's names.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ivr_studio.flow.model import Prompt
from ivr_studio.twiml import values as v
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.inspector.attributes import VOICES
from ivr_studio.ui.inspector.fields import EditableChoiceField, Field, IntField, LineField
from ivr_studio.ui.inspector.template_field import TemplateLine, TemplateText

PROMPT_LABELS = {"say": "Say", "play": "Play", "pause": "Pause"}


def _url_problem(text: str) -> str | None:
    try:
        v.url(text)
    except v.BadValue as exc:
        return str(exc)
    return None


class PromptsEditor(QWidget):
    """Rows of prompt editors with ↑ ↓ ✕ buttons, and buttons to add a Say, Play or Pause.

    :attr:`added` carries the index of a prompt just added, so the inspector can bring it into view.
    """

    added = Signal(int)

    def __init__(self, document: FlowDocument, node_id: str, parent=None):
        super().__init__(parent)
        self.setObjectName("promptsEditor")
        self.document, self.node_id = document, node_id
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.rows: list[dict[str, Field]] = []
        self.shape: list[str] = []
        self.rows_box = QVBoxLayout()
        self.layout_.addLayout(self.rows_box)
        buttons = QHBoxLayout()
        for kind, label in PROMPT_LABELS.items():
            button = QPushButton(f"+ {label}", self)
            # as narrow as its words, not the style's 80 px: three of them fit a narrow inspector
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance(button.text()) + 16)
            button.setObjectName(f"addPrompt_{kind}")
            button.clicked.connect(lambda _=False, k=kind: self._add(k))
            buttons.addWidget(button)
        self.layout_.addLayout(buttons)
        self.build()

    def prompts(self) -> list[Prompt]:
        return copy.deepcopy(self.document.flow.node(self.node_id).prompts)

    def _commit(self, prompts: list[Prompt], merge: bool | str = False) -> None:
        self.document.set_field(self.node_id, "prompts", prompts, merge=merge)

    def _add(self, kind: str) -> None:
        prompts = self.prompts()
        self._commit([*prompts, Prompt(kind, "", {"length": 1} if kind == "pause" else {})])
        self.added.emit(len(prompts))

    def row_widget(self, index: int) -> QWidget | None:
        """The frame of prompt ``index`` (None when there is no such row)."""
        item = self.rows_box.itemAt(index)
        return item.widget() if item is not None and index < len(self.rows) else None

    def _move(self, index: int, step: int) -> None:
        prompts = self.prompts()
        j = index + step
        if 0 <= j < len(prompts):
            prompts[index], prompts[j] = prompts[j], prompts[index]
            self._commit(prompts)

    def _remove(self, index: int) -> None:
        prompts = self.prompts()
        del prompts[index]
        self._commit(prompts)

    def _setter(self, index: int, key: str) -> Callable[[object], None]:
        def apply(value: object) -> None:
            prompts = self.prompts()
            if index >= len(prompts):
                return
            if key == "text":
                prompts[index].text = str(value or "")
                self._commit(prompts, merge=f"prompt{index}.text")
                return
            if value is None:
                prompts[index].attributes.pop(key, None)
            else:
                prompts[index].attributes[key] = value
            self._commit(prompts)

        return apply

    def build(self) -> None:
        """(Re)create one row per prompt."""
        while self.rows_box.count():
            widget = self.rows_box.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.rows = []
        prompts = self.document.flow.node(self.node_id).prompts
        self.shape = [p.kind for p in prompts]
        if not prompts:
            hint = QLabel("No prompt: the caller hears silence while the menu listens.", self)
            hint.setWordWrap(True)
            self.rows_box.addWidget(hint)
        for i, prompt in enumerate(prompts):
            self.rows_box.addWidget(self._row(i, prompt, len(prompts)))
        self.sync()

    def _row(self, index: int, prompt: Prompt, count: int) -> QWidget:
        frame = QFrame(self)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        outer = QVBoxLayout(frame)
        outer.setContentsMargins(6, 4, 6, 6)
        top = QHBoxLayout()
        top.addWidget(QLabel(f"<b>{index + 1}. {PROMPT_LABELS[prompt.kind]}</b>", frame))
        top.addStretch(1)
        for text, tip, slot, enabled in (
            ("↑", "Move up", lambda: self._move(index, -1), index > 0),
            ("↓", "Move down", lambda: self._move(index, 1), index < count - 1),
            ("✕", "Remove this prompt", lambda: self._remove(index), True),
        ):
            button = QPushButton(text, frame)
            button.setToolTip(tip)
            button.setFixedWidth(28)
            button.setEnabled(enabled)
            button.clicked.connect(slot)
            top.addWidget(button)
        outer.addLayout(top)
        form = QFormLayout()
        fields: dict[str, Field] = {}
        if prompt.kind == "say":
            fields["text"] = TemplateText(
                self.document, self.node_id, f"prompts[{index}].text", "What the caller hears", live=True
            )
            fields["voice"] = EditableChoiceField(VOICES, parse=v.say_voice, placeholder="Default (man)")
            fields["language"] = LineField(parse=v.language_tag, placeholder="Default (en-US)")
            fields["loop"] = IntField(0, 1000, 1)
            labels = {"text": "Text", "voice": "Voice", "language": "Language", "loop": "Repeat"}
        elif prompt.kind == "play":
            fields["text"] = TemplateLine(
                self.document, self.node_id, f"prompts[{index}].text", "https://…/prompt.mp3", _url_problem
            )
            fields["loop"] = IntField(0, 1000, 1)
            fields["digits"] = LineField(parse=v.play_digits, pattern=r"[0-9A-Dw*#W]*")
            labels = {"text": "Audio URL", "loop": "Repeat", "digits": "Digits"}
        else:
            fields["length"] = IntField(1, 600, 1, " s")
            labels = {"length": "Length"}
        for key, field in fields.items():
            field.committed.connect(self._setter(index, key))
            form.addRow(labels[key], field)
        outer.addLayout(form)
        self.rows.append(fields)
        return frame

    def sync(self) -> bool:
        """Show the model's values; returns False when the list's shape changed (the caller rebuilds)."""
        prompts = self.document.flow.node(self.node_id).prompts
        if [p.kind for p in prompts] != self.shape:
            return False
        for prompt, fields in zip(prompts, self.rows, strict=True):
            for key, field in fields.items():
                field.set_value(prompt.text if key == "text" else prompt.attributes.get(key))
        return True
