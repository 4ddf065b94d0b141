"""The test-call keypad: a phone's 4×3 keypad, clickable and driven by the keyboard and numpad.

The keys draw their digit and letters to fit whatever room the panel leaves them: large in a tall panel,
small (letters beside the digit, then none) in a short one, so the keypad never sets a tall minimum
height for the dock it sits in.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QStyle, QStyleOptionToolButton, QToolButton, QWidget

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

QT_KEYS = {getattr(Qt.Key, f"Key_{d}"): d for d in "0123456789"} | {
    Qt.Key.Key_Asterisk: "*",
    Qt.Key.Key_NumberSign: "#",
}

#: The smallest a key gets: still an easy target for the mouse, and the digit stays readable.
MIN_KEY = QSize(34, 22)


def keypad_key(event: QKeyEvent) -> str | None:
    """The phone key a keyboard event stands for (digits on either keyboard, ``*`` and ``#``), or None."""
    key = QT_KEYS.get(Qt.Key(event.key()))
    if key is None and event.text() in ("*", "#"):
        key = event.text()
    return key


class KeyButton(QToolButton):
    """One key: the digit large, its letters small, both sized to the button."""

    def __init__(self, key: str, letters: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key, self.letters = key, letters
        self.setText(f"{key}\n{letters}" if letters else f"{key}\n ")  # what screen readers read
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(MIN_KEY)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(60, 46)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return MIN_KEY

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        option = QStyleOptionToolButton()
        self.initStyleOption(option)
        option.text = ""
        self.style().drawComplexControl(QStyle.ComplexControl.CC_ToolButton, option, painter, self)
        painter.setPen(self.palette().color(QPalette.ColorRole.ButtonText))
        rect = QRectF(self.rect()).adjusted(2, 1, -2, -1)
        digit = QFont(self.font())
        digit.setBold(True)
        small = QFont(self.font())
        tall = rect.height() >= 40
        digit.setPixelSize(max(11, int(rect.height() * (0.42 if tall else 0.62))))
        small.setPixelSize(max(8, int(rect.height() * (0.26 if tall else 0.40))))
        if tall:
            painter.setFont(digit)
            painter.drawText(
                rect.adjusted(0, 0, 0, -rect.height() * 0.38), Qt.AlignmentFlag.AlignCenter, self.key
            )
            painter.setFont(small)
            painter.drawText(
                rect.adjusted(0, rect.height() * 0.58, 0, 0),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                self.letters,
            )
        else:
            painter.setFont(digit)
            flags = Qt.AlignmentFlag.AlignVCenter
            wide = rect.width() >= 3.2 * rect.height() / 2 + 8 and self.letters
            if not wide:
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.key)
                return
            painter.drawText(
                rect.adjusted(0, 0, -rect.width() / 2 + 2, 0), flags | Qt.AlignmentFlag.AlignRight, self.key
            )
            painter.setFont(small)
            painter.drawText(
                rect.adjusted(rect.width() / 2 + 4, 0, 0, 0), flags | Qt.AlignmentFlag.AlignLeft, self.letters
            )


class Keypad(QWidget):
    """Emits :attr:`pressed` with the key (``0``-``9``, ``*``, ``#``) for clicks and key presses."""

    pressed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keypad")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        grid = QGridLayout(self)
        grid.setSpacing(4)
        grid.setContentsMargins(2, 2, 2, 2)
        self.buttons: dict[str, KeyButton] = {}
        for i, (key, letters) in enumerate(KEYS):
            button = KeyButton(key, letters, self)
            button.setObjectName(f"keypad-{ {'*': 'star', '#': 'hash'}.get(key, key) }")
            button.setToolTip(f"Press {key}")
            button.setAccessibleName(f"Key {key}")
            button.clicked.connect(lambda _=False, k=key: self.pressed.emit(k))
            grid.addWidget(button, i // 3, i % 3)
            self.buttons[key] = button

    def press_key(self, key: str) -> None:
        """Press ``key`` as if clicked (the key shows down until :meth:`release_key`)."""
        self.buttons[key].setDown(True)
        self.pressed.emit(key)

    def release_key(self, key: str) -> None:
        self.buttons[key].setDown(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = keypad_key(event)
        if key and not event.isAutoRepeat():
            self.press_key(key)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = keypad_key(event)
        if key and not event.isAutoRepeat():
            self.release_key(key)
        super().keyReleaseEvent(event)
