"""Typed editors for one value each: they show a model value and emit ``committed`` with a new one.

Each editor makes values Twilio forbids impossible to enter (ranges, fixed choices, validators) or, for free
text, flags them inline with the validator's own message. ``None`` means "not set: Twilio's default applies".
Setting a value from the model never emits ``committed``, so model → editor → model loops cannot happen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QRegularExpression, QSignalBlocker, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QSpinBox, QVBoxLayout, QWidget

from ivr_studio.twiml.values import BadValue
from ivr_studio.ui.canvas.style import ERROR_COLOUR
from ivr_studio.ui.wheel_guard import ComboBox, SpinBox

Parse = Callable[[str], Any]

#: A word longer than this in a field's message may break anywhere (a group name, a path, a long value).
LONG_WORD = 16
_BREAK = "\u200b"  # zero-width space: a place the line may break, invisible where it does not


def breakable(text: str) -> str:
    """``text`` with a line-break opportunity every :data:`LONG_WORD` characters inside long words, so a
    word-wrapped label never grows wider than its field to fit one word (it would push the whole form wider
    than the inspector, and the end of the message would be cut off)."""
    words = text.split(" ")
    return " ".join(
        _BREAK.join(w[i : i + LONG_WORD] for i in range(0, len(w), LONG_WORD)) if len(w) > LONG_WORD else w
        for w in words
    )


class Field(QWidget):
    """An editor plus an inline message line for problems with the value."""

    committed = Signal(object)

    def __init__(self, editor: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.message)

    def set_value(self, value: Any) -> None:
        """Show ``value`` without emitting ``committed``. Every field kind below implements this."""
        raise NotImplementedError(f"{type(self).__name__} must implement set_value")

    def flag(self, problem: str | None) -> None:
        """Show ``problem`` under the editor (wrapped to the field's width, the whole text also in the
        tooltip), or hide the message line when it is None."""
        self.message.setText(breakable(problem or ""))
        self.message.setToolTip(problem or "")
        self.message.setVisible(bool(problem))

    def message_text(self) -> str:
        """The message as the validator worded it (without the wrapping's invisible breaks)."""
        return self.message.toolTip()

    def check(self, parse: Parse | None, text: str) -> None:
        if parse is None or text == "":
            self.flag(None)
            return
        try:
            parse(text)
        except BadValue as exc:
            self.flag(str(exc))
        else:
            self.flag(None)


class LineField(Field):
    """One line of text, committed when editing finishes; empty means unset (``None``) unless ``keep_empty``."""

    def __init__(
        self, parse: Parse | None = None, pattern: str | None = None, placeholder: str = "", keep_empty=False
    ):
        super().__init__(QLineEdit())
        self.line: QLineEdit = self.editor
        self.parse, self.keep_empty = parse, keep_empty
        self.line.setPlaceholderText(placeholder)
        if pattern:
            self.line.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self.line))
        self._value: Any = None
        self.line.editingFinished.connect(self._finish)
        self.line.textEdited.connect(lambda text: self.check(self.parse, text))

    def set_value(self, value: Any) -> None:
        self._value = value
        text = "" if value is None else str(value)
        if self.line.text() != text:
            with QSignalBlocker(self.line):
                self.line.setText(text)
        self.check(self.parse, text)

    def _finish(self) -> None:
        text = self.line.text()
        value: Any = text if (text or self.keep_empty) else None
        if value != self._value:
            self._value = value
            self.committed.emit(value)


class TextField(Field):
    """Multi-line text, committed as the user types; the caller merges the keystrokes into one undo step."""

    def __init__(self, parse: Parse | None = None, placeholder: str = "", lines: int = 3):
        super().__init__(QPlainTextEdit())
        self.area: QPlainTextEdit = self.editor
        self.parse = parse
        self.area.setPlaceholderText(placeholder)
        self.area.setTabChangesFocus(True)
        self.area.setFixedHeight(int(self.area.fontMetrics().lineSpacing() * lines + 14))
        self.area.textChanged.connect(self._changed)

    def set_value(self, value: Any) -> None:
        text = value or ""
        if self.area.toPlainText() != text:
            with QSignalBlocker(self.area):
                self.area.setPlainText(text)
        self.check(self.parse, text)

    def _changed(self) -> None:
        text = self.area.toPlainText()
        self.check(self.parse, text)
        self.committed.emit(text)


class IntField(Field):
    """A whole number in [minimum, maximum]; the entry below the minimum reads "Default (…)" and means unset."""

    def __init__(self, minimum: int, maximum: int, default: Any = None, suffix: str = "", unset_allowed=True):
        super().__init__(SpinBox())
        self.spin: QSpinBox = self.editor
        self.unset_allowed = unset_allowed
        self.floor = minimum - 1 if unset_allowed else minimum
        self.spin.setRange(self.floor, maximum)
        self.spin.setKeyboardTracking(False)
        self.spin.setSuffix(suffix)
        if unset_allowed:
            self.spin.setSpecialValueText(f"Default ({default})" if default is not None else "Not set")
        self.spin.valueChanged.connect(self._changed)

    def set_value(self, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            number = self.floor
            if isinstance(value, str) and value.strip().isdigit():
                number = int(value)
        else:
            number = value
        with QSignalBlocker(self.spin):
            self.spin.setValue(number)

    def _changed(self, number: int) -> None:
        self.committed.emit(None if (self.unset_allowed and number == self.floor) else number)


class ChoiceField(Field):
    """A fixed list of (label, value) pairs; values outside the list are shown but cannot be chosen again."""

    def __init__(self, choices: Sequence[tuple[str, Any]]):
        super().__init__(ComboBox())
        self.combo: QComboBox = self.editor
        _compact(self.combo)
        self.set_choices(choices)
        self.combo.activated.connect(lambda i: self.committed.emit(self.combo.itemData(i)))

    def set_choices(self, choices: Sequence[tuple[str, Any]]) -> None:
        choices = list(choices)
        if choices == getattr(self, "_choices", None):
            return
        self._choices = choices
        current = self.combo.currentData()
        with QSignalBlocker(self.combo):
            self.combo.clear()
            for label, value in choices:
                self.combo.addItem(label, value)
            self._select(current)

    def _select(self, value: Any) -> None:
        for i in range(self.combo.count()):
            data = self.combo.itemData(i)
            if data == value and type(data) is type(value):
                self.combo.setCurrentIndex(i)
                return
        if value is not None:
            self.combo.addItem(f"{value} (not allowed)", value)
            self.combo.setCurrentIndex(self.combo.count() - 1)
        else:
            self.combo.setCurrentIndex(0)

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.combo):
            self._select(value)


class EditableChoiceField(Field):
    """A combo box with suggestions that also accepts typed values (checked by ``pattern`` and ``parse``)."""

    def __init__(
        self,
        suggestions: Sequence[str],
        parse: Parse | None = None,
        pattern: str | None = None,
        convert: Callable[[str], Any] | None = None,
        placeholder: str = "Default",
    ):
        super().__init__(ComboBox())
        self.combo: QComboBox = self.editor
        _compact(self.combo)
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItems(list(suggestions))
        self.combo.lineEdit().setPlaceholderText(placeholder)
        self.parse, self.convert = parse, convert
        if pattern:
            self.combo.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self.combo))
        self._value: Any = None
        self.combo.lineEdit().editingFinished.connect(self._finish)
        self.combo.activated.connect(lambda _i: self._finish())
        self.combo.lineEdit().textEdited.connect(lambda text: self.check(self.parse, text))

    def set_value(self, value: Any) -> None:
        self._value = value
        text = "" if value is None else str(value)
        if self.combo.currentText() != text:
            with QSignalBlocker(self.combo):
                self.combo.setEditText(text)
        self.check(self.parse, text)

    def _finish(self) -> None:
        text = self.combo.currentText().strip()
        value = None if not text else (self.convert(text) if self.convert else text)
        if value != self._value:
            self._value = value
            self.committed.emit(value)


def bool_choices(default: Any) -> list[tuple[str, Any]]:
    label = {True: "yes", False: "no"}.get(default, "not set")
    return [(f"Default ({label})", None), ("Yes", True), ("No", False)]


def _compact(combo: QComboBox) -> None:
    """Let a combo box shrink with the dock instead of growing to its longest entry."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(8)
