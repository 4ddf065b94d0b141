"""The status strip under the test-call timeline: current node, the Gather's countdown, the microphone
level and the audio devices (a click opens the pickers); under them a notice, with a button when the
notice has a remedy (a missing speech model: "Get model…")."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

LEVEL_FLOOR_DB = -60.0


#: How a notice looks: amber when something is missing or went wrong, the palette's selection colour when it
#: only reports what was done.
_NOTICE_STYLE = {
    "warning": "color: palette(highlighted-text); background: #8a6d1f; padding: 2px 6px;",
    "info": "color: palette(highlighted-text); background: palette(highlight); padding: 2px 6px;",
}


def document_label(url: str, limit: int = 48) -> str:
    """Where a call of a URL is when its server names no nodes: the path (and query) of the TwiML document
    it runs — the host stays the same all call long — cut to ``limit`` characters."""
    parts = urlsplit(url)
    text = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class StatusStrip(QWidget):
    devicesClicked = Signal()  # noqa: N815 - Qt signal naming
    noticeActionClicked = Signal()  # noqa: N815 - the button next to the notice

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callStatusStrip")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 2, 4, 2)
        outer.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.node_label = QLabel("Not in a call", self)
        self.node_label.setObjectName("callNode")
        self.countdown = QProgressBar(self)
        self.countdown.setObjectName("gatherCountdown")
        self.countdown.setTextVisible(True)
        self.countdown.setFixedWidth(160)
        self.countdown.setRange(0, 1000)
        self.countdown.setValue(0)
        self.countdown.setFormat("")
        self.countdown.hide()  # shown only while a Gather's timer runs: an idle strip has no empty boxes
        self.level = QProgressBar(self)
        self.level.setObjectName("micLevel")
        self.level.setRange(0, 100)
        self.level.setFixedWidth(90)
        self.level.setTextVisible(False)
        self.level.setToolTip("Microphone level")
        self.level.hide()  # shown only while the microphone is open
        self.devices = QPushButton("Audio: …", self)
        self.devices.setObjectName("audioDevices")
        self.devices.setFlat(True)
        self.devices.setCursor(Qt.CursorShape.PointingHandCursor)
        self.devices.clicked.connect(self.devicesClicked)
        self.notice = QLabel(self)
        self.notice.setObjectName("audioNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(_NOTICE_STYLE["warning"])
        self.notice.hide()
        self.notice_action = QPushButton(self)
        self.notice_action.setObjectName("noticeAction")
        self.notice_action.clicked.connect(self.noticeActionClicked)
        self.notice_action.hide()
        row.addWidget(self.node_label, 1)
        row.addWidget(self.countdown)
        self.mic_label = QLabel("Mic", self)
        self.mic_label.setObjectName("micState")
        self.mic_label.setToolTip("The microphone is closed")
        row.addWidget(self.mic_label)
        row.addWidget(self.level)
        row.addWidget(self.devices)
        outer.addLayout(row)
        notice_row = QHBoxLayout()
        notice_row.setContentsMargins(0, 0, 0, 0)
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.notice_action, 0, Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(notice_row)

    def set_node(self, title: str | None, tip: str = "") -> None:
        """Where the call is (a node's title, or a URL call's document); None: no call is running.
        ``tip`` is the tooltip (the whole URL of a URL call's document)."""
        self.node_label.setText(f"At: {title}" if title else "Not in a call")
        self.node_label.setToolTip(tip)

    def set_calling(self, target: str) -> None:
        """A call has started and its first document has not arrived yet."""
        self.node_label.setText(f"Calling {target}…")
        self.node_label.setToolTip("")

    def set_countdown(self, label: str | None, remaining: float = 0.0, total: float = 0.0) -> None:
        """Show the running Gather timer (``label`` is "timeout" or "speechTimeout"); None hides it."""
        if not label or total <= 0:
            self.countdown.setValue(0)
            self.countdown.setFormat("")
            self.countdown.hide()
            return
        self.countdown.show()
        self.countdown.setValue(int(1000 * max(0.0, min(1.0, remaining / total))))
        self.countdown.setFormat(f"{label} {max(0.0, remaining):.1f} s")

    def set_level(self, dbfs: float | None) -> None:
        if dbfs is None:
            self.level.setValue(0)
            return
        self.level.setValue(
            int(100 * (max(LEVEL_FLOOR_DB, min(0.0, dbfs)) - LEVEL_FLOOR_DB) / -LEVEL_FLOOR_DB)
        )

    def set_microphone(self, open_: bool) -> None:
        """Show whether the microphone is open (the caller's voice reaches the call)."""
        self.mic_label.setText("● Mic" if open_ else "Mic")
        self.mic_label.setStyleSheet("color: #c53030; font-weight: bold;" if open_ else "")
        self.mic_label.setToolTip("The microphone is open" if open_ else "The microphone is closed")
        self.level.setVisible(open_)
        if not open_:
            self.set_level(None)

    def set_notice(
        self, text: str | None, action: str | None = None, action_tip: str = "", tone: str = "warning"
    ) -> None:
        """A plain message under the strip (e.g. no audio devices); None hides it. ``action`` labels a
        button next to it (clicking it emits :attr:`noticeActionClicked`); without one there is no button.
        ``tone`` is "warning" (amber: something is missing or failed) or "info" (done, for your
        information). A new notice starts without a tooltip."""
        self.notice.setStyleSheet(_NOTICE_STYLE[tone])
        self.notice.setProperty("tone", tone)
        self.notice.setText(text or "")
        self.notice.setToolTip("")
        self.notice.setVisible(bool(text))
        self.notice_action.setText(action or "")
        self.notice_action.setToolTip(action_tip)
        self.notice_action.setVisible(bool(text and action))

    def set_devices(self, text: str, available: bool = True) -> None:
        """The audio devices' button; without devices there is no microphone to show either."""
        self.devices.setText(text)
        self.mic_label.setVisible(available)
        self.devices.setToolTip("Choose the microphone and speaker" if available else text)
