"""The Hours node's editor: time zone, weekly opening intervals, closed dates, and the holiday source.

- **Time zone**: the searchable IANA picker; the schedule is read in it.
- **Opening hours**: one line per day with its intervals (``08:00 – 12:00``, ``13:00 – 18:00`` …; several
  per day; ``24:00`` ends a day), ``+`` adds one, ✕ removes one, and "Copy Monday to Tue–Fri" fills the
  working week. Overlapping or backwards intervals are named under the grid (the validator's IVR024).
- **Closed**: dates or date ranges with a label (``2026-12-31`` year-end closing); an end before its start
  moves with the start.
- **Holidays**: none, a country's public holidays (every country the ``holidays`` package knows, with its
  states or regions), or an iCalendar file in the flow's folder, picked with a file dialog and checked to
  parse. With a holiday source the node has its ``holiday`` exit (and port); without one it has none.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ivr_studio.flow.calendars import CalendarError, holiday_countries, holiday_subdivisions, read_calendar
from ivr_studio.flow.logic import WEEKDAYS, ClosedDates, HolidaySource, HoursConfig, Interval, time_minutes
from ivr_studio.twiml.values import BadValue
from ivr_studio.ui.inspector.config_editor import (
    ConfigEditor,
    problem_label,
    show_problem,
    small_button,
    without,
)
from ivr_studio.ui.inspector.fields import ChoiceField, LineField
from ivr_studio.ui.wheel_guard import ComboBox
from ivr_studio.ui.zone_picker import ZoneField

DAY_LABELS = dict(zip(WEEKDAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
TIME_PATTERN = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00"
_TIME = re.compile(rf"^(?:{TIME_PATTERN})$")
SOURCES = [
    ("No public holidays", "none"),
    ("A country's public holidays", "country"),
    ("An iCalendar file", "ical"),
]


def parse_time(text: str) -> str:
    """``text`` as HH:MM (00:00 to 24:00); raises BadValue with the problem."""
    if not _TIME.match(text):
        raise BadValue(f"“{text[:10]}” is not a time of day HH:MM (00:00 to 24:00)")
    return text


def day_problems(config: HoursConfig) -> str | None:
    """The validator's schedule problems (IVR024), one line per day that has one."""
    lines = []
    for day in WEEKDAYS:
        spans = sorted(i.minutes for i in config.week.get(day, ()))
        if any(end <= start for start, end in spans):
            lines.append(f"{DAY_LABELS[day]}: an interval ends before it starts")
        elif any(s2 < e1 for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False)):
            lines.append(f"{DAY_LABELS[day]}: two intervals overlap")
    return "\n".join(lines) or None


def next_interval(intervals: tuple[Interval, ...]) -> Interval:
    """A sensible interval to add: 09:00–17:00 on an empty day, else the hour after the last one."""
    if not intervals:
        return Interval("09:00", "17:00")
    last = max(time_minutes(i.end) for i in intervals)
    start = min(last + 60, 23 * 60)
    end = min(start + 60, 24 * 60)
    return Interval(f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}")


def _qdate(text: str) -> QDate:
    return QDate.fromString(text, "yyyy-MM-dd")


class HoursEditor(ConfigEditor):
    """Edits an Hours node's :class:`HoursConfig` (one undo step per change)."""

    def shape_of(self, config: HoursConfig) -> tuple:
        source = config.holidays
        kind = "none" if source is None or not source.to_dict() else ("ical" if source.ical else "country")
        return (
            tuple(len(config.week.get(d, ())) for d in WEEKDAYS),
            len(config.closed),
            kind,
            source.country if source else "",
        )

    def __init__(self, document, node_id: str, parent: QWidget | None = None) -> None:
        super().__init__(document, node_id, parent)
        self.setObjectName("hoursEditor")
        config: HoursConfig = self.config()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)

        form = QFormLayout()
        self.zone = ZoneField()
        self.zone.setToolTip("The time zone the opening hours and closed dates are in")
        self.zone.committed.connect(lambda zone: self.commit(dataclasses.replace(self.config(), zone=zone)))
        form.addRow("Time zone", self.zone)
        outer.addLayout(form)

        outer.addWidget(QLabel("<b>Open</b>", self))
        self.week_grid = QGridLayout()
        self.week_grid.setHorizontalSpacing(2)
        self.week_grid.setVerticalSpacing(2)
        self.times: dict[tuple[str, int], tuple[LineField, LineField]] = {}
        row = 0
        for day in WEEKDAYS:
            intervals = config.week.get(day, ())
            self.week_grid.addWidget(QLabel(DAY_LABELS[day], self), row, 0)
            if not intervals:
                closed = QLabel("<i>closed</i>", self)
                closed.setEnabled(False)
                self.week_grid.addWidget(closed, row, 1, 1, 3)
            for i, _interval in enumerate(intervals):
                start, end = self._time_field(day, i, 0), self._time_field(day, i, 1)
                self.times[(day, i)] = (start, end)
                self.week_grid.addWidget(start, row + i, 1)
                self.week_grid.addWidget(QLabel("–", self), row + i, 2)
                self.week_grid.addWidget(end, row + i, 3)
                remove = small_button(
                    "✕",
                    f"Remove this interval of {DAY_LABELS[day]}",
                    self,
                    lambda d=day, k=i: self._remove_interval(d, k),
                )
                self.week_grid.addWidget(remove, row + i, 4)
            add = small_button(
                "+",
                f"Add an opening interval on {DAY_LABELS[day]}",
                self,
                lambda d=day: self._add_interval(d),
                name=f"addInterval_{day}",
            )
            self.week_grid.addWidget(add, row, 5)
            row += max(1, len(intervals))
        self.week_grid.setColumnStretch(6, 1)
        outer.addLayout(self.week_grid)
        copy = QPushButton("Copy Monday to Tue–Fri", self)
        copy.setObjectName("copyMonday")
        copy.setToolTip("Give Tuesday to Friday Monday's opening hours")
        copy.clicked.connect(self._copy_monday)
        outer.addWidget(copy, 0, Qt.AlignmentFlag.AlignLeft)
        self.week_problem = problem_label(self)
        outer.addWidget(self.week_problem)

        outer.addWidget(QLabel("<b>Closed on</b>", self))
        self.closed_rows: list[tuple[QDateEdit, QDateEdit, LineField]] = []
        closed_box = QVBoxLayout()
        closed_box.setSpacing(2)
        for i, _closed in enumerate(config.closed):
            closed_box.addWidget(self._closed_row(i))
        if not config.closed:
            none = QLabel("<i>no closed dates</i>", self)
            none.setEnabled(False)
            closed_box.addWidget(none)
        outer.addLayout(closed_box)
        add_closed = QPushButton("+ Closed dates", self)
        add_closed.setObjectName("addClosed")
        add_closed.setToolTip("Add a date or a range of dates the line is closed")
        add_closed.clicked.connect(self._add_closed)
        outer.addWidget(add_closed, 0, Qt.AlignmentFlag.AlignLeft)

        outer.addWidget(QLabel("<b>Holidays</b>", self))
        holidays = QFormLayout()
        self.source = ChoiceField(SOURCES)
        self.source.setObjectName("holidaySource")
        self.source.committed.connect(self._set_source)
        holidays.addRow(self.source)
        self.country: QComboBox | None = None
        self.subdivision: QComboBox | None = None
        self.ical: QLineEdit | None = None
        kind = self.shape[2]
        if kind == "country":
            self.country = self._country_picker()
            holidays.addRow("Country", self.country)
            self.subdivision = ComboBox(self)
            self.subdivision.setObjectName("holidaySubdivision")
            self.subdivision.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            self.subdivision.setMinimumContentsLength(10)
            self.subdivision.addItem("The whole country", "")
            for code, name in holiday_subdivisions(config.holidays.country if config.holidays else ""):
                self.subdivision.addItem(f"{name} ({code})" if name != code else code, code)
            self.subdivision.setEnabled(self.subdivision.count() > 1)
            self.subdivision.activated.connect(self._set_subdivision)
            holidays.addRow("Region", self.subdivision)
        elif kind == "ical":
            row_box = QHBoxLayout()
            self.ical = QLineEdit(self)
            self.ical.setObjectName("icalPath")
            self.ical.setReadOnly(True)
            choose = QPushButton("Choose…", self)
            choose.setObjectName("chooseIcal")
            choose.clicked.connect(lambda: self.choose_calendar())
            row_box.addWidget(self.ical, 1)
            row_box.addWidget(choose)
            holidays.addRow("File", row_box)
        outer.addLayout(holidays)
        self.holiday_problem = problem_label(self)
        outer.addWidget(self.holiday_problem)
        self.sync()

    # ------------------------------------------------------------------ building rows
    def _time_field(self, day: str, index: int, end: int) -> LineField:
        field = LineField(parse=parse_time, pattern=TIME_PATTERN, placeholder="HH:MM", keep_empty=True)
        field.line.setFixedWidth(self.fontMetrics().horizontalAdvance("24:00") + 12)
        field.line.setObjectName(f"time_{day}_{index}_{'end' if end else 'start'}")
        field.committed.connect(lambda text, d=day, k=index, e=end: self._set_time(d, k, e, text))
        return field

    def _closed_row(self, index: int) -> QWidget:
        row = QWidget(self)
        grid = QGridLayout(row)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        start, end = QDateEdit(row), QDateEdit(row)
        for edit, which in ((start, "start"), (end, "end")):
            edit.setObjectName(f"closed_{index}_{which}")
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
            edit.setKeyboardTracking(False)
            edit.setDateRange(QDate(2000, 1, 1), QDate(2199, 12, 31))
            edit.dateChanged.connect(lambda _d, k=index: self._set_closed_dates(k))
        label = LineField(placeholder="label, e.g. year-end closing", keep_empty=True)
        label.line.setMaxLength(100)
        label.line.setObjectName(f"closed_{index}_label")
        label.committed.connect(lambda text, k=index: self._set_closed_label(k, text or ""))
        remove = small_button("✕", "Remove these closed dates", row, lambda k=index: self._remove_closed(k))
        grid.addWidget(QLabel("from", row), 0, 0)
        grid.addWidget(start, 0, 1)
        grid.addWidget(remove, 0, 2)
        grid.addWidget(QLabel("to", row), 1, 0)
        grid.addWidget(end, 1, 1)
        grid.addWidget(label, 2, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        self.closed_rows.append((start, end, label))
        return row

    def _country_picker(self) -> QComboBox:
        combo = ComboBox(self)
        combo.setObjectName("holidayCountry")
        combo.setEditable(True)
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        for code, name in holiday_countries():
            combo.addItem(f"{name} ({code})", code)
        completer = combo.completer()
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        combo.activated.connect(lambda i: self._set_country(combo.itemData(i)))
        combo.lineEdit().editingFinished.connect(lambda: self._country_typed(combo))
        return combo

    # ------------------------------------------------------------------ model → rows
    def show_config(self, config: HoursConfig) -> None:
        self.zone.set_value(config.zone)
        for (day, i), (start, end) in self.times.items():
            interval = config.week[day][i]
            start.set_value(interval.start)
            end.set_value(interval.end)
        show_problem(self.week_problem, day_problems(config))
        for (start, end, label), closed in zip(self.closed_rows, config.closed, strict=True):
            for edit, text in ((start, closed.start), (end, closed.end)):
                with QSignalBlocker(edit):
                    edit.setDate(_qdate(text))
            label.set_value(closed.label)
        source = config.holidays or HolidaySource()
        self.source.set_value(self.shape[2])
        if self.country is not None:
            index = self.country.findData(source.country)
            with QSignalBlocker(self.country):
                if index >= 0:
                    self.country.setCurrentIndex(index)
                else:
                    self.country.setEditText(source.country)
        if self.subdivision is not None:
            index = self.subdivision.findData(source.subdivision)
            with QSignalBlocker(self.subdivision):
                self.subdivision.setCurrentIndex(max(index, 0))
        if self.ical is not None:
            self.ical.setText(source.ical)
            self.ical.setPlaceholderText("no file chosen yet")

    # ------------------------------------------------------------------ rows → model
    def _week(self, day: str, intervals: tuple[Interval, ...]) -> None:
        config: HoursConfig = self.config()
        week = {d: config.week[d] for d in WEEKDAYS if config.week.get(d)}
        if intervals:
            week[day] = intervals
        else:
            week.pop(day, None)
        self.commit(dataclasses.replace(config, week=week))

    def _set_time(self, day: str, index: int, end: int, text: str | None) -> None:
        text = (text or "").strip()
        if not _TIME.match(text):
            return  # flagged under the field; the model keeps its value
        intervals = list(self.config().week.get(day, ()))
        if index >= len(intervals):
            return
        old = intervals[index]
        intervals[index] = Interval(old.start, text) if end else Interval(text, old.end)
        self._week(day, tuple(intervals))

    def _add_interval(self, day: str) -> None:
        intervals = self.config().week.get(day, ())
        self._week(day, (*intervals, next_interval(intervals)))

    def _remove_interval(self, day: str, index: int) -> None:
        self._week(day, without(tuple(self.config().week.get(day, ())), index))

    def _copy_monday(self) -> None:
        config: HoursConfig = self.config()
        monday = config.week.get("mon", ())
        week = dict(config.week)
        for day in ("tue", "wed", "thu", "fri"):
            if monday:
                week[day] = monday
            else:
                week.pop(day, None)
        self.commit(dataclasses.replace(config, week={d: week[d] for d in WEEKDAYS if week.get(d)}))

    def _closed(self, closed: tuple[ClosedDates, ...]) -> None:
        self.commit(dataclasses.replace(self.config(), closed=closed))

    def _add_closed(self) -> None:
        today = date.today().isoformat()
        self._closed((*self.config().closed, ClosedDates(today, today)))

    def _remove_closed(self, index: int) -> None:
        self._closed(without(self.config().closed, index))

    def _set_closed_dates(self, index: int) -> None:
        closed = list(self.config().closed)
        if index >= len(closed):
            return
        start_edit, end_edit, _label = self.closed_rows[index]
        start = start_edit.date().toString("yyyy-MM-dd")
        end = end_edit.date().toString("yyyy-MM-dd")
        if end < start:  # an end before its start moves with the start (or the start with the end)
            if start != closed[index].start:
                end = start
            else:
                start = end
        closed[index] = dataclasses.replace(closed[index], start=start, end=end)
        self._closed(tuple(closed))

    def _set_closed_label(self, index: int, text: str) -> None:
        closed = list(self.config().closed)
        if index < len(closed):
            closed[index] = dataclasses.replace(closed[index], label=text.strip()[:100])
            self._closed(tuple(closed))

    def _holidays(self, source: HolidaySource | None) -> None:
        self.commit(dataclasses.replace(self.config(), holidays=source))

    def _set_source(self, kind: str) -> None:
        show_problem(self.holiday_problem, None)
        if kind == self.shape[2]:
            return
        if kind == "none":
            self._holidays(None)
        elif kind == "country":
            self._holidays(HolidaySource(country=_default_country()))
        else:
            self.choose_calendar()

    def _set_country(self, code: object) -> None:
        if isinstance(code, str) and code:
            self._holidays(HolidaySource(country=code))

    def _country_typed(self, combo: QComboBox) -> None:
        text = combo.currentText().strip()
        index = combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if index < 0:
            index = (
                next((i for i in range(combo.count()) if text.lower() in combo.itemText(i).lower()), -1)
                if text
                else -1
            )
        if index < 0:
            show_problem(self.holiday_problem, f"No country matches “{text[:40]}”")
            return
        show_problem(self.holiday_problem, None)
        if combo.itemData(index) != (self.config().holidays or HolidaySource()).country:
            self._set_country(combo.itemData(index))

    def _set_subdivision(self, index: int) -> None:
        source = self.config().holidays or HolidaySource()
        code = self.subdivision.itemData(index) if self.subdivision is not None else ""
        self._holidays(dataclasses.replace(source, subdivision=code or ""))

    def choose_calendar(self, path: str | Path | None = None) -> bool:
        """Use an iCalendar file as the holiday source (asking for it when ``path`` is None). The file
        must be in the flow's folder (its text goes into exported bundles); True when it was taken."""
        folder = Path(self.document.path).parent if self.document.path is not None else None
        if folder is None:
            show_problem(
                self.holiday_problem,
                "Save the flow first: a calendar file is found relative to the flow's folder.",
            )
            self.source.set_value(self.shape[2])
            return False
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self, "Holidays from an iCalendar file", str(folder), "iCalendar (*.ics);;All files (*)"
            )
            if not chosen:
                self.source.set_value(self.shape[2])
                return False
            path = chosen
        path = Path(path)
        try:
            relative = path.resolve().relative_to(folder.resolve())
        except ValueError:
            show_problem(
                self.holiday_problem,
                f"{path.name} is not in the flow's folder ({folder}): copy it there and choose it again.",
            )
            self.source.set_value(self.shape[2])
            return False
        try:
            read_calendar(path)
        except CalendarError as exc:
            show_problem(self.holiday_problem, str(exc)[:300])
            self.source.set_value(self.shape[2])
            return False
        show_problem(self.holiday_problem, None)
        self._holidays(HolidaySource(ical=relative.as_posix()))
        return True


def _default_country() -> str:
    """The country of the user's locale when the holidays package knows it, else the United States."""
    from PySide6.QtCore import QLocale

    code = QLocale.territoryToCode(QLocale.system().territory())
    known = {c for c, _name in holiday_countries()}
    return code if code in known else "US"
