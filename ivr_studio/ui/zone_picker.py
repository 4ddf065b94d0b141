"""A time zone picker over the IANA zones (``zoneinfo``, with ``tzdata`` everywhere), searchable.

Typing filters the list anywhere in the name (``berl`` finds ``Europe/Berlin``); only a zone that exists
is committed, anything else is flagged under the field and leaves the value as it was. Used by the Hours
and Decide editors and by the test-call panel's "Call at".
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QComboBox, QCompleter

from ivr_studio.ui.inspector.fields import Field
from ivr_studio.ui.wheel_guard import ComboBox


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name, UTC first, then alphabetically."""
    names = sorted(z for z in zoneinfo.available_timezones() if z != "UTC" and not z.startswith("posix/"))
    return ("UTC", *names)


def zone_problem(text: str) -> str | None:
    """Why ``text`` is not a time zone, or None when it is one."""
    if text in zone_names():
        return None
    shown = text if len(text) <= 40 else text[:39] + "…"
    return f"“{shown}” is not a time zone (choose one, e.g. Europe/Berlin)"


class ZoneField(Field):
    """An editable, searchable list of time zones; ``committed`` carries a zone name that exists."""

    def __init__(self, placeholder: str = "Search, e.g. Berlin") -> None:
        super().__init__(ComboBox())
        self.combo: QComboBox = self.editor
        self.combo.setObjectName("zonePicker")
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)
        self.combo.setMaxVisibleItems(15)
        self.combo.addItems(list(zone_names()))
        self.combo.lineEdit().setPlaceholderText(placeholder)
        self.combo.lineEdit().setMaxLength(64)
        completer = QCompleter(list(zone_names()), self.combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setMaxVisibleItems(12)
        self.combo.setCompleter(completer)
        self._value: str | None = None
        self.combo.lineEdit().editingFinished.connect(self._finish)
        self.combo.activated.connect(lambda _i: self._finish())
        completer.activated.connect(lambda _text: self._finish())
        self.combo.lineEdit().textEdited.connect(lambda _text: self.flag(None))  # judged when done

    def value(self) -> str | None:
        return self._value

    def set_value(self, value: object) -> None:
        text = "" if value is None else str(value)
        self._value = text
        if self.combo.currentText() != text:
            with QSignalBlocker(self.combo):
                index = self.combo.findText(text, Qt.MatchFlag.MatchExactly)
                if index >= 0:
                    self.combo.setCurrentIndex(index)
                self.combo.setEditText(text)
        self.flag(zone_problem(text) if text else None)

    def _finish(self) -> None:
        text = self.combo.currentText().strip()
        problem = zone_problem(text)
        self.flag(problem)
        if problem is None and text != self._value:
            self._value = text
            self.committed.emit(text)
