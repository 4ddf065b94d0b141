"""How the Test call panel is laid out: one row of controls over the keypad and the timeline side by side,
the status strip under them, and the less used parts folded away behind toggles (:func:`build_panel`).

The panel can be made small this way: its minimum height is a row of buttons, four short rows of keys and
the strip, and the keypad itself can be hidden. Other parts join through :meth:`CallPanel.add_section`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ivr_studio.ui.call.keyboard import KeyboardKeypad
from ivr_studio.ui.call.keypad import Keypad
from ivr_studio.ui.call.status_strip import StatusStrip
from ivr_studio.ui.call.timeline import CallTimeline
from ivr_studio.ui.wheel_guard import ComboBox

if TYPE_CHECKING:
    from ivr_studio.ui.call.panel import CallPanel

CALL_STYLE = (
    "QPushButton:enabled { background: #2f855a; color: white; font-weight: bold; padding: 6px 14px; }"
)
KEYS_SIGN_STYLE = "QLabel { background: palette(highlight); color: palette(highlighted-text); padding: 1px 6px; border-radius: 3px; }"
#: Timeline rows keep the index of their event in the call's trace (for looking back at that moment).
EVENT_INDEX_ROLE = Qt.ItemDataRole.UserRole + 7
HANGUP_STYLE = (
    "QPushButton:enabled { background: #c53030; color: white; font-weight: bold; padding: 6px 14px; }"
)
TALK_TIP = (
    "Hold (or hold Space) while you speak: the microphone is open while held; release to end your sentence"
)
PTT_TIP = (
    "On: the microphone opens only while you hold “Hold to talk” or Space. "
    "Off: it also opens by itself while the call listens for speech or records a message"
)
#: What the dialled party does when a <Dial> rings: label → (DialOutcome status, seconds answered).
DIAL_CHOICES = {
    "When dialled: let it ring": None,
    "When dialled: answer for 5 s": ("answered", 5.0),
    "When dialled: busy": ("busy", 0.0),
    "When dialled: fail": ("failed", 0.0),
}


class KeysSign(QLabel):
    """The sign that, during a call, keys typed in the window go to the caller's keypad. Where the panel's
    row of controls is short of room (a 1024-pixel screen, a call of a URL) it says so in fewer words
    rather than make the window wider than the screen."""

    FULL = "⌨ Keyboard = keypad"
    SHORT = "⌨ = keypad"

    def __init__(self, parent: QWidget) -> None:
        super().__init__(self.FULL, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def _size_for(self, text: str) -> QSize:
        size = super().sizeHint()  # the style's padding and height around the text shown
        metrics = self.fontMetrics()
        size.setWidth(size.width() - metrics.horizontalAdvance(self.text()) + metrics.horizontalAdvance(text))
        return size

    def sizeHint(self) -> QSize:  # noqa: N802
        return self._size_for(self.FULL)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self._size_for(self.SHORT)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        text = self.FULL if event.size().width() >= self.sizeHint().width() else self.SHORT
        if self.text() != text:
            self.setText(text)


def build_panel(panel: CallPanel) -> None:
    """Lay the panel out so it can be small: one row of controls on top, the keypad beside the
    timeline, the status strip under them, and the less used parts folded away behind toggles."""
    panel.target = ComboBox(panel)
    panel.target.setObjectName("callTarget")
    panel.target.addItems(["This flow", "A URL"])
    panel.target.setToolTip("Call the flow you are editing, or a webhook of your own")
    panel.url = QLineEdit(panel)
    panel.url.setObjectName("callUrl")
    panel.url.setPlaceholderText("http://localhost:5000/voice")
    panel.url.setVisible(False)
    panel.call_button = QPushButton("Call", panel)
    panel.call_button.setObjectName("callButton")
    panel.call_button.setStyleSheet(CALL_STYLE)
    panel.call_button.setToolTip("Call the flow as it is now (F5)")
    panel.hangup_button = QPushButton("Hang up", panel)
    panel.hangup_button.setObjectName("hangupButton")
    panel.hangup_button.setStyleSheet(HANGUP_STYLE)
    panel.hangup_button.setToolTip("End the call (Shift+F5)")
    panel.keypad = Keypad(panel)
    panel.keyboard = KeyboardKeypad(panel.keypad, panel)
    panel.keys_sign = KeysSign(panel)
    panel.keys_sign.setObjectName("keyboardIsKeypad")
    panel.keys_sign.setToolTip(
        "During the call the keys 0–9, * and # typed anywhere in the window press the caller's keypad "
        "(text fields keep what you type)"
    )
    panel.keys_sign.setStyleSheet(KEYS_SIGN_STYLE)
    panel.talk_button = QPushButton("Hold to talk", panel)
    panel.talk_button.setObjectName("pushToTalk")
    panel.ptt = QCheckBox("Push to talk", panel)
    panel.ptt.setObjectName("pushToTalkMode")
    panel.phone = QCheckBox("Phone audio (8 kHz μ-law)", panel)
    panel.phone.setObjectName("phoneFidelity")
    panel.phone.setToolTip("Recognise what a phone line would deliver, not the clean headset audio")
    panel.wav_button = QPushButton("Speak a WAV file…", panel)
    panel.wav_button.setObjectName("speakWav")
    panel.dial = ComboBox(panel)
    panel.dial.setObjectName("dialOutcome")
    panel.dial.addItems(list(DIAL_CHOICES))
    panel.dial.setToolTip("What the dialled party does when the flow dials out")
    panel.around_button = QPushButton("Agent takes the call", panel)
    panel.around_button.setObjectName("aroundCaller")
    panel.around_button.setVisible(False)
    panel._around: str | None = None  # "queue" or "conference" while the caller waits in one
    panel.timeline = CallTimeline(panel)
    panel.timeline.setMinimumHeight(48)  # two rows: the panel may be made small
    panel.typed = QLineEdit(panel)
    panel.typed.setObjectName("typedSpeech")
    panel.typed.setPlaceholderText("Type what the caller says, then Enter")
    panel.say_button = QPushButton("Say", panel)
    panel.say_button.setObjectName("sayTyped")
    panel.save_button = QPushButton("Save as test…", panel)
    panel.save_button.setObjectName("saveAsTest")
    panel.load_button = QPushButton("Load coverage…", panel)
    panel.load_button.setObjectName("loadCoverage")
    panel.load_button.setToolTip("Show the exits an ivr-studio test --coverage run took")
    panel.coverage = QCheckBox("Coverage", panel)
    panel.coverage.setObjectName("showCoverage")
    panel.coverage.setToolTip("Tint the exits no call or test has taken")
    panel.strip = StatusStrip(panel)

    panel.top = QHBoxLayout()
    panel.top.setSpacing(4)
    for widget in (panel.target, panel.url, panel.call_button, panel.hangup_button):
        panel.top.addWidget(widget, 1 if widget is panel.url else 0)
    for button in (panel.call_button, panel.hangup_button):  # never squeezed below their text
        button.setMinimumWidth(button.sizeHint().width())
    panel.call_button.setMinimumWidth(
        max(
            panel.call_button.minimumWidth(),
            panel.call_button.fontMetrics().horizontalAdvance("Call again") + 32,
        )
    )
    panel.top.addWidget(panel.around_button)  # in sight while the caller waits in a queue or a conference
    panel.top.addWidget(panel.keys_sign)
    panel.top.addStretch(1)
    panel._toggles = QHBoxLayout()
    panel._toggles.setSpacing(2)
    panel.top.addWidget(panel.save_button)
    panel.top.addWidget(panel.load_button)
    panel.top.addWidget(panel.coverage)
    panel.top.addLayout(panel._toggles)

    caller = QWidget(panel)
    caller_row = QHBoxLayout(caller)
    caller_row.setContentsMargins(0, 0, 0, 0)
    for widget in (panel.talk_button, panel.ptt, panel.phone, panel.wav_button, panel.dial):
        caller_row.addWidget(widget)
    caller_row.addStretch(1)
    panel.drawers = QVBoxLayout()
    panel.drawers.setContentsMargins(0, 0, 0, 0)
    panel.drawers.setSpacing(2)
    panel.sections: dict[str, tuple[QToolButton, QWidget]] = {}

    say_row = QHBoxLayout()
    say_row.setSpacing(2)
    say_row.addWidget(panel.typed, 1)
    say_row.addWidget(panel.say_button)
    panel.say_row = say_row  # under the timeline: room for toggles the top row has no width for
    right = QWidget(panel)
    right_layout = QVBoxLayout(right)
    right_layout.setContentsMargins(0, 0, 0, 0)
    right_layout.setSpacing(3)
    right_layout.addWidget(panel.timeline, 1)
    right_layout.addLayout(say_row)
    splitter = QSplitter(Qt.Orientation.Horizontal, panel)
    splitter.setObjectName("callSplitter")
    splitter.addWidget(panel.keypad)
    splitter.addWidget(right)
    splitter.setCollapsible(0, True)
    splitter.setCollapsible(1, False)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([210, 700])
    panel.splitter = splitter

    outer = QVBoxLayout(panel)
    outer.setContentsMargins(4, 4, 4, 2)
    outer.setSpacing(3)
    outer.addLayout(panel.top)
    outer.addLayout(panel.drawers)
    outer.addWidget(splitter, 1)
    outer.addWidget(panel.strip)
    panel.keypad_toggle = panel._toggle("keypad", "Keypad", "Show or hide the keypad", panel.keypad, True)
    panel.looking_back = False  # the user looks at a past moment of the call (see .debugging)
    panel.add_section(
        "caller",
        "Caller",
        caller,
        tip="Hold to talk, speak a WAV file, phone audio, what a dialled party does",
    )
