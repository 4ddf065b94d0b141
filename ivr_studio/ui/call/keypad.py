"""The test-call keypad: a phone's 4×3 keypad, clickable and driven by the keyboard and numpad."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QToolButton, QWidget

#: Key → the letters printed under it on a phone.
KEYS: tuple[tuple[str, str], ...] = (
    ("1", ""),
    ("2", "ABC"),
    ("3", "DEF"),
    ("4", "GHI"),
    ("5", "JKL"),
    ("6", "MNO"),
    ("7", "PQRS"),
    ("8", "TUV"),
    ("9", "WXYZ"),
    ("*", ""),
    ("0", "+"),
    ("#", ""),
)

_QT_KEYS = {getattr(Qt.Key, f"Key_{d}"): d for d in "0123456789"} | {
    Qt.Key.Key_Asterisk: "*",
    Qt.Key.Key_NumberSign: "#",
}


class Keypad(QWidget):
    """Emits :attr:`pressed` with the key (``0``-``9``, ``*``, ``#``) for clicks and key presses."""

    pressed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keypad")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        grid = QGridLayout(self)
        grid.setSpacing(6)
        self.buttons: dict[str, QToolButton] = {}
        digit_font = QFont(self.font())
        digit_font.setPointSizeF(digit_font.pointSizeF() * 1.6)
        digit_font.setBold(True)
        for i, (key, letters) in enumerate(KEYS):
            button = QToolButton(self)
            button.setObjectName(f"keypad-{ {'*': 'star', '#': 'hash'}.get(key, key) }")
            button.setText(f"{key}\n{letters}" if letters else f"{key}\n ")
            button.setFont(digit_font)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setMinimumSize(QSize(64, 52))
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(f"Press {key}")
            button.setAccessibleName(f"Key {key}")
            button.clicked.connect(lambda _=False, k=key: self.pressed.emit(k))
            grid.addWidget(button, i // 3, i % 3)
            self.buttons[key] = button

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = _QT_KEYS.get(Qt.Key(event.key())) or (
            event.text() if event.text() in "*#" and event.text() else None
        )
        if key and not event.isAutoRepeat():
            self.buttons[key].setDown(True)
            self.pressed.emit(key)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = _QT_KEYS.get(Qt.Key(event.key()))
        if key and not event.isAutoRepeat():
            self.buttons[key].setDown(False)
        super().keyReleaseEvent(event)
