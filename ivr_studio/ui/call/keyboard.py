"""During a test call the keyboard is the caller's keypad: phone keys typed anywhere in the editor go to the
call, not only while the on-screen keypad has focus.

Anywhere means wherever typing a digit would not mean something else: a text field (the typed-speech box,
an inspector field, the URL, an inline rename) keeps its digits. The on-screen key shows pressed while the
key is held, so the user sees where the key went.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QKeySequenceEdit,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from ivr_studio.ui.call.keypad import Keypad, keypad_key

_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
)


def takes_text(widget: QWidget | None) -> bool:
    """Whether typing a digit into ``widget`` means typing text (so it must not go to the call)."""
    if isinstance(widget, (QLineEdit, QAbstractSpinBox, QKeySequenceEdit)):
        return not getattr(widget, "isReadOnly", lambda: False)()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return not widget.isReadOnly()
    return False


class KeyboardKeypad(QObject):
    """An application event filter, installed only while a call runs (:meth:`set_active`), that presses
    ``keypad``'s keys for phone keys typed in the windows :meth:`owns` says belong to the editor."""

    def __init__(self, keypad: Keypad, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keypad = keypad
        self.active = False
        self._held: set[str] = set()

    def set_active(self, on: bool) -> None:
        app = QApplication.instance()
        if on == self.active or app is None:
            return
        self.active = on
        if on:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
            for key in self._held:
                self.keypad.release_key(key)
            self._held.clear()

    def owns(self, widget: QWidget) -> bool:
        """Keys typed in ``widget`` belong to the editor that holds the keypad (its main window, or the
        panel's own window when its dock floats)."""
        window = widget.window()
        keypad_window = self.keypad.window()
        main = keypad_window.parentWidget().window() if keypad_window.parentWidget() else keypad_window
        return window is keypad_window or window is main

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        focus = QApplication.focusWidget()
        # An application filter sees a key once for every widget it propagates to: act on the first.
        if obj is not focus or focus is None or not isinstance(event, QKeyEvent):
            return False
        if not self.owns(focus) or takes_text(focus) or focus is self.keypad:
            return False
        if event.modifiers() & _MODIFIERS:
            return False
        key = keypad_key(event)
        if key is None:
            return False
        if event.isAutoRepeat():
            return True
        if kind == QEvent.Type.KeyPress:
            self._held.add(key)
            self.keypad.press_key(key)
        else:
            self._held.discard(key)
            self.keypad.release_key(key)
        return True
