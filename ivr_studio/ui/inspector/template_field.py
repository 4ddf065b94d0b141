"""Fields for text that may hold a Liquid template: checked inline, with the flow's names completed.

Typing inside ``{{ … }}`` offers what a template at this node can read — ``vars.``, ``call.``,
``steps.<node>.``, ``env.`` names, ``now`` — from :func:`ivr_studio.flow.template_names.readable_names`
(matching anywhere in the name, so ``acc`` finds ``vars.account``); Enter or Tab takes the highlighted
name. While the user types, the text is checked with the validator's own rules at this node (syntax,
unknown or never-set values) and the message shows under the field; the model changes only when the
field commits: a line when editing finishes, a text area as it is typed (``live``, the caller merges
the keystrokes into one undo step) or when it loses focus.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QStringListModel, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import QCompleter, QLineEdit, QPlainTextEdit, QWidget

from ivr_studio.flow.template_names import readable_names, template_messages
from ivr_studio.ui.document import FlowDocument
from ivr_studio.ui.inspector.fields import Field

#: The dotted name being typed at the end of the text before the cursor.
_TOKEN = re.compile(r"[A-Za-z0-9_.]*$")
_POPUP_KEYS = {Qt.Key.Key_Enter, Qt.Key.Key_Return, Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Escape}


def token_at(text: str, cursor: int) -> tuple[int, str] | None:
    """(start, token) of the name being typed at ``cursor`` when it is inside an open ``{{ … }}`` or
    ``{% … %}``; None elsewhere (plain text is never completed)."""
    before = text[:cursor]
    opened = max(before.rfind("{{"), before.rfind("{%"))
    if opened < 0 or max(before.rfind("}}"), before.rfind("%}")) > opened:
        return None
    match = _TOKEN.search(before)
    start = match.start() if match else cursor
    if start < opened + 2:
        return None
    return start, before[start:]


class _Completion(QObject):
    """Completes the flow's names in one text editor (a QLineEdit or a QPlainTextEdit)."""

    def __init__(self, editor: QLineEdit | QPlainTextEdit, names: Callable[[], list[str]]) -> None:
        super().__init__(editor)
        self.editor = editor
        self.names = names
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setWidget(editor)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.activated.connect(self.insert)
        self._token: tuple[int, str] | None = None

    def _text_and_cursor(self) -> tuple[str, int]:
        if isinstance(self.editor, QLineEdit):
            return self.editor.text(), self.editor.cursorPosition()
        cursor = self.editor.textCursor()
        return self.editor.toPlainText(), cursor.position()

    def update(self) -> None:
        """Offer completions for the name at the cursor (or hide the list when there is none)."""
        text, cursor = self._text_and_cursor()
        self._token = token_at(text, cursor)
        popup = self.completer.popup()
        if self._token is None:
            popup.hide()
            return
        self.model.setStringList(self.names())
        self.completer.setCompletionPrefix(self._token[1])
        if self.completer.completionCount() == 0 or (
            self.completer.completionCount() == 1 and self.completer.currentCompletion() == self._token[1]
        ):
            popup.hide()
            return
        rect = self.editor.cursorRect()
        rect.setWidth(max(220, popup.sizeHintForColumn(0) + 24))
        self.completer.complete(rect)
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))

    def insert(self, name: str) -> None:
        """Put ``name`` in place of the name being typed."""
        if self._token is None:
            return
        start, typed = self._token
        if isinstance(self.editor, QLineEdit):
            text = self.editor.text()
            end = start + len(typed)
            self.editor.setText(text[:start] + name + text[end:])
            self.editor.setCursorPosition(start + len(name))
            self.editor.textEdited.emit(self.editor.text())
        else:
            cursor = self.editor.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(start + len(typed), QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(name)
            self.editor.setTextCursor(cursor)
        self._token = None

    def takes(self, event: QKeyEvent) -> bool:
        """Whether the open list takes this key (Enter, Tab, Escape), so the editor must not."""
        return self.completer.popup().isVisible() and event.key() in _POPUP_KEYS


class _Line(QLineEdit):
    completion: _Completion | None = None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if self.completion is not None and self.completion.takes(event):
            event.ignore()
            return
        super().keyPressEvent(event)


class _Area(QPlainTextEdit):
    completion: _Completion | None = None

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if self.completion is not None and self.completion.takes(event):
            event.ignore()
            return
        super().keyPressEvent(event)
        if event.text() and self.completion is not None:
            self.completion.update()


class _Context:
    """The node a template belongs to, and where in it (the validator's path, e.g. ``config.url``)."""

    def __init__(self, document: FlowDocument, node_id: str, where: str) -> None:
        self.document, self.node_id, self.where = document, node_id, where

    def names(self) -> list[str]:
        return readable_names(self.document.flow)

    def problems(self, text: str) -> str | None:
        if self.node_id not in self.document.flow.nodes:
            return None
        messages = template_messages(self.document.flow, self.node_id, text, self.where)
        return messages[0] if messages else None


class TemplateLine(Field):
    """One line that may hold a template; committed when editing finishes (empty commits ``""``)."""

    def __init__(
        self,
        document: FlowDocument,
        node_id: str,
        where: str = "",
        placeholder: str = "",
        extra_check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(_Line())
        self.line: _Line = self.editor
        self.context = _Context(document, node_id, where)
        self.extra_check = extra_check
        self.line.setPlaceholderText(placeholder)
        self.line.completion = _Completion(self.line, self.context.names)
        self._value: str | None = None
        self.line.editingFinished.connect(self._finish)
        self.line.textEdited.connect(self._edited)

    def _edited(self, text: str) -> None:
        self.line.completion.update()
        self.recheck(text)

    def recheck(self, text: str | None = None) -> None:
        text = self.line.text() if text is None else text
        problem = self.context.problems(text)
        if problem is None and self.extra_check is not None:
            problem = self.extra_check(text)
        self.flag(problem)

    def set_value(self, value: object) -> None:
        text = "" if value is None else str(value)
        self._value = text
        if self.line.text() != text:
            with QSignalBlocker(self.line):
                self.line.setText(text)
                if not self.line.hasFocus():
                    self.line.setCursorPosition(0)  # show the start of a long value, not its end
        self.recheck(text)

    def _finish(self) -> None:
        if self.line.completion.completer.popup().isVisible():
            return  # the user is choosing a name; the line commits once they are done
        text = self.line.text()
        if text != self._value:
            self._value = text
            self.committed.emit(text)


class TemplateText(Field):
    """Several lines that may hold a template. ``live``: committed as it is typed (the caller merges the
    keystrokes into one undo step); otherwise committed when the field loses focus."""

    def __init__(
        self,
        document: FlowDocument,
        node_id: str,
        where: str = "",
        placeholder: str = "",
        lines: int = 3,
        live: bool = False,
        extra_check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(_Area())
        self.area: _Area = self.editor
        self.context = _Context(document, node_id, where)
        self.extra_check = extra_check
        self.live = live
        self.area.setPlaceholderText(placeholder)
        self.area.setTabChangesFocus(True)
        self.area.setFixedHeight(int(self.area.fontMetrics().lineSpacing() * lines + 14))
        self.area.completion = _Completion(self.area, self.context.names)
        self._value: str | None = None
        self.area.textChanged.connect(self._changed)
        self.area.installEventFilter(self)

    def recheck(self, text: str | None = None) -> None:
        text = self.area.toPlainText() if text is None else text
        problem = self.context.problems(text)
        if problem is None and self.extra_check is not None:
            problem = self.extra_check(text)
        self.flag(problem)

    def set_value(self, value: object) -> None:
        text = "" if value is None else str(value)
        self._value = text
        if self.area.toPlainText() != text:
            with QSignalBlocker(self.area):
                self.area.setPlainText(text)
        self.recheck(text)

    def _changed(self) -> None:
        text = self.area.toPlainText()
        self.recheck(text)
        if self.live:
            self._commit()

    def _commit(self) -> None:
        text = self.area.toPlainText()
        if text != self._value:
            self._value = text
            self.committed.emit(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.area
            and event.type() == QEvent.Type.FocusOut
            and not self.live
            and not self.area.completion.completer.popup().isVisible()
        ):
            self._commit()
        return super().eventFilter(watched, event)


def template_widgets(widget: QWidget) -> list[TemplateLine | TemplateText]:
    """Every template field inside ``widget`` (the inspector re-checks them when the flow changes)."""
    return widget.findChildren(TemplateLine) + widget.findChildren(TemplateText)
