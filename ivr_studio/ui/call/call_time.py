"""The test-call panel's "Call at": the date and time the flow's handler believes it is, in a time zone.

Off (the default), a test call happens now. On, the handler's clock starts at the chosen minute in the
chosen IANA zone and moves on with the call, so an Hours node can be tried on Christmas Eve at 18:30 or a
Monday at 08:59 without waiting for either — the same as ``ivr-studio call --at … --tz …`` and ``at:`` /
``tz:`` in a scenario file. The zone starts as the one of the flow's first Hours node (the zone its
schedule is written in), until the user picks another.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime, Signal
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QLabel, QToolButton, QWidget

from ivr_studio.ui.zone_picker import ZoneField

#: The dates the picker offers: wide enough for any schedule, narrow enough for every library's tables.
FIRST_DATE = QDate(1971, 1, 1)
LAST_DATE = QDate(2099, 12, 31)
DISPLAY_FORMAT = "ddd yyyy-MM-dd HH:mm"


def flow_zone(flow: Any) -> str | None:
    """The time zone of the flow's first Hours node (in the order nodes were added), if it has one."""
    from ivr_studio.flow.logic import HoursConfig

    for node in flow or ():
        if isinstance(node.config, HoursConfig) and node.config.zone:
            return str(node.config.zone)
    return None


class CallAtSection(QWidget):
    """A "Call at" switch, a date-time picker (to the minute) and a time zone picker."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callAt")
        self.enabled = QCheckBox("Call at", self)
        self.enabled.setObjectName("callAtEnabled")
        self.enabled.setToolTip("Off: the call happens now. On: the flow's handler believes it is this time")
        self.when = QDateTimeEdit(self)
        self.when.setObjectName("callAtWhen")
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat(DISPLAY_FORMAT)
        self.when.setDateRange(FIRST_DATE, LAST_DATE)
        now = QDateTime.currentDateTime()
        self.when.setDateTime(QDateTime(now.date(), QTime(now.time().hour(), now.time().minute())))
        self.when.setToolTip("The date and time the call happens, in the time zone beside it")
        self.zone = ZoneField("Time zone, e.g. Berlin")
        self.zone.setObjectName("callAtZone")
        self.zone.set_value("UTC")
        self.zone.setToolTip("The time zone of the date and time (the flow's first Hours node's, at first)")
        self._zone_chosen = False
        self.now_button = QToolButton(self)
        self.now_button.setObjectName("callAtNow")
        self.now_button.setText("Now")
        self.now_button.setToolTip("Set the picker to the current minute in the chosen time zone")
        self.offset = QLabel(self)
        self.offset.setObjectName("callAtOffset")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.enabled)
        layout.addWidget(self.when)
        self.zone.setMaximumWidth(self.fontMetrics().horizontalAdvance("America/Argentina/Buenos_Aires") + 48)
        layout.addWidget(self.zone, 1)
        layout.addWidget(self.now_button)
        layout.addWidget(self.offset)
        layout.addStretch(1)

        self.enabled.toggled.connect(self._sync)
        self.when.dateTimeChanged.connect(lambda _dt: self._sync())
        self.zone.committed.connect(self._zone_committed)
        self.now_button.clicked.connect(self.set_now)
        self._sync()

    def _zone_committed(self, _zone: object) -> None:
        self._zone_chosen = True
        self._sync()

    def _sync(self) -> None:
        on = self.enabled.isChecked()
        for widget in (self.when, self.zone, self.now_button, self.offset):
            widget.setEnabled(on)
        self.offset.setText(self._offset_text() if on else "now")
        self.changed.emit()

    def _offset_text(self) -> str:
        """The zone's abbreviation and UTC offset at the chosen moment (CET +01:00), or why not."""
        from zoneinfo import ZoneInfo

        try:  # the zone field only commits zones that exist
            when = datetime.fromisoformat(self.at_text()).replace(tzinfo=ZoneInfo(self.zone_name()))
        except (KeyError, ValueError):
            return ""
        return when.strftime("%Z %z")[:-2] + ":" + when.strftime("%z")[-2:]

    def follow_flow(self, flow: Any) -> None:
        """Take the zone of the flow's first Hours node, unless the user has chosen a zone."""
        zone = flow_zone(flow)
        if zone and not self._zone_chosen and zone != self.zone.value():
            self.zone.set_value(zone)
            self._sync()

    def set_now(self) -> None:
        """The picker shows the current minute in the chosen zone."""
        from zoneinfo import ZoneInfo

        try:
            now = datetime.now(ZoneInfo(self.zone_name()))
        except (KeyError, ValueError):
            now = datetime.now()
        self.when.setDateTime(QDateTime(QDate(now.year, now.month, now.day), QTime(now.hour, now.minute)))

    def set_at(self, at: str | None, tz: str | None = None) -> None:
        """Show ``at`` (``2026-12-24T18:30``; None: off) in ``tz``."""
        if tz:
            self.zone.set_value(tz)
            self._zone_chosen = True
        if at:
            when = datetime.fromisoformat(at)
            self.when.setDateTime(
                QDateTime(QDate(when.year, when.month, when.day), QTime(when.hour, when.minute))
            )
        self.enabled.setChecked(bool(at))
        self._sync()

    # ----- what the call uses -----
    def at_text(self) -> str:
        """The chosen minute as ISO text without an offset (the zone says which)."""
        d, t = self.when.date(), self.when.time()
        return f"{d.year():04d}-{d.month():02d}-{d.day():02d}T{t.hour():02d}:{t.minute():02d}"

    def zone_name(self) -> str:
        return self.zone.value() or "UTC"

    def options(self) -> tuple[str | None, str | None]:
        """(at, tz) for the call: (None, None) when off (now)."""
        if not self.enabled.isChecked():
            return None, None
        return self.at_text(), self.zone_name()
