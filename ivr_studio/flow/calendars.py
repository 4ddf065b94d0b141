"""iCalendar files an Hours node takes its holidays from: read bounded, and checked to parse.

The file's text is carried into the exported bundle (inside the routing data), so the deployed handler
needs no access to the machine the flow was designed on; the handler expands its events with
``icalendar`` and ``recurring-ical-events``.
"""

from __future__ import annotations

from pathlib import Path

from ivr_studio.files import InputFileError, read_text

MAX_CALENDAR_BYTES = 1024 * 1024


class CalendarError(ValueError):
    """An iCalendar file cannot be used; the message names the file and the problem."""


def read_calendar(path: Path) -> str:
    """The text of the iCalendar file at ``path``, once it is known to parse as a calendar."""
    import icalendar

    try:
        text = read_text(path, MAX_CALENDAR_BYTES)
    except InputFileError as exc:
        raise CalendarError(str(exc)) from None
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as exc:  # icalendar raises ValueError and others for malformed content
        raise CalendarError(f"{path}: not an iCalendar file ({str(exc)[:100]})") from None
    if calendar.name != "VCALENDAR":
        raise CalendarError(f"{path}: not an iCalendar file (it holds a {calendar.name})")
    return text
